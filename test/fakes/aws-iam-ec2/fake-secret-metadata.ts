/**
 * Fake metadata reads of Secrets Manager (DescribeSecret) and SSM Parameter Store (DescribeParameters),
 * AWS JSON 1.1: what porch's doctor uses to learn whether a secret exists without reading its value.
 * A test double, not AWS.
 */
import { QueryWireError } from "./query-wire.js";

export interface FakeSecretMetadataOptions {
  /** Secrets Manager secret ARNs that exist. */
  secrets?: string[];
  /** SSM parameter ARNs that exist. */
  parameters?: string[];
}

export function handleSecretMetadata(target: string, input: Record<string, unknown>, opts: FakeSecretMetadataOptions): unknown {
  switch (target) {
    case "secretsmanager.DescribeSecret": {
      const id = String(input.SecretId ?? "");
      const arn = (opts.secrets ?? []).find((a) => a === id || secretName(a) === id);
      if (!arn) throw new QueryWireError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.", 400);
      return { ARN: arn, Name: secretName(arn) };
    }
    case "AmazonSSM.DescribeParameters": {
      const filters = Array.isArray(input.ParameterFilters) ? (input.ParameterFilters as Array<{ Key?: string; Values?: string[] }>) : [];
      const names = filters.find((f) => f.Key === "Name")?.Values ?? [];
      const found = (opts.parameters ?? []).filter((a) => names.length === 0 || names.includes(parameterName(a)));
      return { Parameters: found.map((arn) => ({ Name: parameterName(arn), ARN: arn, Type: "SecureString" })) };
    }
    default:
      throw new QueryWireError("UnknownOperationException", `The fake secret metadata service does not implement ${target}`, 400);
  }
}

/** `arn:...:secret:myapp/api-key-XyZ9Qw` -> `myapp/api-key` (AWS appends 6 random characters). */
function secretName(arn: string): string {
  return arn.slice(arn.indexOf(":secret:") + ":secret:".length).replace(/-[A-Za-z0-9]{6}$/, "");
}

/** `arn:...:parameter/app/x` -> `/app/x` */
function parameterName(arn: string): string {
  return `/${arn.slice(arn.indexOf(":parameter/") + ":parameter/".length)}`;
}
