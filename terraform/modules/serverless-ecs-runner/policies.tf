# Generated from src/aws-setup/policy-parts.ts by `npx tsx src/aws-setup/write-module-files.ts`: do not edit.
# `porch aws iam` renders the same parts, so this module and the CLI grant exactly the same permissions.

locals {
  orchestrator_trust_policy_statements = concat(
    jsondecode(templatefile("${path.module}/policies/orchestrator-trust.json.tftpl", local.trust_policy_vars)),
  )
  orchestrator_trust_policy = jsonencode({ Version = "2012-10-17", Statement = local.orchestrator_trust_policy_statements })

  orchestrator_policy_statements = concat(
    jsondecode(templatefile("${path.module}/policies/orchestrator-ecs.json.tftpl", local.permission_policy_vars)),
    jsondecode(templatefile("${path.module}/policies/orchestrator-pass-role.json.tftpl", local.permission_policy_vars)),
    jsondecode(local.policy_conditions.allow_stop_task ? templatefile("${path.module}/policies/orchestrator-stop-task.json.tftpl", local.permission_policy_vars) : "[]"),
  )
  orchestrator_policy = jsonencode({ Version = "2012-10-17", Statement = local.orchestrator_policy_statements })

  execution_trust_policy_statements = concat(
    jsondecode(templatefile("${path.module}/policies/execution-trust.json.tftpl", local.trust_policy_vars)),
  )
  execution_trust_policy = jsonencode({ Version = "2012-10-17", Statement = local.execution_trust_policy_statements })

  execution_policy_statements = concat(
    jsondecode(local.policy_conditions.has_secretsmanager_secrets ? templatefile("${path.module}/policies/execution-secretsmanager.json.tftpl", local.permission_policy_vars) : "[]"),
    jsondecode(local.policy_conditions.has_ssm_parameters ? templatefile("${path.module}/policies/execution-ssm.json.tftpl", local.permission_policy_vars) : "[]"),
    jsondecode(local.policy_conditions.has_secrets_kms_key ? templatefile("${path.module}/policies/execution-secrets-kms.json.tftpl", local.permission_policy_vars) : "[]"),
    jsondecode(local.policy_conditions.has_log_group ? templatefile("${path.module}/policies/execution-log-group.json.tftpl", local.permission_policy_vars) : "[]"),
  )
  execution_policy = length(local.execution_policy_statements) > 0 ? jsonencode({ Version = "2012-10-17", Statement = local.execution_policy_statements }) : null

  task_trust_policy_statements = concat(
    jsondecode(templatefile("${path.module}/policies/task-trust.json.tftpl", local.trust_policy_vars)),
  )
  task_trust_policy = jsonencode({ Version = "2012-10-17", Statement = local.task_trust_policy_statements })

  task_policy_statements = concat(
    jsondecode(local.policy_conditions.has_state_bucket && local.policy_conditions.has_state_key_prefix ? templatefile("${path.module}/policies/task-state-list-prefix.json.tftpl", local.permission_policy_vars) : "[]"),
    jsondecode(local.policy_conditions.has_state_bucket && !local.policy_conditions.has_state_key_prefix ? templatefile("${path.module}/policies/task-state-list-bucket.json.tftpl", local.permission_policy_vars) : "[]"),
    jsondecode(local.policy_conditions.has_state_bucket ? templatefile("${path.module}/policies/task-state-objects.json.tftpl", local.permission_policy_vars) : "[]"),
    jsondecode(local.policy_conditions.has_state_kms_key ? templatefile("${path.module}/policies/task-state-kms.json.tftpl", local.permission_policy_vars) : "[]"),
  )
  task_policy = length(local.task_policy_statements) > 0 ? jsonencode({ Version = "2012-10-17", Statement = local.task_policy_statements }) : null
}
