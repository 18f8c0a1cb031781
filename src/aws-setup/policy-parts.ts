import type { PolicyStatement } from "./policy-document.js";

/**
 * The statements of every IAM document porch's set-up needs, in groups ("parts") that are either in
 * a document or not. This file is the one source of truth: `porch aws iam` renders the parts with
 * real values, and the Terraform module's `policies/*.json.tftpl` templates and `policies.tf` are
 * generated from the same parts with placeholders (see module-files.ts).
 *
 * Part functions may only place a variable as a whole string value, inside a string, or (lists) as
 * a whole JSON value: that is what a Terraform template can express with `${name}` and
 * `${jsonencode(name)}`.
 */

/** Values interpolated into the documents; the Terraform module computes the same names. */
export interface PolicyVars {
  account_id: string;
  region: string;
  cluster_name: string;
  task_definition_family: string;
  oidc_provider_arn: string;
  /** The issuer URL without `https://`: the prefix of the `:aud` / `:sub` condition keys. */
  issuer_host_path: string;
  /** `<org_id>+<runner_id>`: the `sub` claim of porch's tokens for this runner. */
  subject: string;
  pass_role_arns: string[];
  secretsmanager_arns: string[];
  ssm_parameter_arns: string[];
  secrets_kms_key_arn: string;
  kms_via_services: string[];
  log_group_name: string;
  state_bucket: string;
  /** "" or the path prefix with exactly one trailing slash, e.g. `state-files/`. */
  state_key_prefix: string;
  state_kms_key_arn: string;
}

/** Which optional parts are in; the module computes them from its variables so they are known at plan time. */
export interface PolicyConditions {
  allow_stop_task: boolean;
  has_secretsmanager_secrets: boolean;
  has_ssm_parameters: boolean;
  has_secrets_kms_key: boolean;
  has_log_group: boolean;
  has_state_bucket: boolean;
  has_state_key_prefix: boolean;
  has_state_kms_key: boolean;
}

export type PolicyVarName = keyof PolicyVars;
export type PolicyConditionName = keyof PolicyConditions;
export type ConditionRef = PolicyConditionName | `!${PolicyConditionName}`;
type ListVarName = { [K in PolicyVarName]: PolicyVars[K] extends string[] ? K : never }[PolicyVarName];

export const POLICY_VAR_NAMES = [
  "account_id",
  "region",
  "cluster_name",
  "task_definition_family",
  "oidc_provider_arn",
  "issuer_host_path",
  "subject",
  "pass_role_arns",
  "secretsmanager_arns",
  "ssm_parameter_arns",
  "secrets_kms_key_arn",
  "kms_via_services",
  "log_group_name",
  "state_bucket",
  "state_key_prefix",
  "state_kms_key_arn",
] as const satisfies readonly PolicyVarName[];

export const POLICY_CONDITION_NAMES = [
  "allow_stop_task",
  "has_secretsmanager_secrets",
  "has_ssm_parameters",
  "has_secrets_kms_key",
  "has_log_group",
  "has_state_bucket",
  "has_state_key_prefix",
  "has_state_kms_key",
] as const satisfies readonly PolicyConditionName[];

// Compile-time proof that the two lists above name every field.
const _everyVarListed: Exclude<PolicyVarName, (typeof POLICY_VAR_NAMES)[number]> extends never ? true : never = true;
const _everyConditionListed: Exclude<PolicyConditionName, (typeof POLICY_CONDITION_NAMES)[number]> extends never ? true : never = true;

export const LIST_VARS: ReadonlySet<PolicyVarName> = new Set<ListVarName>([
  "pass_role_arns",
  "secretsmanager_arns",
  "ssm_parameter_arns",
  "kms_via_services",
]);

export interface PolicyPart {
  /** Template file name in the module's `policies/` folder. */
  file: string;
  statements(v: PolicyVars): PolicyStatement[];
}

export const ECS_TASKS_SERVICE = "ecs-tasks.amazonaws.com";
export const STS_AUDIENCE = "sts.amazonaws.com";
export const ECS_TASK_EXECUTION_MANAGED_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";

const ecsArn = (v: PolicyVars, resource: string) => `arn:aws:ecs:${v.region}:${v.account_id}:${resource}`;
// Every revision of this runner's family only: another runner's (or anybody's) task definitions stay out of reach.
const familyArn = (v: PolicyVars) => ecsArn(v, `task-definition/${v.task_definition_family}:*`);
const clusterArn = (v: PolicyVars) => ecsArn(v, `cluster/${v.cluster_name}`);

export const orchestratorTrust: PolicyPart = {
  file: "orchestrator-trust.json.tftpl",
  statements: (v) => [
    {
      Sid: "PorchOidcForThisRunner",
      Effect: "Allow",
      Principal: { Federated: v.oidc_provider_arn },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: {
          [`${v.issuer_host_path}:aud`]: STS_AUDIENCE,
          [`${v.issuer_host_path}:sub`]: v.subject,
        },
      },
    },
  ],
};

export const orchestratorEcs: PolicyPart = {
  file: "orchestrator-ecs.json.tftpl",
  statements: (v) => [
    {
      // Neither action supports resource-level permissions.
      Sid: "ListAndRetireTaskDefinitions",
      Effect: "Allow",
      Action: ["ecs:ListTaskDefinitions", "ecs:DeregisterTaskDefinition"],
      Resource: "*",
    },
    {
      Sid: "RegisterRunnerTaskDefinitions",
      Effect: "Allow",
      Action: ["ecs:RegisterTaskDefinition", "ecs:DeleteTaskDefinitions"],
      Resource: [familyArn(v)],
    },
    {
      Sid: "TrackRunnerTasks",
      Effect: "Allow",
      Action: ["ecs:ListTasks", "ecs:DescribeTasks", "ecs:TagResource"],
      Resource: [
        familyArn(v),
        clusterArn(v),
        ecsArn(v, `task/${v.cluster_name}/*`),
        ecsArn(v, `container-instance/${v.cluster_name}/*`),
      ],
    },
    {
      // RunTask's resource is the task definition; only the ecs:cluster condition pins the cluster.
      Sid: "RunRunnerTasksInCluster",
      Effect: "Allow",
      Action: "ecs:RunTask",
      Resource: [familyArn(v)],
      Condition: { ArnEquals: { "ecs:cluster": clusterArn(v) } },
    },
  ],
};

export const orchestratorPassRole: PolicyPart = {
  file: "orchestrator-pass-role.json.tftpl",
  statements: (v) => [
    {
      Sid: "PassRunnerRolesToEcsTasks",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: v.pass_role_arns,
      Condition: { StringEquals: { "iam:PassedToService": ECS_TASKS_SERVICE } },
    },
  ],
};

export const orchestratorStopTask: PolicyPart = {
  file: "orchestrator-stop-task.json.tftpl",
  statements: (v) => [
    {
      Sid: "StopRunnerTasks",
      Effect: "Allow",
      Action: "ecs:StopTask",
      Resource: [ecsArn(v, `task/${v.cluster_name}/*`)],
    },
  ],
};

export const executionTrust: PolicyPart = {
  file: "execution-trust.json.tftpl",
  statements: () => [{ Effect: "Allow", Principal: { Service: ECS_TASKS_SERVICE }, Action: "sts:AssumeRole" }],
};

export const taskTrust: PolicyPart = {
  file: "task-trust.json.tftpl",
  statements: (v) => [
    {
      Effect: "Allow",
      Principal: { Service: ECS_TASKS_SERVICE },
      Action: "sts:AssumeRole",
      // Only ECS acting for this account may hand the role to a task (confused-deputy guard).
      Condition: {
        ArnLike: { "aws:SourceArn": `arn:aws:ecs:${v.region}:${v.account_id}:*` },
        StringEquals: { "aws:SourceAccount": v.account_id },
      },
    },
  ],
};

export const executionSecretsManager: PolicyPart = {
  file: "execution-secretsmanager.json.tftpl",
  statements: (v) => [
    { Sid: "ReadJobSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: v.secretsmanager_arns },
  ],
};

export const executionSsm: PolicyPart = {
  file: "execution-ssm.json.tftpl",
  // The ECS agent resolves `secrets` from Parameter Store with GetParameters (plural).
  statements: (v) => [{ Sid: "ReadJobParameters", Effect: "Allow", Action: "ssm:GetParameters", Resource: v.ssm_parameter_arns }],
};

export const executionSecretsKms: PolicyPart = {
  file: "execution-secrets-kms.json.tftpl",
  statements: (v) => [
    {
      Sid: "DecryptJobSecretsThroughTheirService",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: v.secrets_kms_key_arn,
      Condition: { StringEquals: { "kms:ViaService": v.kms_via_services } },
    },
  ],
};

export const executionLogGroup: PolicyPart = {
  file: "execution-log-group.json.tftpl",
  // The managed policy grants this on "*" already; naming the group keeps the dependency visible and
  // keeps logging working if the managed policy is ever swapped for a narrower one.
  statements: (v) => [
    {
      Sid: "WriteJobLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `arn:aws:logs:${v.region}:${v.account_id}:log-group:${v.log_group_name}:*`,
    },
  ],
};

export const taskStateListPrefix: PolicyPart = {
  file: "task-state-list-prefix.json.tftpl",
  statements: (v) => [
    {
      Sid: "ListStatePrefix",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: `arn:aws:s3:::${v.state_bucket}`,
      Condition: { StringLike: { "s3:prefix": `${v.state_key_prefix}*` } },
    },
  ],
};

export const taskStateListBucket: PolicyPart = {
  file: "task-state-list-bucket.json.tftpl",
  statements: (v) => [{ Sid: "ListStateBucket", Effect: "Allow", Action: "s3:ListBucket", Resource: `arn:aws:s3:::${v.state_bucket}` }],
};

export const taskStateObjects: PolicyPart = {
  file: "task-state-objects.json.tftpl",
  statements: (v) => [
    {
      // DeleteObject: OpenTofu's S3 lock file (<key>.tflock) is removed after every run.
      Sid: "ReadWriteStateAndLockFiles",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      Resource: `arn:aws:s3:::${v.state_bucket}/${v.state_key_prefix}*`,
    },
  ],
};

export const taskStateKms: PolicyPart = {
  file: "task-state-kms.json.tftpl",
  statements: (v) => [
    {
      Sid: "UseStateBucketKeyThroughS3",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: v.state_kms_key_arn,
      Condition: { StringEquals: { "kms:ViaService": `s3.${v.region}.amazonaws.com` } },
    },
  ],
};

export interface DocumentPart {
  part: PolicyPart;
  /** All must hold for the part to be in the document (`!` negates); none means always. */
  when?: ConditionRef[];
}

export interface DocumentSpec {
  /** Name of the module's local value holding the rendered JSON. */
  local: string;
  /** The module local with the template variables: trust documents may not use role ARNs (that would be a cycle). */
  varsLocal: "trust_policy_vars" | "permission_policy_vars";
  parts: DocumentPart[];
  /** An inline policy with no statement is not created at all. */
  optional: boolean;
}

export const DOCUMENT_SPECS = {
  orchestratorTrust: { local: "orchestrator_trust_policy", varsLocal: "trust_policy_vars", optional: false, parts: [{ part: orchestratorTrust }] },
  orchestratorPolicy: {
    local: "orchestrator_policy",
    varsLocal: "permission_policy_vars",
    optional: false,
    parts: [{ part: orchestratorEcs }, { part: orchestratorPassRole }, { part: orchestratorStopTask, when: ["allow_stop_task"] }],
  },
  executionTrust: { local: "execution_trust_policy", varsLocal: "trust_policy_vars", optional: false, parts: [{ part: executionTrust }] },
  executionPolicy: {
    local: "execution_policy",
    varsLocal: "permission_policy_vars",
    optional: true,
    parts: [
      { part: executionSecretsManager, when: ["has_secretsmanager_secrets"] },
      { part: executionSsm, when: ["has_ssm_parameters"] },
      { part: executionSecretsKms, when: ["has_secrets_kms_key"] },
      { part: executionLogGroup, when: ["has_log_group"] },
    ],
  },
  taskTrust: { local: "task_trust_policy", varsLocal: "trust_policy_vars", optional: false, parts: [{ part: taskTrust }] },
  taskPolicy: {
    local: "task_policy",
    varsLocal: "permission_policy_vars",
    optional: true,
    parts: [
      { part: taskStateListPrefix, when: ["has_state_bucket", "has_state_key_prefix"] },
      { part: taskStateListBucket, when: ["has_state_bucket", "!has_state_key_prefix"] },
      { part: taskStateObjects, when: ["has_state_bucket"] },
      { part: taskStateKms, when: ["has_state_kms_key"] },
    ],
  },
} satisfies Record<string, DocumentSpec>;

export type DocumentName = keyof typeof DOCUMENT_SPECS;

export function conditionHolds(ref: ConditionRef, conditions: PolicyConditions): boolean {
  return ref.startsWith("!") ? !conditions[ref.slice(1) as PolicyConditionName] : conditions[ref as PolicyConditionName];
}

/** The statements of one document for real values; an optional document with none is `null`. */
export function renderDocumentStatements(spec: DocumentSpec, vars: PolicyVars, conditions: PolicyConditions): PolicyStatement[] {
  return spec.parts.filter((p) => (p.when ?? []).every((ref) => conditionHolds(ref, conditions))).flatMap((p) => p.part.statements(vars));
}
