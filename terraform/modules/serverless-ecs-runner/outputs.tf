output "runner_id" {
  description = "The ID of the runner."
  value       = local.runner_id
}

output "humanitec_role_arn" {
  description = "The ARN of the IAM role porch assumes through OIDC (runner_configuration.auth.role_arn)."
  value       = aws_iam_role.orchestrator.arn
}

output "ecs_task_manager_role_arn" {
  description = "The ARN of the IAM role for managing ECS tasks: the same role as humanitec_role_arn (kept for compatibility with the reference module)."
  value       = aws_iam_role.orchestrator.arn
}

output "execution_role_arn" {
  description = "The ARN of the ECS task execution role."
  value       = aws_iam_role.execution.arn
}

output "task_role_arn" {
  description = "The ARN of the ECS task role."
  value       = aws_iam_role.task.arn
}

output "oidc_provider_arn" {
  description = "The ARN of the IAM OIDC provider for porch's issuer (created or existing)."
  value       = local.oidc_provider_arn
}

output "s3_bucket" {
  description = "The name of the S3 state bucket."
  value       = aws_s3_bucket.state.bucket
}

output "s3_state_path_prefix" {
  description = "The key prefix of the state files in the bucket."
  value       = trimsuffix(var.s3_state_path_prefix, "/")
}

output "ecs_cluster_name" {
  description = "The name of the ECS cluster."
  value       = local.ecs_cluster_name
}

output "ecs_cluster_arn" {
  description = "The ARN of the ECS cluster."
  value       = local.ecs_cluster_arn
}

output "task_definition_family" {
  description = "The task-definition family porch registers for this runner (<prefix>_<org>_<runner>)."
  value       = local.permission_policy_vars.task_definition_family
}

output "cloudwatch_log_group_name" {
  description = "The name of the CloudWatch log group for the runner's ECS tasks."
  value       = aws_cloudwatch_log_group.tasks.name
}

output "cloudwatch_log_group_arn" {
  description = "The ARN of the CloudWatch log group for the runner's ECS tasks."
  value       = aws_cloudwatch_log_group.tasks.arn
}

output "cloudwatch_exec_log_group_name" {
  description = "The name of the CloudWatch log group for ECS Exec (null with an existing cluster)."
  value       = one(aws_cloudwatch_log_group.exec[*].name)
}

output "cloudwatch_exec_log_group_arn" {
  description = "The ARN of the CloudWatch log group for ECS Exec (null with an existing cluster)."
  value       = one(aws_cloudwatch_log_group.exec[*].arn)
}

output "runner_rule_ids" {
  description = "The IDs of the runner rules created for this runner."
  value       = platform-orchestrator_runner_rule.runner[*].id
}

output "orchestrator_policy_json" {
  description = "The orchestrator role's inline policy document (JSON), as `porch aws iam` would print it."
  value       = local.orchestrator_policy
}
