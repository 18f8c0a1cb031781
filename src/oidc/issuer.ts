import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { ConfigError, ValidationError } from "../errors/porch-error.js";
import type { Db } from "../store/db.js";
import { DISCOVERY_SUFFIX, JWKS_SUFFIX, validateIssuerUrl } from "./issuer-url.js";
import {
  SIGNING_ALGS,
  activateKey,
  deleteUnpublishedKeys,
  discardNextKey,
  generateSigningKey,
  insertKey,
  lockKeyRotation,
  openPrivateKey,
  retireKey,
  selectLiveKeys,
  selectPublishedKeys,
  type LiveKeys,
  type PublicSigningJwk,
  type SigningAlg,
  type SigningKeyRow,
} from "./signing-keys.js";

/** The audience AWS STS requires in web-identity tokens (and the trust policy checks as `<issuer>:aud`). */
export const STS_AUDIENCE = "sts.amazonaws.com";

export const TOKEN_LIFETIME_LIMITS = { min: 60, max: 3600 } as const;
const MIN_ROTATION_INTERVAL_SECONDS = 3600;
const MAX_CLOCK_SKEW_SECONDS = 3600;

export interface OidcIssuerOptions {
  db: Db;
  /** Must equal the `iss` AWS expects, character for character; see validateIssuerUrl. */
  issuerUrl: string;
  /** 32 bytes, from loadMasterKey; seals the private keys stored in the database. */
  masterKey: Buffer;
  /** @default "RS256" (2048-bit RSA) */
  alg?: SigningAlg;
  /** Lifetime of minted tokens, 60..3600. @default 300 */
  tokenLifetimeSeconds?: number;
  /** Age after which the active key is replaced on the next mint or maybeRotate(); at least 3600. @default 604800 (7 days) */
  rotationIntervalSeconds?: number;
  /**
   * How long before it starts signing the next key is published in the JWKS, so verifiers holding a
   * cached JWKS (and static hosts republished on a schedule) already know it; 0 disables, must be
   * below rotationIntervalSeconds. @default min(86400, rotationIntervalSeconds / 2)
   */
  prepublishSeconds?: number;
  /**
   * How much longer than the token lifetime a retired key stays published, covering clocks that
   * disagree and a replica that read the old key just before another one rotated. @default 300
   */
  clockSkewSeconds?: number;
  /** @default () => new Date() */
  now?: () => Date;
}

export interface MintedToken {
  token: string;
  /** `<orgId>+<runnerId>`: what the role's trust policy compares with `<issuer>:sub`. */
  subject: string;
  expiresAt: Date;
  kid: string;
}

export interface DiscoveryDocument {
  issuer: string;
  jwks_uri: string;
  response_types_supported: string[];
  subject_types_supported: string[];
  id_token_signing_alg_values_supported: string[];
  claims_supported: string[];
}

export interface Jwks {
  keys: PublicSigningJwk[];
}

export interface RotationResult {
  kid: string;
  retiredKid: string | null;
}

export interface MaintenanceResult {
  /** The active key changed (including the very first key being created). */
  rotated: boolean;
  /** The active key after maintenance. */
  kid: string;
  /** A next key created and published ahead of its use, if one was. */
  prepublishedKid: string | null;
  pruned: string[];
  /** Republish static documents when true (see publishOidcStatic). */
  jwksChanged: boolean;
}

interface KeyChange {
  active: SigningKeyRow;
  activatedKid: string | null;
  retiredKid: string | null;
  prepublishedKid: string | null;
  discardedKid: string | null;
}

const CLAIMS = ["iss", "sub", "aud", "iat", "nbf", "exp", "jti"];

/**
 * porch's own OIDC identity provider: it signs the short-lived web-identity tokens the serverless-ecs
 * driver trades for AWS credentials, and publishes the documents AWS verifies them with.
 */
export class OidcIssuer {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly discoveryUri: string;
  readonly alg: SigningAlg;
  readonly tokenLifetimeSeconds: number;
  readonly rotationIntervalSeconds: number;
  readonly prepublishSeconds: number;
  readonly clockSkewSeconds: number;

  private readonly db: Db;
  private readonly masterKey: Buffer;
  private readonly now: () => Date;
  private readonly privateKeys = new Map<string, Promise<CryptoKey>>();

  private constructor(opts: OidcIssuerOptions) {
    validateIssuerUrl(opts.issuerUrl);
    this.issuer = opts.issuerUrl;
    this.jwksUri = `${opts.issuerUrl}${JWKS_SUFFIX}`;
    this.discoveryUri = `${opts.issuerUrl}${DISCOVERY_SUFFIX}`;
    this.alg = opts.alg ?? "RS256";
    if (!SIGNING_ALGS.includes(this.alg)) {
      throw new ConfigError(`OIDC signing algorithm '${String(this.alg)}' is not supported; use one of ${SIGNING_ALGS.join(", ")}`, "oidc_alg_unsupported");
    }
    this.tokenLifetimeSeconds = checkedSeconds(opts.tokenLifetimeSeconds ?? 300, "tokenLifetimeSeconds", TOKEN_LIFETIME_LIMITS.min, TOKEN_LIFETIME_LIMITS.max);
    this.rotationIntervalSeconds = checkedSeconds(opts.rotationIntervalSeconds ?? 7 * 24 * 3600, "rotationIntervalSeconds", MIN_ROTATION_INTERVAL_SECONDS);
    this.prepublishSeconds = checkedSeconds(
      opts.prepublishSeconds ?? Math.min(86_400, Math.floor(this.rotationIntervalSeconds / 2)),
      "prepublishSeconds",
      0,
      this.rotationIntervalSeconds - 1,
    );
    this.clockSkewSeconds = checkedSeconds(opts.clockSkewSeconds ?? 300, "clockSkewSeconds", 0, MAX_CLOCK_SKEW_SECONDS);
    this.db = opts.db;
    this.masterKey = opts.masterKey;
    this.now = opts.now ?? (() => new Date());
  }

  /**
   * Validates the options and, when a key already exists, opens it: a master key that does not match
   * the database fails here, at startup, rather than at the first deployment.
   */
  static async open(opts: OidcIssuerOptions): Promise<OidcIssuer> {
    const issuer = new OidcIssuer(opts);
    const { active } = await selectLiveKeys(issuer.db);
    if (active) await issuer.privateKey(active);
    return issuer;
  }

  async mintToken(input: { orgId: string; runnerId: string }): Promise<MintedToken> {
    const subject = subjectFor(input.orgId, input.runnerId);
    const key = await this.activeKey();
    const iat = Math.floor(this.now().getTime() / 1000);
    const exp = iat + this.tokenLifetimeSeconds;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT" })
      .setIssuer(this.issuer)
      .setSubject(subject)
      .setAudience(STS_AUDIENCE)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(await this.privateKey(key));
    return { token, subject, expiresAt: new Date(exp * 1000), kid: key.kid };
  }

  /**
   * Replaces the active key now (`porch oidc rotate`). The pre-published next key takes over when there
   * is one, since verifiers already know it; the old key stays published until its tokens expire.
   */
  async rotate(): Promise<RotationResult> {
    const change = await this.changeKeys(true);
    return { kid: change.active.kid, retiredKid: change.retiredKid };
  }

  /**
   * Periodic upkeep for the server: publishes the next key when its time comes, rotates a key that
   * reached its age, and deletes keys no longer published.
   */
  async maybeRotate(): Promise<MaintenanceResult> {
    const change = await this.changeKeys(false);
    const pruned = await this.prune();
    return {
      rotated: change.activatedKid !== null,
      kid: change.active.kid,
      prepublishedKid: change.prepublishedKid,
      pruned,
      jwksChanged: change.activatedKid !== null || change.prepublishedKid !== null || change.discardedKid !== null || pruned.length > 0,
    };
  }

  /** Deletes retired keys whose every token has expired; returns their kids. */
  async prune(): Promise<string[]> {
    const pruned = await deleteUnpublishedKeys(this.db, this.now());
    for (const kid of pruned) this.privateKeys.delete(kid);
    return pruned;
  }

  /** Active, next and not-yet-expired retired keys. */
  async jwks(): Promise<Jwks> {
    const rows = await selectPublishedKeys(this.db, this.now());
    return { keys: rows.map((r) => r.publicJwk) };
  }

  async discoveryDocument(): Promise<DiscoveryDocument> {
    const published = new Set<string>([this.alg, ...(await selectPublishedKeys(this.db, this.now())).map((r) => r.alg)]);
    return {
      issuer: this.issuer,
      jwks_uri: this.jwksUri,
      response_types_supported: ["id_token"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: SIGNING_ALGS.filter((a) => published.has(a)),
      claims_supported: [...CLAIMS],
    };
  }

  private async activeKey(): Promise<SigningKeyRow> {
    const live = await selectLiveKeys(this.db);
    if (live.active && !this.needsChange(live)) return live.active;
    return (await this.changeKeys(false)).active;
  }

  private needsChange({ active, next }: LiveKeys): boolean {
    if (!active || this.isDue(active)) return true;
    if (next && next.alg !== this.alg) return true;
    return !next && this.inPrepublishWindow(active);
  }

  /** Due when it reached its age, or was made with an algorithm no longer configured. */
  private isDue(active: SigningKeyRow): boolean {
    return this.ageSeconds(active) >= this.rotationIntervalSeconds || active.alg !== this.alg;
  }

  private inPrepublishWindow(active: SigningKeyRow): boolean {
    return this.prepublishSeconds > 0 && this.ageSeconds(active) >= this.rotationIntervalSeconds - this.prepublishSeconds;
  }

  private ageSeconds(active: SigningKeyRow): number {
    return (this.now().getTime() - (active.activatedAt ?? active.createdAt).getTime()) / 1000;
  }

  /**
   * The one place keys change state. The advisory lock serialises replicas sharing a database, and
   * every decision is made again on what is read under it, so a replica that lost a race uses the
   * winner's keys instead of rotating a second time.
   */
  private async changeKeys(forceRotation: boolean): Promise<KeyChange> {
    return this.db.tx(async (q) => {
      await lockKeyRotation(q);
      let { active, next } = await selectLiveKeys(q);
      const now = this.now();
      const change: Omit<KeyChange, "active"> = { activatedKid: null, retiredKid: null, prepublishedKid: null, discardedKid: null };
      if (next && next.alg !== this.alg) {
        await discardNextKey(q, next.kid);
        change.discardedKid = next.kid;
        next = undefined;
      }
      if (!active || forceRotation || this.isDue(active)) {
        if (active) {
          const publishedUntil = new Date(now.getTime() + (this.tokenLifetimeSeconds + this.clockSkewSeconds) * 1000);
          await retireKey(q, active.kid, now, publishedUntil);
          change.retiredKid = active.kid;
        }
        active = next ? await activateKey(q, next, now) : await insertKey(q, await generateSigningKey(this.alg, this.masterKey), now, "active");
        next = undefined;
        change.activatedKid = active.kid;
      }
      if (!next && this.inPrepublishWindow(active)) {
        next = await insertKey(q, await generateSigningKey(this.alg, this.masterKey), now, "next");
        change.prepublishedKid = next.kid;
      }
      return { active, ...change };
    });
  }

  private privateKey(key: SigningKeyRow): Promise<CryptoKey> {
    let opened = this.privateKeys.get(key.kid);
    if (!opened) {
      opened = openPrivateKey(key, this.masterKey);
      opened.catch(() => this.privateKeys.delete(key.kid));
      this.privateKeys.set(key.kid, opened);
    }
    return opened;
  }
}

export function subjectFor(orgId: string, runnerId: string): string {
  const problems = [
    { path: "org_id", value: orgId },
    { path: "runner_id", value: runnerId },
  ]
    .filter((f) => f.value.length === 0 || f.value.includes("+"))
    .map((f) => ({ path: f.path, message: "must be non-empty and must not contain '+' (it separates org and runner in the token subject)" }));
  if (problems.length > 0) throw new ValidationError("cannot mint an OIDC token for this runner", problems, "oidc_subject_invalid");
  return `${orgId}+${runnerId}`;
}

function checkedSeconds(value: number, option: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`;
    throw new ConfigError(`OIDC issuer option ${option} is ${value}; it must be a whole number of seconds ${range}`, "oidc_option_invalid");
  }
  return value;
}
