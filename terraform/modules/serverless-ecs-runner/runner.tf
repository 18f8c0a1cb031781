# Registers the runner with porch through the platform-orchestrator provider; point the provider's
# api_url at porch's API (see README).
resource "platform-orchestrator_serverless_ecs_runner" "runner" {
  id          = local.runner_id
  description = var.runner_description != null ? var.runner_description : "porch runner on ECS cluster ${local.ecs_cluster_name} in ${var.region}"

  runner_configuration = {
    auth = {
      role_arn = aws_iam_role.orchestrator.arn
    }
    job = {
      region               = var.region
      cluster              = local.ecs_cluster_name
      subnets              = var.subnet_ids
      security_groups      = var.security_group_ids
      is_public_ip_enabled = var.is_public_ip_enabled
      execution_role_arn   = aws_iam_role.execution.arn
      task_role_arn        = aws_iam_role.task.arn
      image                = var.image
      environment          = var.environment
      secrets              = var.secrets
    }
  }

  state_storage_configuration = {
    type = "s3"
    s3_configuration = {
      bucket      = aws_s3_bucket.state.bucket
      path_prefix = trimsuffix(var.s3_state_path_prefix, "/")
    }
  }

  # The first deployment may start right after registration: the permissions must be in place.
  depends_on = [
    aws_iam_role_policy.orchestrator,
    aws_iam_role_policy.execution,
    aws_iam_role_policy.task,
    aws_iam_role_policy_attachment.execution_managed,
    aws_ecs_cluster_capacity_providers.runner,
    aws_s3_bucket_policy.state_tls_only,
  ]
}

resource "platform-orchestrator_runner_rule" "runner" {
  count       = length(var.runner_rules)
  runner_id   = platform-orchestrator_serverless_ecs_runner.runner.id
  project_id  = var.runner_rules[count.index].project_id
  env_type_id = var.runner_rules[count.index].env_type_id
}
