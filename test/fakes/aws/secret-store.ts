/**
 * The fake account's Secrets Manager secrets and SSM parameters, and how the ECS agent resolves a
 * container's `secrets` with the task's execution role before the container starts.
 */
import { randomUUID } from "node:crypto";
import { denialMessage } from "./authorize.js";
import { roleName } from "./credential-store.js";
import type { IamPolicyDocument } from "./types.js";

export interface StoredValue {
  arn: string;
  name: string;
  value: string;
}

export type SecretResolution = { env: Record<string, string> } | { failure: string };

const SECRETS_PULL_FAILURE = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed";

export class SecretStore {
  private readonly secrets: StoredValue[];
  private readonly parameters: StoredValue[];

  constructor(
    private readonly region: string,
    private readonly accountId: string,
    secrets: Record<string, string>,
    parameters: Record<string, string>,
  ) {
    this.secrets = Object.entries(secrets).map(([arn, value]) => ({ arn, name: secretName(arn), value }));
    this.parameters = Object.entries(parameters).map(([ref, value]) => ({ arn: this.parameterArn(ref), name: parameterName(ref), value }));
  }

  /** A secret by full ARN, ARN without the random 6-character suffix, or name. */
  secret(id: string): StoredValue | undefined {
    return this.secrets.find((secret) => secret.arn === id) ?? this.secrets.find((secret) => secretArnWithoutSuffix(secret.arn) === id || secret.name === id);
  }

  /** The ARN a request for an unknown secret is authorized against. */
  secretArnFor(id: string): string {
    return id.startsWith("arn:") ? id : `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:${id}`;
  }

  parameter(ref: string): StoredValue | undefined {
    const arn = this.parameterArn(ref);
    return this.parameters.find((parameter) => parameter.arn === arn);
  }

  parameterArn(ref: string): string {
    if (ref.startsWith("arn:")) return ref;
    return `arn:aws:ssm:${this.region}:${this.accountId}:parameter${ref.startsWith("/") ? "" : "/"}${ref}`;
  }

  /**
   * What the ECS agent does before starting a container: read each `valueFrom` as the execution role
   * (secretsmanager:GetSecretValue, ssm:GetParameters). The first failure fails the task start.
   */
  resolveForTask(
    secrets: Array<{ name?: string; valueFrom?: string }>,
    execution: { roleArn: string | undefined; policy: IamPolicyDocument | undefined; taskId: string },
  ): SecretResolution {
    const env: Record<string, string> = {};
    const principal = `arn:aws:sts::${this.accountId}:assumed-role/${roleName(execution.roleArn ?? "none")}/${execution.taskId}`;
    for (const { name = "", valueFrom = "" } of secrets) {
      const resolved = valueFrom.startsWith("arn:aws:secretsmanager:")
        ? this.resolveSecretsManager(valueFrom, principal, execution.policy)
        : this.resolveParameter(valueFrom, principal, execution.policy);
      if ("failure" in resolved) return resolved;
      env[name] = resolved.value;
    }
    return { env };
  }

  private resolveSecretsManager(valueFrom: string, principal: string, policy: IamPolicyDocument | undefined): { value: string } | { failure: string } {
    // valueFrom: arn:aws:secretsmanager:<region>:<account>:secret:<name>[:json-key[:version-stage[:version-id]]]
    const parts = valueFrom.split(":");
    const secretArn = parts.slice(0, 7).join(":");
    const jsonKey = parts[7];
    const denied = denialMessage(principal, policy, "secretsmanager:GetSecretValue", secretArn);
    const asmFailure = (detail: string) => ({
      failure: `${SECRETS_PULL_FAILURE}: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret ${secretArn} from secrets manager: ${detail}`,
    });
    if (denied) return asmFailure(`AccessDeniedException: ${denied} status code: 400, request id: ${randomUUID()}`);
    const secret = this.secret(secretArn);
    if (!secret) return asmFailure(`ResourceNotFoundException: Secrets Manager can't find the specified secret. status code: 400, request id: ${randomUUID()}`);
    if (!jsonKey) return { value: secret.value };
    let document: unknown;
    try {
      document = JSON.parse(secret.value);
    } catch {
      document = undefined;
    }
    const value = document && typeof document === "object" ? (document as Record<string, unknown>)[jsonKey] : undefined;
    if (value === undefined) return { failure: `${SECRETS_PULL_FAILURE}: retrieved secret from Secrets Manager did not contain json key ${jsonKey}` };
    return { value: typeof value === "string" ? value : JSON.stringify(value) };
  }

  private resolveParameter(valueFrom: string, principal: string, policy: IamPolicyDocument | undefined): { value: string } | { failure: string } {
    const arn = this.parameterArn(valueFrom);
    const denied = denialMessage(principal, policy, "ssm:GetParameters", arn);
    const ssmFailure = (detail: string) => ({ failure: `${SECRETS_PULL_FAILURE}: unable to retrieve secrets from ssm: ${detail}` });
    if (denied) return ssmFailure(`service call has been retried 1 time(s): AccessDeniedException: ${denied} status code: 400, request id: ${randomUUID()}`);
    const parameter = this.parameter(valueFrom);
    if (!parameter) return ssmFailure(`invalid parameters: ${parameterName(valueFrom)}`);
    return { value: parameter.value };
  }
}

/** `arn:...:secret:myapp/api-key-XyZ9Qw` -> `myapp/api-key` (Secrets Manager appends 6 random characters). */
function secretName(arn: string): string {
  const name = arn.split(":").slice(6).join(":");
  return /-[A-Za-z0-9]{6}$/.test(name) ? name.slice(0, -7) : name;
}

function secretArnWithoutSuffix(arn: string): string {
  return /-[A-Za-z0-9]{6}$/.test(arn) ? arn.slice(0, -7) : arn;
}

/** `arn:...:parameter/app/config/x` -> `/app/config/x`; `arn:...:parameter/flat` -> `flat`; names stay as they are. */
export function parameterName(ref: string): string {
  if (!ref.startsWith("arn:")) return ref;
  const path = ref.slice(ref.indexOf(":parameter/") + ":parameter".length);
  return path.indexOf("/", 1) > 0 ? path : path.slice(1);
}
