# ---------------------------------------------------------------------------------------------------
# Required
# ---------------------------------------------------------------------------------------------------

variable "region" {
  description = "The AWS region where resources will be created (and where the runner's tasks run)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region like eu-central-1."
  }
}

variable "subnet_ids" {
  description = "Subnet IDs the runner's ECS tasks are launched in (1 to 16). Use private subnets with a NAT gateway or VPC endpoints for production."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 1 && length(var.subnet_ids) <= 16
    error_message = "subnet_ids needs 1 to 16 subnet IDs."
  }
  validation {
    condition     = alltrue([for id in var.subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", id))])
    error_message = "Each of subnet_ids must be a subnet ID like subnet-0123456789abcdef0."
  }
}

variable "humanitec_org_id" {
  description = "The organization ID in porch (the Platform Orchestrator) that owns the runner; part of the OIDC subject <org>+<runner>."
  type        = string

  validation {
    condition     = can(regex("^[a-z](-?[a-z0-9]+)+$", var.humanitec_org_id)) && length(var.humanitec_org_id) <= 100
    error_message = "humanitec_org_id must start with a lowercase letter and contain only a-z, 0-9 and single '-' (at most 100 characters)."
  }
}

variable "oidc_issuer_url" {
  description = "porch's OIDC issuer URL (PORCH_OIDC_ISSUER_URL), exactly as porch puts it in the tokens' iss claim: https://, no port, no query, no trailing slash."
  type        = string

  validation {
    condition     = can(regex("^https://[a-z0-9.-]+(/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*[A-Za-z0-9._~!$&'()*+,;=:@%-])?$", var.oidc_issuer_url))
    error_message = "oidc_issuer_url must be https://<host>[/<path>] with no port, query, fragment or trailing slash (AWS compares it with the token's iss character by character)."
  }
}

# ---------------------------------------------------------------------------------------------------
# Runner identity
# ---------------------------------------------------------------------------------------------------

variable "runner_id" {
  description = "The ID of the runner. If null, one is generated as <runner_id_prefix>-<8 hex characters>. At most 45 characters so the role names porch-<runner_id>-orchestrator fit IAM's 64-character limit."
  type        = string
  default     = null

  validation {
    condition     = var.runner_id == null || (can(regex("^[a-z](-?[a-z0-9]+)+$", var.runner_id)) && length(coalesce(var.runner_id, "x")) <= 45)
    error_message = "runner_id must match ^[a-z](-?[a-z0-9]+)+$ (the provider's id pattern) and be at most 45 characters (IAM role names porch-<runner_id>-orchestrator are limited to 64)."
  }
}

variable "runner_id_prefix" {
  description = "The prefix of a generated runner ID (used when runner_id is null). At most 36 characters: the generated ID adds '-' and 8 hex characters."
  type        = string
  default     = "runner"

  validation {
    condition     = can(regex("^[a-z](-?[a-z0-9]+)+$", var.runner_id_prefix)) && length(var.runner_id_prefix) <= 36
    error_message = "runner_id_prefix must match ^[a-z](-?[a-z0-9]+)+$ and be at most 36 characters (the generated runner ID must stay within 45)."
  }
}

variable "runner_description" {
  description = "Description of the runner in porch (at most 200 characters). Defaults to one naming the cluster and region."
  type        = string
  default     = null

  validation {
    condition     = var.runner_description == null || length(coalesce(var.runner_description, "x")) <= 200
    error_message = "runner_description must be at most 200 characters."
  }
}

variable "runner_rules" {
  description = "Runner rules to create for this runner: each matches environments by optional project_id and env_type_id (neither: every environment)."
  type = list(object({
    project_id  = optional(string)
    env_type_id = optional(string)
  }))
  default = []
}

# ---------------------------------------------------------------------------------------------------
# ECS cluster and network
# ---------------------------------------------------------------------------------------------------

variable "existing_ecs_cluster_name" {
  description = "The name of an existing ECS cluster to use (it needs the FARGATE capacity provider). If null, the module creates a cluster with Container Insights and the FARGATE and FARGATE_SPOT capacity providers."
  type        = string
  default     = null

  validation {
    condition     = var.existing_ecs_cluster_name == null || can(regex("^[A-Za-z0-9_-]{1,255}$", coalesce(var.existing_ecs_cluster_name, "x")))
    error_message = "existing_ecs_cluster_name must be an ECS cluster name (letters, digits, '-' and '_', at most 255)."
  }
}

variable "container_insights" {
  description = "Container Insights on the cluster the module creates: enabled, enhanced or disabled."
  type        = string
  default     = "enabled"

  validation {
    condition     = contains(["enabled", "enhanced", "disabled"], var.container_insights)
    error_message = "container_insights must be enabled, enhanced or disabled."
  }
}

variable "enable_fargate_spot" {
  description = "Add the FARGATE_SPOT capacity provider to the cluster the module creates."
  type        = bool
  default     = true
}

variable "security_group_ids" {
  description = "Security group IDs to attach to the runner's ECS tasks (at most 5; they need egress on 443). Empty: the VPC's default security group."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.security_group_ids) <= 5 && alltrue([for id in var.security_group_ids : can(regex("^sg-[0-9a-f]{8,17}$", id))])
    error_message = "security_group_ids takes at most 5 security group IDs like sg-0123456789abcdef0."
  }
}

variable "is_public_ip_enabled" {
  description = "Give each task a public IP. Needed when the subnets reach the internet through an internet gateway rather than a NAT gateway or VPC endpoints."
  type        = bool
  default     = false
}

# ---------------------------------------------------------------------------------------------------
# What the runner's tasks get
# ---------------------------------------------------------------------------------------------------

variable "image" {
  description = "Container image of the runner program. If null, porch's default runner image is used."
  type        = string
  default     = null

  validation {
    condition     = var.image == null || (length(coalesce(var.image, "x")) <= 255 && can(regex("^[a-zA-Z0-9._:/-]+(@[a-z0-9]+:[a-fA-F0-9]+)?$", coalesce(var.image, "x"))))
    error_message = "image must be a container image reference like registry/repo:tag or repo@sha256:<digest> (at most 255 characters)."
  }
}

variable "environment" {
  description = "Plain-text environment variables for the runner's tasks. Names starting with PORCH_ are reserved."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for name in keys(var.environment) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", name)) && !startswith(name, "PORCH_")])
    error_message = "environment names must match [A-Za-z_][A-Za-z0-9_]* and must not start with PORCH_."
  }
}

variable "secrets" {
  description = "Environment variables filled from Secrets Manager secret ARNs or SSM parameter ARNs. The execution role may read exactly these."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([for arn in values(var.secrets) :
      can(regex("^arn:aws:secretsmanager:[a-z]{2}-[a-z]+-[0-9]:[0-9]{12}:secret:.+-[A-Za-z0-9]{6}$", arn)) ||
      can(regex("^arn:aws:ssm:[a-z]{2}-[a-z]+-[0-9]:[0-9]{12}:parameter/.+$", arn))
    ])
    error_message = "Each value of secrets must be a Secrets Manager secret ARN (…:secret:<name>-<6 chars>) or an SSM parameter ARN (…:parameter/<path>)."
  }
  validation {
    condition     = alltrue([for name in keys(var.secrets) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", name)) && !startswith(name, "PORCH_")])
    error_message = "secrets names must match [A-Za-z_][A-Za-z0-9_]* and must not start with PORCH_."
  }
}

variable "secrets_kms_key_arn" {
  description = "Customer-managed KMS key the secrets are encrypted with. The execution role may decrypt with it only through Secrets Manager / SSM (kms:ViaService)."
  type        = string
  default     = null

  validation {
    condition     = var.secrets_kms_key_arn == null || can(regex("^arn:aws:kms:[a-z]{2}-[a-z]+-[0-9]:[0-9]{12}:key/[A-Za-z0-9-]+$", coalesce(var.secrets_kms_key_arn, "x")))
    error_message = "secrets_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); IAM policies cannot name a key by alias."
  }
}

variable "allow_stop_task" {
  description = "Grant the orchestrator role ecs:StopTask on the cluster's tasks so cancelling a deployment stops its task at once (without it, cancel reaches the runner at its next check-in)."
  type        = bool
  default     = false
}

variable "task_definition_prefix" {
  description = "Prefix of the runner's task-definition family <prefix>_<org>_<runner>; must match porch's setting (default humanitec)."
  type        = string
  default     = "humanitec"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,100}$", var.task_definition_prefix))
    error_message = "task_definition_prefix must be 1 to 100 letters, digits, '_' or '-'."
  }
}

# ---------------------------------------------------------------------------------------------------
# OIDC provider
# ---------------------------------------------------------------------------------------------------

variable "existing_oidc_provider_arn" {
  description = "ARN of an IAM OIDC provider for oidc_issuer_url that already exists in the account (IAM allows one per issuer). If null, the module creates it."
  type        = string
  default     = null

  validation {
    condition     = var.existing_oidc_provider_arn == null || can(regex("^arn:aws:iam::[0-9]{12}:oidc-provider/.+$", coalesce(var.existing_oidc_provider_arn, "x")))
    error_message = "existing_oidc_provider_arn must be an IAM OIDC provider ARN (arn:aws:iam::<account>:oidc-provider/<host>[/<path>])."
  }
}

# ---------------------------------------------------------------------------------------------------
# State bucket
# ---------------------------------------------------------------------------------------------------

variable "s3_bucket_name" {
  description = "Name of the state bucket the module creates. If null, a unique name starting with porch-state- is generated."
  type        = string
  default     = null

  validation {
    condition     = var.s3_bucket_name == null || can(regex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", coalesce(var.s3_bucket_name, "x")))
    error_message = "s3_bucket_name must be 3 to 63 lowercase letters, digits and '-'."
  }
}

variable "s3_state_path_prefix" {
  description = "Key prefix of the state files in the bucket; the task role may list, read, write and delete only under it."
  type        = string
  default     = "state"

  validation {
    condition     = can(regex("^[a-zA-Z0-9._-]+(/[a-zA-Z0-9._-]+)*/?$", var.s3_state_path_prefix))
    error_message = "s3_state_path_prefix must be a path like 'state' or 'a/b' (letters, digits, '.', '_', '-')."
  }
}

variable "enable_s3_encryption" {
  description = "Configure default encryption of the state bucket: SSE-KMS with kms_key_arn when given, else SSE-S3."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "KMS key ARN for encrypting the state bucket and the CloudWatch log groups. Its key policy must allow CloudWatch Logs for the log groups."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws:kms:[a-z]{2}-[a-z]+-[0-9]:[0-9]{12}:key/[A-Za-z0-9-]+$", coalesce(var.kms_key_arn, "x")))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "s3_bucket_versioning_enabled" {
  description = "Enable versioning of the state bucket (recommended: a bad apply can be rolled back to an earlier state)."
  type        = bool
  default     = true
}

variable "s3_noncurrent_version_expiration_days" {
  description = "Days after which noncurrent state versions are deleted (when versioning is enabled)."
  type        = number
  default     = 90

  validation {
    condition     = var.s3_noncurrent_version_expiration_days >= 1
    error_message = "s3_noncurrent_version_expiration_days must be at least 1."
  }
}

variable "s3_bucket_force_destroy" {
  description = "Allow destroying the state bucket while it still holds objects (state files are lost)."
  type        = bool
  default     = false
}

# ---------------------------------------------------------------------------------------------------
# Logs
# ---------------------------------------------------------------------------------------------------

variable "cloudwatch_log_retention_days" {
  description = "Number of days to retain the CloudWatch logs (one of the values CloudWatch Logs accepts)."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.cloudwatch_log_retention_days)
    error_message = "cloudwatch_log_retention_days must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

# ---------------------------------------------------------------------------------------------------
# IAM and tags
# ---------------------------------------------------------------------------------------------------

variable "iam_role_path" {
  description = "Path for the IAM roles."
  type        = string
  default     = "/"

  validation {
    condition     = can(regex("^/([!-~]+/)?$", var.iam_role_path)) && length(var.iam_role_path) <= 512
    error_message = "iam_role_path must start and end with '/', e.g. / or /platform/runners/."
  }
}

variable "iam_role_permissions_boundary" {
  description = "ARN of a permissions boundary policy for the IAM roles."
  type        = string
  default     = null

  validation {
    condition     = var.iam_role_permissions_boundary == null || can(regex("^arn:aws:iam::([0-9]{12}|aws):policy/.+$", coalesce(var.iam_role_permissions_boundary, "x")))
    error_message = "iam_role_permissions_boundary must be an IAM policy ARN."
  }
}

variable "additional_tags" {
  description = "Additional tags to apply to all resources."
  type        = map(string)
  default     = {}
}
