data "aws_caller_identity" "current" {}

resource "random_id" "runner" {
  count       = var.runner_id == null ? 1 : 0
  byte_length = 4
}

locals {
  runner_id  = var.runner_id != null ? var.runner_id : "${var.runner_id_prefix}-${random_id.runner[0].hex}"
  account_id = data.aws_caller_identity.current.account_id

  # Role names porch-<runner>-<role>: the same names `porch aws iam` uses (src/aws-setup/iam-inputs.ts).
  role_name_prefix = "porch-${local.runner_id}"

  tags = merge(var.additional_tags, {
    "porch:org"        = var.humanitec_org_id
    "porch:runner"     = local.runner_id
    "porch:managed-by" = "porch"
  })

  ecs_cluster_name = var.existing_ecs_cluster_name != null ? var.existing_ecs_cluster_name : aws_ecs_cluster.runner[0].name
  ecs_cluster_arn  = var.existing_ecs_cluster_name != null ? "arn:aws:ecs:${var.region}:${local.account_id}:cluster/${var.existing_ecs_cluster_name}" : aws_ecs_cluster.runner[0].arn

  issuer_host_path  = trimprefix(var.oidc_issuer_url, "https://")
  oidc_provider_arn = var.existing_oidc_provider_arn != null ? var.existing_oidc_provider_arn : aws_iam_openid_connect_provider.porch[0].arn

  secretsmanager_arns = sort(distinct([for arn in values(var.secrets) : arn if startswith(arn, "arn:aws:secretsmanager:")]))
  ssm_parameter_arns  = sort(distinct([for arn in values(var.secrets) : arn if startswith(arn, "arn:aws:ssm:")]))
  # A key decrypts only when the call comes through the service (and region) that holds the secret.
  kms_via_services = sort(distinct(concat(
    [for arn in local.secretsmanager_arns : "secretsmanager.${split(":", arn)[3]}.amazonaws.com"],
    [for arn in local.ssm_parameter_arns : "ssm.${split(":", arn)[3]}.amazonaws.com"],
  )))

  state_key_prefix = "${trimsuffix(var.s3_state_path_prefix, "/")}/"
  state_kms_key    = var.enable_s3_encryption && var.kms_key_arn != null

  # Template variables of policies/*.json.tftpl (rendered in policies.tf). Trust documents may not
  # use the role ARNs: the roles themselves depend on them.
  trust_policy_vars = {
    account_id        = local.account_id
    region            = var.region
    oidc_provider_arn = local.oidc_provider_arn
    issuer_host_path  = local.issuer_host_path
    subject           = "${var.humanitec_org_id}+${local.runner_id}"
  }

  permission_policy_vars = {
    account_id             = local.account_id
    region                 = var.region
    cluster_name           = local.ecs_cluster_name
    task_definition_family = "${var.task_definition_prefix}_${var.humanitec_org_id}_${local.runner_id}"
    pass_role_arns         = [aws_iam_role.execution.arn, aws_iam_role.task.arn]
    secretsmanager_arns    = local.secretsmanager_arns
    ssm_parameter_arns     = local.ssm_parameter_arns
    secrets_kms_key_arn    = var.secrets_kms_key_arn == null ? "" : var.secrets_kms_key_arn
    kms_via_services       = local.kms_via_services
    log_group_name         = aws_cloudwatch_log_group.tasks.name
    state_bucket           = aws_s3_bucket.state.bucket
    state_key_prefix       = local.state_key_prefix
    state_kms_key_arn      = local.state_kms_key ? var.kms_key_arn : ""
  }

  # Which optional policy parts apply; from variables only, so they are known at plan time.
  policy_conditions = {
    allow_stop_task            = var.allow_stop_task
    has_secretsmanager_secrets = length(local.secretsmanager_arns) > 0
    has_ssm_parameters         = length(local.ssm_parameter_arns) > 0
    # Without secrets there is nothing to decrypt (and kms:ViaService would be empty).
    has_secrets_kms_key  = var.secrets_kms_key_arn != null && length(var.secrets) > 0
    has_log_group        = true # the module always creates the tasks' log group
    has_state_bucket     = true # and the state bucket
    has_state_key_prefix = true # s3_state_path_prefix cannot be empty
    has_state_kms_key    = local.state_kms_key
  }
}
