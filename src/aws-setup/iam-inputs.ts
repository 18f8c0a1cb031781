import { resourceIdSchema, runnerIdSchema } from "../config/ids.js";
import { REGION_PATTERN, SECRETS_MANAGER_ARN_PATTERN, SSM_PARAMETER_ARN_PATTERN } from "../config/runner-configuration.js";
import { PATH_PREFIX_PATTERN, S3_BUCKET_PATTERN } from "../config/state-storage.js";
import { DEFAULT_TASK_DEFINITION_PREFIX } from "../drivers/serverless-ecs/aws-actions.js";
import { ValidationError, isPorchError, type FieldProblem } from "../errors/porch-error.js";
import { validateIssuerUrl } from "../oidc/issuer-url.js";

/** What `porch aws iam` / `setup` need to know to write every document; flags in brackets. */
export interface IamInputs {
  /** [--org] */
  orgId: string;
  /** [--runner] */
  runnerId: string;
  /** [--account] 12 digits */
  accountId: string;
  /** [--region] */
  region: string;
  /** [--cluster] */
  cluster: string;
  /** [--issuer-url] porch's OIDC issuer; @default PORCH_OIDC_ISSUER_URL or the server's */
  issuerUrl: string;
  /** [--bucket] the S3 state bucket; without it the task role gets no state permissions. */
  bucket?: string;
  /** [--path-prefix] */
  pathPrefix?: string;
  /** [--secret] Secrets Manager / SSM parameter ARNs the execution role may read. */
  secretArns: string[];
  /** [--kms-key] customer-managed key the secrets are encrypted with. */
  kmsKeyArn?: string;
  /** [--state-kms-key] customer-managed key of the state bucket (SSE-KMS). */
  stateKmsKeyArn?: string;
  /** [--allow-stop] grant ecs:StopTask so cancel is immediate. @default false */
  allowStop: boolean;
  /** [--log-group] CloudWatch Logs group for the awslogs driver. */
  logGroup?: string;
  /** [--task-definition-prefix] @default "humanitec" (family `<prefix>_<org>_<runner>`) */
  taskDefinitionPrefix: string;
  /** [--role-name-prefix] @default `porch-<runner>` */
  roleNamePrefix: string;
  /** [--role-path] @default "/" */
  rolePath: string;
  /** [--permissions-boundary] */
  permissionsBoundaryArn?: string;
}

export type IamInputsDraft = Partial<Omit<IamInputs, "secretArns" | "allowStop">> & { secretArns?: string[]; allowStop?: boolean };

export const ROLE_NAME_SUFFIXES = { orchestrator: "-orchestrator", execution: "-execution", task: "-task" } as const;
export const IAM_ROLE_NAME_MAX = 64;
export const ROLE_NAME_PREFIX_MAX = IAM_ROLE_NAME_MAX - Math.max(...Object.values(ROLE_NAME_SUFFIXES).map((s) => s.length));
export const defaultRoleNamePrefix = (runnerId: string): string => `porch-${runnerId}`;

export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
export const CLUSTER_NAME_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;
export const KMS_KEY_ARN_PATTERN = /^arn:aws:kms:[a-z]{2}-[a-z]+-\d:\d{12}:key\/[A-Za-z0-9-]+$/;
export const LOG_GROUP_PATTERN = /^[.\-_/#A-Za-z0-9]{1,512}$/;
export const TASK_DEFINITION_PREFIX_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;
export const ROLE_NAME_PREFIX_PATTERN = /^[\w+=,.@-]+$/;
export const ROLE_PATH_PATTERN = /^\/(?:[\x21-\x7E]+\/)?$/;
export const POLICY_ARN_PATTERN = /^arn:aws:iam::(?:\d{12}|aws):policy\/[\w+=,.@/-]+$/;

/** Fills defaults and checks every value, naming the flag to change. */
export function resolveIamInputs(draft: IamInputsDraft): IamInputs {
  const problems: FieldProblem[] = [];
  const need = (flag: string, value: string | undefined, check: (v: string) => string | undefined): void => {
    if (value === undefined || value === "") {
      problems.push({ path: flag, message: "is required" });
      return;
    }
    const problem = check(value);
    if (problem) problems.push({ path: flag, message: problem });
  };
  const optional = (flag: string, value: string | undefined, check: (v: string) => string | undefined): void => {
    if (value === undefined) return;
    const problem = check(value);
    if (problem) problems.push({ path: flag, message: problem });
  };
  const zodCheck = (schema: typeof runnerIdSchema) => (v: string) => schema.safeParse(v).error?.issues[0]?.message;
  const pattern = (re: RegExp, message: string) => (v: string) => (re.test(v) ? undefined : message);

  need("--org", draft.orgId, zodCheck(resourceIdSchema));
  need("--runner", draft.runnerId, zodCheck(runnerIdSchema));
  need("--account", draft.accountId, pattern(ACCOUNT_ID_PATTERN, "must be a 12-digit AWS account id"));
  need("--region", draft.region, pattern(REGION_PATTERN, "must be an AWS region like eu-central-1"));
  need("--cluster", draft.cluster, pattern(CLUSTER_NAME_PATTERN, "must be an ECS cluster name (letters, digits, '-' and '_', at most 255)"));
  need("--issuer-url", draft.issuerUrl, (v) => {
    try {
      validateIssuerUrl(v);
      return undefined;
    } catch (err) {
      if (isPorchError(err)) return err.message;
      throw err;
    }
  });
  optional("--bucket", draft.bucket, pattern(S3_BUCKET_PATTERN, "must be an S3 bucket name (3..63 lowercase letters, digits and '-')"));
  if (draft.bucket !== undefined && (draft.bucket.length < 3 || draft.bucket.length > 63)) {
    problems.push({ path: "--bucket", message: "must be 3..63 characters long" });
  }
  optional("--path-prefix", draft.pathPrefix, pattern(PATH_PREFIX_PATTERN, "must be a path like 'state-files' or 'a/b/' (letters, digits, '.', '_', '-')"));
  if (draft.pathPrefix !== undefined && draft.bucket === undefined) {
    problems.push({ path: "--path-prefix", message: "only applies to a state bucket; add --bucket" });
  }
  for (const arn of draft.secretArns ?? []) {
    if (!SECRETS_MANAGER_ARN_PATTERN.test(arn) && !SSM_PARAMETER_ARN_PATTERN.test(arn)) {
      problems.push({
        path: "--secret",
        message: `'${arn}' must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 chars>) or an SSM parameter ARN (arn:aws:ssm:<region>:<account>:parameter/<path>)`,
      });
    }
  }
  const keyArn = pattern(KMS_KEY_ARN_PATTERN, "must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key-id>); IAM policies cannot name a key by alias");
  optional("--kms-key", draft.kmsKeyArn, keyArn);
  if (draft.kmsKeyArn !== undefined && (draft.secretArns ?? []).length === 0) {
    problems.push({ path: "--kms-key", message: "only decrypts --secret values; add at least one --secret or drop --kms-key" });
  }
  optional("--state-kms-key", draft.stateKmsKeyArn, keyArn);
  if (draft.stateKmsKeyArn !== undefined && draft.bucket === undefined) {
    problems.push({ path: "--state-kms-key", message: "only applies to a state bucket; add --bucket" });
  }
  optional("--log-group", draft.logGroup, pattern(LOG_GROUP_PATTERN, "must be a CloudWatch Logs group name"));
  optional("--task-definition-prefix", draft.taskDefinitionPrefix, pattern(TASK_DEFINITION_PREFIX_PATTERN, "must be 1..100 letters, digits, '_' or '-'"));
  optional("--role-path", draft.rolePath, pattern(ROLE_PATH_PATTERN, "must start and end with '/', e.g. / or /porch/"));
  optional("--permissions-boundary", draft.permissionsBoundaryArn, pattern(POLICY_ARN_PATTERN, "must be an IAM policy ARN (arn:aws:iam::<account>:policy/<name>)"));

  const roleNamePrefix = draft.roleNamePrefix ?? (draft.runnerId ? defaultRoleNamePrefix(draft.runnerId) : "");
  if (draft.roleNamePrefix !== undefined || draft.runnerId) {
    const flag = draft.roleNamePrefix !== undefined ? "--role-name-prefix" : "--runner";
    if (!ROLE_NAME_PREFIX_PATTERN.test(roleNamePrefix)) {
      problems.push({ path: flag, message: "role names may only contain letters, digits and +=,.@_-" });
    } else if (roleNamePrefix.length > ROLE_NAME_PREFIX_MAX) {
      problems.push({
        path: flag,
        message: `role name '${roleNamePrefix}${ROLE_NAME_SUFFIXES.orchestrator}' would exceed IAM's ${IAM_ROLE_NAME_MAX}-character limit; pass --role-name-prefix with at most ${ROLE_NAME_PREFIX_MAX} characters`,
      });
    }
  }

  if (problems.length > 0) {
    const first = problems[0]!;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
    throw new ValidationError(`invalid AWS set-up options: ${first.path} ${first.message}${more}`, problems, "aws_setup_invalid_options");
  }
  return {
    orgId: draft.orgId!,
    runnerId: draft.runnerId!,
    accountId: draft.accountId!,
    region: draft.region!,
    cluster: draft.cluster!,
    issuerUrl: draft.issuerUrl!,
    bucket: draft.bucket,
    pathPrefix: draft.pathPrefix,
    secretArns: [...new Set(draft.secretArns ?? [])].sort(),
    kmsKeyArn: draft.kmsKeyArn,
    stateKmsKeyArn: draft.stateKmsKeyArn,
    allowStop: draft.allowStop ?? false,
    logGroup: draft.logGroup,
    taskDefinitionPrefix: draft.taskDefinitionPrefix ?? DEFAULT_TASK_DEFINITION_PREFIX,
    roleNamePrefix,
    rolePath: draft.rolePath ?? "/",
    permissionsBoundaryArn: draft.permissionsBoundaryArn,
  };
}
