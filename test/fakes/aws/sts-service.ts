/**
 * Fake STS: AssumeRoleWithWebIdentity against one IAM OIDC provider (porch's issuer), and
 * GetCallerIdentity. Models the checks AWS documents: parameter constraints, token signature against
 * the provider's JWKS, `iss`, the provider's audiences, integer time claims, expiry, the role's trust
 * policy on `aud`/`sub`, and the role's MaxSessionDuration.
 */
import { createHash } from "node:crypto";
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWTPayload } from "jose";
import { AwsWireError, fakeSetupError } from "./aws-error.js";
import type { CredentialStore, IssuedCredentials } from "./credential-store.js";
import { validatePolicy } from "./iam-policy.js";
import type { FakeAwsOptions } from "./types.js";

type StsOptions = NonNullable<FakeAwsOptions["sts"]>;

export const DEFAULT_STS_AUDIENCE = "sts.amazonaws.com";
const DEFAULT_SESSION_SECONDS = 3600;
const ALLOWED_ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512"];
const NOT_AUTHORIZED = "Not authorized to perform sts:AssumeRoleWithWebIdentity";

export class FakeSts {
  private readonly providerAudiences: Set<string>;

  constructor(
    private readonly options: StsOptions | undefined,
    private readonly accountId: string,
    private readonly credentials: CredentialStore,
  ) {
    if (options) validateStsOptions(options);
    this.providerAudiences = new Set((options?.roles ?? []).map((role) => role.audience ?? DEFAULT_STS_AUDIENCE));
  }

  /** Actions STS answers without a signature. */
  static isUnsigned(action: string): boolean {
    return action === "AssumeRoleWithWebIdentity";
  }

  async handle(action: string, params: URLSearchParams, caller: IssuedCredentials | undefined): Promise<Record<string, unknown>> {
    switch (action) {
      case "AssumeRoleWithWebIdentity":
        return this.assumeRoleWithWebIdentity(params);
      case "GetCallerIdentity":
        if (!caller) throw new AwsWireError("MissingAuthenticationToken", "Missing Authentication Token", 403);
        return { UserId: `${roleId(caller.role.roleArn)}:${caller.sessionName}`, Account: this.accountId, Arn: caller.assumedRoleArn };
      default:
        throw new AwsWireError("InvalidAction", `Could not find operation ${action} for version 2011-06-15 (the fake STS implements AssumeRoleWithWebIdentity and GetCallerIdentity)`, 400);
    }
  }

  private async assumeRoleWithWebIdentity(params: URLSearchParams): Promise<Record<string, unknown>> {
    const roleArn = requireParam(params, "RoleArn", "roleArn", 20, 2048);
    const sessionName = requireParam(params, "RoleSessionName", "roleSessionName", 2, 64);
    if (!/^[\w+=,.@-]*$/.test(sessionName)) {
      throw validationError(`Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`);
    }
    const token = requireParam(params, "WebIdentityToken", "webIdentityToken", 4, 20_000);
    const requestedSeconds = parseDuration(params.get("DurationSeconds"));

    const options = this.options;
    if (!options) throw new AwsWireError("InvalidIdentityToken", "No OpenIDConnect provider found in your account (the fake AWS was started without `sts`)", 400);
    const claims = await this.verifiedClaims(token, options);

    const role = options.roles.find((candidate) => candidate.roleArn === roleArn);
    if (!role) throw new AwsWireError("AccessDenied", NOT_AUTHORIZED, 403);
    const audience = role.audience ?? DEFAULT_STS_AUDIENCE;
    if (!audiences(claims).includes(audience)) {
      throw new AwsWireError("IDPRejectedClaim", `${NOT_AUTHORIZED} (fake AWS: the role's trust policy requires ${providerId(options.issuer)}:aud = '${audience}')`, 403);
    }
    if (claims.sub !== role.subject) {
      throw new AwsWireError("IDPRejectedClaim", `${NOT_AUTHORIZED} (fake AWS: the role's trust policy requires ${providerId(options.issuer)}:sub = '${role.subject}', the token has '${claims.sub ?? ""}')`, 403);
    }

    const maxSession = role.maxSessionSeconds ?? DEFAULT_SESSION_SECONDS;
    if (requestedSeconds > maxSession) {
      throw new AwsWireError("ValidationError", `The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`, 400);
    }
    const lifetime = Math.min(requestedSeconds, options.credentialLifetimeSeconds ?? requestedSeconds);
    const issued = this.credentials.issue(role, sessionName, this.accountId, lifetime);
    return {
      Credentials: {
        AccessKeyId: issued.accessKeyId,
        SecretAccessKey: issued.secretAccessKey,
        SessionToken: issued.sessionToken,
        Expiration: issued.expiration.toISOString(),
      },
      SubjectFromWebIdentityToken: claims.sub,
      AssumedRoleUser: { Arn: issued.assumedRoleArn, AssumedRoleId: `${roleId(role.roleArn)}:${sessionName}` },
      Provider: providerId(options.issuer),
      Audience: audience,
    };
  }

  private async verifiedClaims(token: string, options: StsOptions): Promise<JWTPayload> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    let unverified: JWTPayload;
    try {
      header = decodeProtectedHeader(token);
      unverified = decodeJwt(token);
    } catch {
      throw invalidToken("The web identity token is not a well-formed JWT.");
    }
    if (!header.kid) throw invalidToken("No KeyId found in the JWT header; AWS needs `kid` to pick the verification key.");
    if (!header.alg || !ALLOWED_ALGORITHMS.includes(header.alg)) throw invalidToken(`Unsupported signing algorithm '${header.alg ?? ""}'; use one of ${ALLOWED_ALGORITHMS.join(", ")}.`);
    if (unverified.iss !== options.issuer) throw invalidToken(`No OpenIDConnect provider found in your account for ${String(unverified.iss)}`);

    let keys: { keys: object[] };
    try {
      keys = await options.jwks();
    } catch (err) {
      throw new AwsWireError("IDPCommunicationError", `Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements (fake AWS: ${errorMessage(err)})`, 400);
    }

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, createLocalJWKSet(keys as JSONWebKeySet), { issuer: options.issuer, algorithms: ALLOWED_ALGORITHMS, clockTolerance: 0 }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) {
        const exp = typeof unverified.exp === "number" ? new Date(unverified.exp * 1000).toISOString() : "unknown";
        throw new AwsWireError("ExpiredTokenException", `Token expired: current date/time ${new Date().toISOString()} must be before the expiration date/time ${exp}`, 400);
      }
      if (err instanceof joseErrors.JWKSNoMatchingKey) throw invalidToken(`Unable to find a key in the provider's JWKS matching kid '${header.kid}'.`);
      if (err instanceof joseErrors.JWSSignatureVerificationFailed) throw invalidToken("Signature verification failed for the web identity token.");
      throw invalidToken(`The web identity token could not be validated: ${errorMessage(err)}`);
    }

    for (const claim of ["iat", "nbf", "exp"] as const) {
      const value = payload[claim];
      if (value !== undefined && !Number.isInteger(value)) throw invalidToken(`Claim '${claim}' must be an integer (seconds since the epoch), got ${JSON.stringify(value)}.`);
    }
    if (payload.exp === undefined) throw invalidToken("The web identity token has no 'exp' claim.");
    if (!audiences(payload).some((aud) => this.providerAudiences.has(aud))) throw invalidToken("Incorrect token audience");
    return payload;
  }
}

function validateStsOptions(options: StsOptions): void {
  const issuer = options.issuer;
  if (!/^https:\/\//.test(issuer)) throw fakeSetupError("sts.issuer", `'${issuer}' must start with https:// (an IAM OIDC provider URL); the fake never fetches it`);
  const authority = issuer.slice("https://".length).split("/")[0] ?? "";
  if (authority.includes(":")) throw fakeSetupError("sts.issuer", `'${issuer}' must not contain a port (IAM rejects provider URLs with a port)`);
  if (/[?#]/.test(issuer)) throw fakeSetupError("sts.issuer", `'${issuer}' must not contain a query or fragment`);
  options.roles.forEach((role, i) => {
    if (!/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(role.roleArn)) throw fakeSetupError(`sts.roles[${i}].roleArn`, `'${role.roleArn}' is not an IAM role ARN`);
    validatePolicy(role.policy, `sts.roles[${i}].policy`);
  });
}

function requireParam(params: URLSearchParams, name: string, member: string, min: number, max: number): string {
  const value = params.get(name);
  if (value === null) throw validationError(`Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  if (value.length < min) throw validationError(`Value at '${member}' failed to satisfy constraint: Member must have length greater than or equal to ${min}`);
  if (value.length > max) throw validationError(`Value at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
  return value;
}

function parseDuration(raw: string | null): number {
  if (raw === null) return DEFAULT_SESSION_SECONDS;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 900) throw validationError(`Value '${raw}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`);
  if (seconds > 43_200) throw validationError(`Value '${raw}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200`);
  return seconds;
}

function audiences(claims: JWTPayload): string[] {
  if (typeof claims.aud === "string") return [claims.aud];
  return Array.isArray(claims.aud) ? claims.aud : [];
}

/** `<host><path>` of the issuer: the prefix of the trust policy's condition keys. */
function providerId(issuer: string): string {
  return issuer.replace(/^https:\/\//, "");
}

/** A stable, AWS-looking role id ("AROA" + 17 characters) derived from the role ARN. */
function roleId(roleArn: string): string {
  return `AROA${createHash("sha256").update(roleArn).digest("hex").toUpperCase().slice(0, 17)}`;
}

function validationError(detail: string): AwsWireError {
  return new AwsWireError("ValidationError", `1 validation error detected: ${detail}`, 400);
}

function invalidToken(message: string): AwsWireError {
  return new AwsWireError("InvalidIdentityToken", message, 400);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
