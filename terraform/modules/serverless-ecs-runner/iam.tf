# The documents (local.*_policy) come from policies.tf, generated from the same source as
# `porch aws iam`; this file only says which role gets which document.

resource "aws_iam_openid_connect_provider" "porch" {
  count = var.existing_oidc_provider_arn == null ? 1 : 0

  url            = var.oidc_issuer_url
  client_id_list = ["sts.amazonaws.com"]
  tags           = local.tags
}

resource "aws_iam_role" "orchestrator" {
  name                 = "${local.role_name_prefix}-orchestrator"
  path                 = var.iam_role_path
  description          = "porch assumes this role through OIDC to run runner ${var.humanitec_org_id}/${local.runner_id}'s ECS tasks"
  assume_role_policy   = local.orchestrator_trust_policy
  permissions_boundary = var.iam_role_permissions_boundary
  tags                 = local.tags
}

resource "aws_iam_role_policy" "orchestrator" {
  name   = "porch-orchestrator"
  role   = aws_iam_role.orchestrator.id
  policy = local.orchestrator_policy
}

resource "aws_iam_role" "execution" {
  name                 = "${local.role_name_prefix}-execution"
  path                 = var.iam_role_path
  description          = "ECS starts runner ${var.humanitec_org_id}/${local.runner_id}'s tasks with this role (image pull, logs, secrets)"
  assume_role_policy   = local.execution_trust_policy
  permissions_boundary = var.iam_role_permissions_boundary
  tags                 = local.tags
}

resource "aws_iam_role_policy_attachment" "execution_managed" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

resource "aws_iam_role_policy" "execution" {
  name = "porch-execution"
  role = aws_iam_role.execution.id
  # Never null here: the module always creates the tasks' log group, which has a statement.
  policy = local.execution_policy
}

resource "aws_iam_role" "task" {
  name                 = "${local.role_name_prefix}-task"
  path                 = var.iam_role_path
  description          = "runner ${var.humanitec_org_id}/${local.runner_id}'s OpenTofu runs with this role (state bucket)"
  assume_role_policy   = local.task_trust_policy
  permissions_boundary = var.iam_role_permissions_boundary
  tags                 = local.tags
}

resource "aws_iam_role_policy" "task" {
  name = "porch-task"
  role = aws_iam_role.task.id
  # Never null here: the module always creates the state bucket.
  policy = local.task_policy
}
