import { AssumeRoleWithWebIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { decodeJwt } from "jose";
import { ConfigError, PorchError, TransientError } from "../../errors/porch-error.js";
import type { CallStats, InstrumentableClient } from "./call-stats.js";
import { FIELD, RunnerFieldError } from "./ecs-errors.js";
import { issuerConditionPrefix, roleSessionName, webIdentitySubject } from "./naming.js";

export interface CredentialsTarget {
  orgId: string;
  runnerId: string;
  roleArn: string;
  /** runner_configuration.auth.session_name */
  sessionName?: string;
  /** auth.sts_region ?? job.region: STS is called at its regional endpoint. */
  stsRegion: string;
}

export interface AssumedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface WebIdentityCredentialsOptions {
  webIdentityToken: (orgId: string, runnerId: string) => Promise<string>;
  /** Endpoint override (fakes); otherwise the SDK's regional STS endpoint. */
  stsEndpoint?: string;
  stats: CallStats;
  now: () => number;
  /** Credentials are refreshed this long before they expire. @default 5 minutes */
  refreshMarginMs?: number;
}

const STS_AUDIENCE = "sts.amazonaws.com";
const DEFAULT_REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * Temporary credentials for a runner's role, obtained with porch's OIDC token. One cache entry per
 * (org, runner, role); concurrent callers share one in-flight AssumeRoleWithWebIdentity.
 */
export class WebIdentityCredentials {
  private readonly cache = new Map<string, AssumedCredentials>();
  private readonly inflight = new Map<string, Promise<AssumedCredentials>>();
  private readonly stsClients = new Map<string, STSClient>();

  constructor(private readonly opts: WebIdentityCredentialsOptions) {}

  static key(target: CredentialsTarget): string {
    return `${target.orgId}\u0000${target.runnerId}\u0000${target.roleArn}\u0000${target.sessionName ?? ""}`;
  }

  async get(target: CredentialsTarget): Promise<AssumedCredentials> {
    const key = WebIdentityCredentials.key(target);
    const cached = this.cache.get(key);
    const margin = this.opts.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
    if (cached && cached.expiration.getTime() - margin > this.opts.now()) return cached;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.assume(target).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    let fresh: AssumedCredentials;
    try {
      fresh = await pending;
    } catch (err) {
      // Refreshing early failed (STS blip): credentials that have not expired yet still work.
      if (cached && cached.expiration.getTime() > this.opts.now()) return cached;
      throw err;
    }
    this.cache.set(key, fresh);
    return fresh;
  }

  /** For SDK clients: the SDK asks again whenever its copy is about to expire. */
  provider(target: CredentialsTarget): () => Promise<AssumedCredentials> {
    return () => this.get(target);
  }

  close(): void {
    for (const client of this.stsClients.values()) client.destroy();
    this.stsClients.clear();
  }

  private sts(region: string): STSClient {
    let client = this.stsClients.get(region);
    if (!client) {
      client = new STSClient({ region, ...(this.opts.stsEndpoint ? { endpoint: this.opts.stsEndpoint } : {}), maxAttempts: 2 });
      this.opts.stats.instrument(client as unknown as InstrumentableClient);
      this.stsClients.set(region, client);
    }
    return client;
  }

  private async assume(target: CredentialsTarget, isRetryWithFreshToken = false): Promise<AssumedCredentials> {
    const token = await this.opts.webIdentityToken(target.orgId, target.runnerId);
    try {
      const out = await this.sts(target.stsRegion).send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: target.roleArn,
          RoleSessionName: roleSessionName(target.orgId, target.runnerId, target.sessionName),
          WebIdentityToken: token,
        }),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
        throw new TransientError(`AWS STS returned no credentials for role ${target.roleArn}`, "sts_no_credentials");
      }
      return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: new Date(c.Expiration) };
    } catch (err) {
      if (err instanceof PorchError) throw err;
      // The token porch minted expired on the way (clock skew, slow STS): one more try with a new one.
      if (stsErrorCode(err) === "ExpiredToken" && !isRetryWithFreshToken) return this.assume(target, true);
      throw stsError(err, target, token);
    }
  }
}

/** The part of the role's trust policy that must match porch's tokens, spelled out for the user. */
export function trustPolicyRequirements(target: CredentialsTarget, issuer: string): string {
  const host = issuerConditionPrefix(issuer);
  const account = target.roleArn.split(":")[4] ?? "<account>";
  return (
    `The trust policy of ${target.roleArn} must allow sts:AssumeRoleWithWebIdentity for the federated principal ` +
    `arn:aws:iam::${account}:oidc-provider/${host} with the conditions StringEquals "${host}:aud" = "${STS_AUDIENCE}" and ` +
    `"${host}:sub" = "${webIdentitySubject(target.orgId, target.runnerId)}", and the account needs an IAM OIDC identity provider ` +
    `for ${issuer} with the client id (audience) ${STS_AUDIENCE}.`
  );
}

function issuerOf(token: string): string {
  try {
    const iss = decodeJwt(token).iss;
    if (iss) return iss;
  } catch {
    // fall through: the message still helps without the issuer
  }
  return "<porch's OIDC issuer URL>";
}

/** The STS error code without the SDK's `Exception` suffix (`IDPRejectedClaimException` → `IDPRejectedClaim`). */
function stsErrorCode(err: unknown): string {
  return ((err as { name?: string }).name ?? "").replace(/Exception$/, "");
}

function stsError(err: unknown, target: CredentialsTarget, token: string): PorchError {
  const name = (err as { name?: string }).name ?? "Error";
  const awsMessage = (err as { message?: string }).message ?? String(err);
  const issuer = issuerOf(token);
  const seen = `(sts:AssumeRoleWithWebIdentity for runner '${target.runnerId}' answered ${name}: ${awsMessage})`;
  switch (stsErrorCode(err)) {
    case "InvalidIdentityToken":
    case "IDPRejectedClaim":
    case "AccessDenied":
      return new RunnerFieldError(
        FIELD.roleArn,
        `AWS refused to let porch assume the role. ${trustPolicyRequirements(target, issuer)} ${seen}`,
        "sts_assume_role_denied",
        err,
      );
    case "IDPCommunicationError":
      return new ConfigError(
        `AWS STS could not reach porch's OIDC issuer ${issuer}: the issuer must be publicly reachable over HTTPS (${issuer}/.well-known/openid-configuration and its jwks_uri) ` +
          `with a certificate from a trusted CA; set porch's public issuer URL accordingly. ${trustPolicyRequirements(target, issuer)} ${seen}`,
        "sts_issuer_unreachable",
        err,
      );
    case "ExpiredToken":
      return new TransientError(`porch's OIDC token expired before AWS STS accepted it; check the orchestrator's clock ${seen}`, "sts_token_expired", err);
    case "MalformedPolicyDocument":
    case "PackedPolicyTooLarge":
    case "ValidationError":
      return new RunnerFieldError(FIELD.roleArn, `AWS STS rejected the request ${seen}`, "sts_request_invalid", err);
    default:
      return new TransientError(`AWS STS failed or could not be reached ${seen}`, "sts_unavailable", err);
  }
}
