import { ConfigError, PorchError, TransientError } from "../errors/porch-error.js";

/** What an AWS SDK error tells us, without depending on the SDK's error classes. */
export interface AwsErrorInfo {
  name: string;
  message: string;
  status?: number;
}

export function awsErrorInfo(err: unknown): AwsErrorInfo {
  const e = err as { name?: unknown; message?: unknown; Code?: unknown; $metadata?: { httpStatusCode?: number } };
  const name = typeof e?.name === "string" ? e.name : typeof e?.Code === "string" ? e.Code : "Error";
  return { name, message: typeof e?.message === "string" ? e.message : String(err), status: e?.$metadata?.httpStatusCode };
}

/** The SDK found no credentials (or could not load them): not an AWS answer at all. */
export function isMissingCredentials(err: unknown): boolean {
  const { name, message } = awsErrorInfo(err);
  return name === "CredentialsProviderError" || /could not load credentials|credential/i.test(name) || /Could not load credentials/i.test(message);
}

export function isAccessDenied(err: unknown): boolean {
  const { name, status } = awsErrorInfo(err);
  return /AccessDenied|UnauthorizedOperation|NotAuthorized|Forbidden/i.test(name) || (status === 403 && !/Token|Signature/i.test(name));
}

export function isNotFound(err: unknown): boolean {
  const { name, status } = awsErrorInfo(err);
  return /NoSuchEntity|NotFound|ResourceNotFound|NoSuchBucket/i.test(name) || status === 404;
}

function isTransient(err: unknown): boolean {
  const { name, status } = awsErrorInfo(err);
  return /Throttl|RequestLimitExceeded|TooManyRequests|ServiceUnavailable|InternalFailure|RequestTimeout|TimeoutError|ECONNRESET|ECONNREFUSED/i.test(name) || (status !== undefined && status >= 500);
}

export const CREDENTIALS_HINT =
  "porch uses your own AWS credentials through the SDK's default chain (AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, SSO, instance role)";

/** An AWS failure of `porch aws setup` as a PorchError saying what to change. */
export function setupError(err: unknown, call: string): PorchError {
  if (err instanceof PorchError) return err;
  const { name, message } = awsErrorInfo(err);
  if (isMissingCredentials(err)) return new ConfigError(`no AWS credentials for ${call}: ${message}. ${CREDENTIALS_HINT}`, "aws_credentials_missing", err);
  if (isAccessDenied(err)) {
    return new ConfigError(`your AWS credentials may not call ${call} (${name}: ${message}); use a principal that can manage IAM roles and OIDC providers in this account`, "aws_access_denied", err);
  }
  if (isTransient(err)) return new TransientError(`AWS ${call} failed temporarily (${name}: ${message}); run the command again`, "aws_transient", err);
  return new ConfigError(`AWS ${call} failed: ${name}: ${message}`, "aws_call_failed", err);
}
