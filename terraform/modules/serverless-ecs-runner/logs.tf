resource "aws_cloudwatch_log_group" "tasks" {
  name              = "/aws/ecs/porch/${local.runner_id}"
  retention_in_days = var.cloudwatch_log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = local.tags
}

# ECS Exec sessions on the cluster the module creates.
resource "aws_cloudwatch_log_group" "exec" {
  count             = var.existing_ecs_cluster_name == null ? 1 : 0
  name              = "/aws/ecs/porch/${local.runner_id}/exec"
  retention_in_days = var.cloudwatch_log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = local.tags
}
