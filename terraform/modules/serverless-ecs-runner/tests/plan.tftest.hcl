# Plan-only tests with mock providers: nothing is created and no credentials are needed.
# Run with `tofu test` (OpenTofu >= 1.8) or `terraform test` (Terraform >= 1.7) in the module folder.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
    }
  }
}

mock_provider "random" {}

mock_provider "platform-orchestrator" {}

variables {
  region                     = "eu-central-1"
  subnet_ids                 = ["subnet-0123456789abcdef0"]
  humanitec_org_id           = "my-org"
  oidc_issuer_url            = "https://porch.example.com/oidc"
  runner_id                  = "ecs-runner"
  existing_oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/porch.example.com/oidc"
}

run "trust_policy_names_porch_issuer_and_subject" {
  command = plan

  assert {
    condition     = output.runner_id == "ecs-runner"
    error_message = "runner_id must be the given one"
  }
  assert {
    condition     = aws_iam_role.orchestrator.name == "porch-ecs-runner-orchestrator"
    error_message = "the orchestrator role must be named porch-<runner>-orchestrator, like `porch aws iam` names it"
  }
  assert {
    condition     = jsondecode(aws_iam_role.orchestrator.assume_role_policy).Statement[0].Condition.StringEquals["porch.example.com/oidc:sub"] == "my-org+ecs-runner"
    error_message = "the trust policy must require sub = <org>+<runner> under the issuer's host+path"
  }
  assert {
    condition     = jsondecode(aws_iam_role.orchestrator.assume_role_policy).Statement[0].Condition.StringEquals["porch.example.com/oidc:aud"] == "sts.amazonaws.com"
    error_message = "the trust policy must require aud = sts.amazonaws.com"
  }
  assert {
    condition     = jsondecode(aws_iam_role.orchestrator.assume_role_policy).Statement[0].Principal.Federated == "arn:aws:iam::123456789012:oidc-provider/porch.example.com/oidc"
    error_message = "the trust policy must federate the existing OIDC provider"
  }
  assert {
    condition     = length(aws_iam_openid_connect_provider.porch) == 0
    error_message = "no OIDC provider may be created when existing_oidc_provider_arn is set"
  }
}

run "creates_cluster_with_fargate_spot_and_container_insights" {
  command = plan

  assert {
    condition     = aws_ecs_cluster.runner[0].name == "porch-ecs-runner"
    error_message = "a new cluster must be created when existing_ecs_cluster_name is null"
  }
  assert {
    condition     = one([for s in aws_ecs_cluster.runner[0].setting : s.value if s.name == "containerInsights"]) == "enabled"
    error_message = "Container Insights must be enabled by default"
  }
  assert {
    condition     = aws_ecs_cluster_capacity_providers.runner[0].capacity_providers == toset(["FARGATE", "FARGATE_SPOT"])
    error_message = "the cluster must offer FARGATE and FARGATE_SPOT"
  }
}

run "existing_cluster_is_used_as_is" {
  command = plan

  variables {
    region                    = "us-west-2"
    existing_ecs_cluster_name = "existing-cluster"
  }

  assert {
    condition     = output.ecs_cluster_name == "existing-cluster" && length(aws_ecs_cluster.runner) == 0
    error_message = "an existing cluster must be used, not created"
  }
  assert {
    condition     = output.ecs_cluster_arn == "arn:aws:ecs:us-west-2:123456789012:cluster/existing-cluster"
    error_message = "the cluster ARN must use the region and account"
  }
  assert {
    condition     = output.cloudwatch_exec_log_group_name == null
    error_message = "no ECS Exec log group is created for an existing cluster"
  }
}

run "state_bucket_is_private_and_tls_only" {
  command = plan

  assert {
    condition = (
      aws_s3_bucket_public_access_block.state.block_public_acls &&
      aws_s3_bucket_public_access_block.state.block_public_policy &&
      aws_s3_bucket_public_access_block.state.ignore_public_acls &&
      aws_s3_bucket_public_access_block.state.restrict_public_buckets
    )
    error_message = "the state bucket must block all public access"
  }
  assert {
    condition     = aws_s3_bucket_versioning.state.versioning_configuration[0].status == "Enabled"
    error_message = "versioning must be enabled by default"
  }
  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.state[0].rule).apply_server_side_encryption_by_default[0].sse_algorithm == "AES256"
    error_message = "without kms_key_arn the bucket must use SSE-S3"
  }
}

run "kms_key_encrypts_bucket_and_logs" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.state[0].rule).apply_server_side_encryption_by_default[0].sse_algorithm == "aws:kms"
    error_message = "with kms_key_arn the bucket must use SSE-KMS"
  }
  assert {
    condition     = aws_cloudwatch_log_group.tasks.kms_key_id == "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    error_message = "with kms_key_arn the log group must be encrypted with it"
  }
}

run "roles_get_path_and_permissions_boundary" {
  command = plan

  variables {
    iam_role_path                 = "/platform/runners/"
    iam_role_permissions_boundary = "arn:aws:iam::123456789012:policy/Boundary"
  }

  assert {
    condition = alltrue([
      for r in [aws_iam_role.orchestrator, aws_iam_role.execution, aws_iam_role.task] :
      r.path == "/platform/runners/" && r.permissions_boundary == "arn:aws:iam::123456789012:policy/Boundary"
    ])
    error_message = "every role must get iam_role_path and iam_role_permissions_boundary"
  }
}

run "execution_role_trusts_ecs_tasks_and_gets_managed_policy" {
  command = plan

  assert {
    condition     = jsondecode(aws_iam_role.execution.assume_role_policy).Statement[0].Principal.Service == "ecs-tasks.amazonaws.com"
    error_message = "the execution role must trust ecs-tasks.amazonaws.com"
  }
  assert {
    condition     = aws_iam_role_policy_attachment.execution_managed.policy_arn == "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
    error_message = "the execution role must get the AWS managed task execution policy"
  }
}

run "runner_rule_is_optional" {
  command = plan

  variables {
    runner_rules = [{ project_id = "shop" }]
  }

  assert {
    condition     = length(platform-orchestrator_runner_rule.runner) == 1 && platform-orchestrator_runner_rule.runner[0].project_id == "shop"
    error_message = "one runner rule must be planned for the project"
  }
}

run "rejects_runner_id_too_long_for_iam_role_names" {
  command = plan

  variables {
    runner_id = "a-runner-id-that-is-far-too-long-for-iam-role-names"
  }

  expect_failures = [var.runner_id]
}

run "rejects_runner_id_with_uppercase" {
  command = plan

  variables {
    runner_id = "Runner"
  }

  expect_failures = [var.runner_id]
}

run "rejects_runner_id_prefix_too_long" {
  command = plan

  variables {
    runner_id        = null
    runner_id_prefix = "a-prefix-that-is-far-too-long-for-ids"
  }

  expect_failures = [var.runner_id_prefix]
}

run "rejects_issuer_url_with_trailing_slash" {
  command = plan

  variables {
    oidc_issuer_url = "https://porch.example.com/oidc/"
  }

  expect_failures = [var.oidc_issuer_url]
}

run "rejects_secret_that_is_not_an_arn" {
  command = plan

  variables {
    secrets = { TOKEN = "my-secret" }
  }

  expect_failures = [var.secrets]
}
