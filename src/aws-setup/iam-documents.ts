import { SECRETS_MANAGER_ARN_PATTERN } from "../config/runner-configuration.js";
import { iamProviderId } from "../oidc/issuer-url.js";
import { ROLE_NAME_SUFFIXES, type IamInputs } from "./iam-inputs.js";
import { policyDocument, type PolicyDocument } from "./policy-document.js";
import { taskDefinitionFamily as driverFamily } from "../drivers/serverless-ecs/naming.js";
import {
  DOCUMENT_SPECS,
  ECS_TASK_EXECUTION_MANAGED_POLICY_ARN,
  STS_AUDIENCE,
  renderDocumentStatements,
  type DocumentSpec,
  type PolicyConditions,
  type PolicyVars,
} from "./policy-parts.js";

export interface RoleDocuments {
  name: string;
  arn: string;
  path: string;
  description: string;
  trustPolicy: PolicyDocument;
  inlinePolicyName: string;
  /** `null` when the role needs no inline policy. */
  inlinePolicy: PolicyDocument | null;
  managedPolicyArns: string[];
  permissionsBoundaryArn?: string;
}

export interface IamDocuments {
  oidcProvider: { url: string; arn: string; clientIds: string[] };
  orchestratorRole: RoleDocuments;
  executionRole: RoleDocuments;
  taskRole: RoleDocuments;
  tags: Record<string, string>;
}

export const INLINE_POLICY_NAMES = { orchestrator: "porch-orchestrator", execution: "porch-execution", task: "porch-task" } as const;

/** The family the serverless-ecs driver registers: one naming rule for the driver and its policies. */
export function taskDefinitionFamily(prefix: string, orgId: string, runnerId: string): string {
  return driverFamily(orgId, runnerId, prefix);
}

export function roleArn(accountId: string, path: string, name: string): string {
  return `arn:aws:iam::${accountId}:role${path}${name}`;
}

export function oidcProviderArn(accountId: string, issuerUrl: string): string {
  return `arn:aws:iam::${accountId}:oidc-provider/${iamProviderId(issuerUrl)}`;
}

/** `state-files` / `state-files/` -> `state-files/`; none -> "". */
export function stateKeyPrefix(pathPrefix: string | undefined): string {
  const trimmed = (pathPrefix ?? "").replace(/\/+$/, "");
  return trimmed ? `${trimmed}/` : "";
}

function regionOfArn(arn: string): string {
  return arn.split(":")[3] ?? "";
}

export function policyVars(inputs: IamInputs): PolicyVars {
  const roleNames = roleNamesFor(inputs);
  const secretsManager = inputs.secretArns.filter((a) => SECRETS_MANAGER_ARN_PATTERN.test(a));
  const parameters = inputs.secretArns.filter((a) => !SECRETS_MANAGER_ARN_PATTERN.test(a));
  // A key decrypts only when the call comes through the service (and region) that holds the secret.
  const viaServices = [
    ...secretsManager.map((a) => `secretsmanager.${regionOfArn(a)}.amazonaws.com`),
    ...parameters.map((a) => `ssm.${regionOfArn(a)}.amazonaws.com`),
  ];
  return {
    account_id: inputs.accountId,
    region: inputs.region,
    cluster_name: inputs.cluster,
    task_definition_family: taskDefinitionFamily(inputs.taskDefinitionPrefix, inputs.orgId, inputs.runnerId),
    oidc_provider_arn: oidcProviderArn(inputs.accountId, inputs.issuerUrl),
    issuer_host_path: iamProviderId(inputs.issuerUrl),
    subject: `${inputs.orgId}+${inputs.runnerId}`,
    pass_role_arns: [roleArn(inputs.accountId, inputs.rolePath, roleNames.execution), roleArn(inputs.accountId, inputs.rolePath, roleNames.task)],
    secretsmanager_arns: sortedUnique(secretsManager),
    ssm_parameter_arns: sortedUnique(parameters),
    secrets_kms_key_arn: inputs.kmsKeyArn ?? "",
    kms_via_services: sortedUnique(viaServices),
    log_group_name: inputs.logGroup ?? "",
    state_bucket: inputs.bucket ?? "",
    state_key_prefix: stateKeyPrefix(inputs.pathPrefix),
    state_kms_key_arn: inputs.stateKmsKeyArn ?? "",
  };
}

export function policyConditions(inputs: IamInputs): PolicyConditions {
  const vars = policyVars(inputs);
  return {
    allow_stop_task: inputs.allowStop,
    has_secretsmanager_secrets: vars.secretsmanager_arns.length > 0,
    has_ssm_parameters: vars.ssm_parameter_arns.length > 0,
    has_secrets_kms_key: vars.secrets_kms_key_arn !== "",
    has_log_group: vars.log_group_name !== "",
    has_state_bucket: vars.state_bucket !== "",
    has_state_key_prefix: vars.state_key_prefix !== "",
    has_state_kms_key: vars.state_kms_key_arn !== "",
  };
}

function sortedUnique(values: string[]): string[] {
  return [...new Set(values)].sort();
}

function roleNamesFor(inputs: IamInputs): Record<keyof typeof ROLE_NAME_SUFFIXES, string> {
  return {
    orchestrator: `${inputs.roleNamePrefix}${ROLE_NAME_SUFFIXES.orchestrator}`,
    execution: `${inputs.roleNamePrefix}${ROLE_NAME_SUFFIXES.execution}`,
    task: `${inputs.roleNamePrefix}${ROLE_NAME_SUFFIXES.task}`,
  };
}

/** Every document the set-up needs, for real values. */
export function renderIamDocuments(inputs: IamInputs): IamDocuments {
  const vars = policyVars(inputs);
  const conditions = policyConditions(inputs);
  const names = roleNamesFor(inputs);
  const document = (spec: DocumentSpec): PolicyDocument | null => {
    const statements = renderDocumentStatements(spec, vars, conditions);
    return statements.length === 0 && spec.optional ? null : policyDocument(statements);
  };
  const role = (
    key: keyof typeof ROLE_NAME_SUFFIXES,
    description: string,
    trust: DocumentSpec,
    inline: DocumentSpec,
    managedPolicyArns: string[],
  ): RoleDocuments => ({
    name: names[key],
    arn: roleArn(inputs.accountId, inputs.rolePath, names[key]),
    path: inputs.rolePath,
    description,
    trustPolicy: document(trust)!,
    inlinePolicyName: INLINE_POLICY_NAMES[key],
    inlinePolicy: document(inline),
    managedPolicyArns,
    ...(inputs.permissionsBoundaryArn ? { permissionsBoundaryArn: inputs.permissionsBoundaryArn } : {}),
  });
  const runner = `${inputs.orgId}/${inputs.runnerId}`;
  return {
    oidcProvider: { url: `https://${vars.issuer_host_path}`, arn: vars.oidc_provider_arn, clientIds: [STS_AUDIENCE] },
    orchestratorRole: role(
      "orchestrator",
      `porch assumes this role through OIDC to run runner ${runner}'s ECS tasks`,
      DOCUMENT_SPECS.orchestratorTrust,
      DOCUMENT_SPECS.orchestratorPolicy,
      [],
    ),
    executionRole: role(
      "execution",
      `ECS starts runner ${runner}'s tasks with this role (image pull, logs, secrets)`,
      DOCUMENT_SPECS.executionTrust,
      DOCUMENT_SPECS.executionPolicy,
      [ECS_TASK_EXECUTION_MANAGED_POLICY_ARN],
    ),
    taskRole: role(
      "task",
      `runner ${runner}'s OpenTofu runs with this role (state bucket)`,
      DOCUMENT_SPECS.taskTrust,
      DOCUMENT_SPECS.taskPolicy,
      [],
    ),
    tags: { "porch:org": inputs.orgId, "porch:runner": inputs.runnerId, "porch:managed-by": "porch" },
  };
}

export const ROLE_KEYS = ["orchestratorRole", "executionRole", "taskRole"] as const;
export type RoleKey = (typeof ROLE_KEYS)[number];
