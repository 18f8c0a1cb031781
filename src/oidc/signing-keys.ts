import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair, importPKCS8, type JWK } from "jose";
import type { Queryable } from "../store/db.js";
import { seal, unseal } from "./sealed-box.js";

/** Algorithms AWS STS accepts that porch can generate; RS256 is the one every consumer supports. */
export const SIGNING_ALGS = ["RS256", "ES256"] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

const RSA_MODULUS_BITS = 2048;

/** The public half as published in the JWKS. */
export interface PublicSigningJwk extends JWK {
  kid: string;
  alg: SigningAlg;
  use: "sig";
}

export interface SigningKeyRow {
  kid: string;
  alg: SigningAlg;
  publicJwk: PublicSigningJwk;
  privateKeySealed: string;
  createdAt: Date;
  /** null while the key is the pre-published `next` key. */
  activatedAt: Date | null;
  retiredAt: Date | null;
  publishedUntil: Date | null;
}

export type NewSigningKey = Pick<SigningKeyRow, "kid" | "alg" | "publicJwk" | "privateKeySealed">;

/** The kid is the key's RFC 7638 thumbprint, so it is unique without coordination between replicas. */
export async function generateSigningKey(alg: SigningAlg, masterKey: Buffer): Promise<NewSigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { modulusLength: RSA_MODULUS_BITS, extractable: true });
  const bare = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(bare, "sha256");
  const publicJwk: PublicSigningJwk = { ...bare, kid, alg, use: "sig" };
  // Sealed with the kid as context: a sealed private key moved onto another key's row will not open.
  const privateKeySealed = seal(await exportPKCS8(privateKey), masterKey, kid);
  return { kid, alg, publicJwk, privateKeySealed };
}

export async function openPrivateKey(row: Pick<SigningKeyRow, "kid" | "alg" | "privateKeySealed">, masterKey: Buffer): Promise<CryptoKey> {
  const pem = unseal(row.privateKeySealed, masterKey, row.kid).toString("utf8");
  return importPKCS8(pem, row.alg);
}

interface RawRow {
  kid: string;
  alg: string;
  public_jwk: PublicSigningJwk | string;
  private_key_sealed: string;
  created_at: Date | string;
  activated_at: Date | string | null;
  retired_at: Date | string | null;
  published_until: Date | string | null;
}

const COLUMNS = "kid, alg, public_jwk, private_key_sealed, created_at, activated_at, retired_at, published_until";

/** Arbitrary constant: replicas sharing a database take turns creating or rotating keys. */
const KEY_ROTATION_LOCK = 7_310_245_003;

export async function lockKeyRotation(q: Queryable): Promise<void> {
  await q.query("SELECT pg_advisory_xact_lock($1)", [KEY_ROTATION_LOCK]);
}

export interface LiveKeys {
  active?: SigningKeyRow;
  next?: SigningKeyRow;
}

export async function selectLiveKeys(q: Queryable): Promise<LiveKeys> {
  const res = await q.query<RawRow>(`SELECT ${COLUMNS} FROM oidc_signing_keys WHERE retired_at IS NULL`);
  const rows = res.rows.map(toRow);
  return { active: rows.find((r) => r.activatedAt !== null), next: rows.find((r) => r.activatedAt === null) };
}

/** Active key first, then the next key, then retired keys newest first. */
export async function selectPublishedKeys(q: Queryable, now: Date): Promise<SigningKeyRow[]> {
  const res = await q.query<RawRow>(
    `SELECT ${COLUMNS} FROM oidc_signing_keys
     WHERE retired_at IS NULL OR published_until > $1::timestamptz
     ORDER BY CASE WHEN retired_at IS NOT NULL THEN 2 WHEN activated_at IS NULL THEN 1 ELSE 0 END, created_at DESC, kid`,
    [now.toISOString()],
  );
  return res.rows.map(toRow);
}

export async function insertKey(q: Queryable, key: NewSigningKey, now: Date, state: "active" | "next"): Promise<SigningKeyRow> {
  const activatedAt = state === "active" ? now : null;
  await q.query(
    `INSERT INTO oidc_signing_keys (kid, alg, public_jwk, private_key_sealed, created_at, activated_at)
     VALUES ($1, $2, $3::jsonb, $4, $5::timestamptz, $6::timestamptz)`,
    [key.kid, key.alg, JSON.stringify(key.publicJwk), key.privateKeySealed, now.toISOString(), activatedAt?.toISOString() ?? null],
  );
  return { ...key, createdAt: now, activatedAt, retiredAt: null, publishedUntil: null };
}

export async function activateKey(q: Queryable, key: SigningKeyRow, now: Date): Promise<SigningKeyRow> {
  await q.query("UPDATE oidc_signing_keys SET activated_at = $2::timestamptz WHERE kid = $1 AND activated_at IS NULL", [key.kid, now.toISOString()]);
  return { ...key, activatedAt: now };
}

export async function retireKey(q: Queryable, kid: string, now: Date, publishedUntil: Date): Promise<void> {
  await q.query(
    `UPDATE oidc_signing_keys SET retired_at = $2::timestamptz, published_until = $3::timestamptz
     WHERE kid = $1 AND activated_at IS NOT NULL AND retired_at IS NULL`,
    [kid, now.toISOString(), publishedUntil.toISOString()],
  );
}

/** Only for a next key that never signed anything (e.g. made with an algorithm no longer configured). */
export async function discardNextKey(q: Queryable, kid: string): Promise<void> {
  await q.query("DELETE FROM oidc_signing_keys WHERE kid = $1 AND activated_at IS NULL", [kid]);
}

export async function deleteUnpublishedKeys(q: Queryable, now: Date): Promise<string[]> {
  const res = await q.query<{ kid: string }>(
    "DELETE FROM oidc_signing_keys WHERE retired_at IS NOT NULL AND published_until <= $1::timestamptz RETURNING kid",
    [now.toISOString()],
  );
  return res.rows.map((r) => r.kid).sort();
}

function toRow(raw: RawRow): SigningKeyRow {
  const date = (v: Date | string | null) => (v === null ? null : new Date(v));
  return {
    kid: raw.kid,
    alg: raw.alg as SigningAlg,
    publicJwk: typeof raw.public_jwk === "string" ? (JSON.parse(raw.public_jwk) as PublicSigningJwk) : raw.public_jwk,
    privateKeySealed: raw.private_key_sealed,
    createdAt: new Date(raw.created_at),
    activatedAt: date(raw.activated_at),
    retiredAt: date(raw.retired_at),
    publishedUntil: date(raw.published_until),
  };
}
