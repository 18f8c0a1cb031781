/** The configuration examples of seed 000 (serverless-ecs), in the forms the seed gives them. */
export const S3_STATE = "state_storage_configuration:\n  type: s3\n  bucket: humanitec-ecs-runner-state\n  path_prefix: state-files\n";

export const SEED_YAML_MINIMAL = `runner_configuration:
  type: serverless-ecs
  auth:
    # The role the Platform Orchestrator assumes within your account
    role_arn: arn:aws:iam::123456789012:role/orchestrator-role
  job:
    region: eu-central-1
    cluster: my-ecs-cluster
    # The role the task executes with
    execution_role_arn: arn:aws:iam::123456789012:role/runner-execution-role
    subnets: ["subnet-a"]
${S3_STATE}`;

export const SEED_YAML_ALL_OPTIONS = `runner_configuration:
  type: serverless-ecs
  auth:
    role_arn: arn:aws:iam::123456789012:role/orchestrator-role
  job:
    region: us-west-2
    cluster: my-ecs-cluster
    execution_role_arn: arn:aws:iam::123456789012:role/runner-execution-role
    subnets:
    - subnet-1
    task_role_arn: arn:aws:iam::123456789012:role/runner-task-role
    is_public_ip_enabled: true
    security_groups:
    - runner-security-group
    environment:
      EXAMPLE_ENVIRONMENT_VARIABLE: value
    secrets:
      SECRET_ENVIRONMENT_VARIABLE: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:myapp/api-key-XyZ9Qw"
      PROPERTY_ENVIRONMENT_VARIABLE: "arn:aws:ssm:eu-central-1:123456789012:parameter/app/config/api-endpoint"
${S3_STATE}`;

export const SEED_YAML_SECRETS = `runner_configuration:
  type: serverless-ecs
  auth:
    role_arn: arn:aws:iam::123456789012:role/orchestrator-role
  job:
    region: eu-central-1
    cluster: my-ecs-cluster
    execution_role_arn: arn:aws:iam::123456789012:role/runner-execution-role
    subnets: ["subnet-a"]
    secrets:
      TF_EXAMPLE: arn:aws:secretsmanager:eu-central-1:123456789012:secret:myapp/api-key-XyZ9Qw
      TF_EXAMPLE_2: arn:aws:ssm:eu-central-1:123456789012:parameter/app/config/api-endpoint
${S3_STATE}`;

/** The setup guide's heredoc with its shell variables filled in. */
export const SEED_YAML_SETUP_GUIDE = `runner_configuration:
  type: serverless-ecs
  auth:
    role_arn: arn:aws:iam::123456789012:role/ecs-runner-humanitec-role
  job:
    region: eu-central-1
    cluster: my-cluster
    subnets: [subnet-0abc1234]
    execution_role_arn: arn:aws:iam::123456789012:role/ecs-runner-exec-role
    task_role_arn: arn:aws:iam::123456789012:role/ecs-runner-task-role
${S3_STATE}`;

/** resource.tf's values, as the Terraform provider sends them (nested s3_configuration). */
export const SEED_TERRAFORM_EXAMPLE = {
  id: "my-ecs-runner",
  description: "This is a sample ECS runner configuration.",
  runner_configuration: {
    type: "serverless-ecs",
    auth: { role_arn: "arn:aws:iam::123456789012:role/humanitec_role" },
    job: {
      region: "eu-central-1",
      cluster: "my-ecs-cluster-name",
      execution_role_arn: "arn:aws:iam::123456789012:role/execution_role",
      subnets: ["my-subnet-1"],
      task_role_arn: "arn:aws:iam::123456789012:role/task_role",
      is_public_ip_enabled: false,
      security_groups: [],
      environment: { EXAMPLE_ENVIRONMENT_VARIABLE: "value" },
      secrets: {
        SECRET_ENVIRONMENT_VARIABLE: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:myapp/api-key-XyZ9Qw",
        PROPERTY_ENVIRONMENT_VARIABLE: "arn:aws:ssm:eu-central-1:123456789012:parameter/app/config/api-endpoint",
      },
    },
  },
  state_storage_configuration: { type: "s3", s3_configuration: { bucket: "humanitec-ecs-runner-state", path_prefix: "state-files" } },
};
