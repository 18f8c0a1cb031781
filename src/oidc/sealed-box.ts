import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { ConfigError, InternalError } from "../errors/porch-error.js";

/**
 * Secrets at rest, sealed with porch's master key (AES-256-GCM).
 *
 * Format: `porch-sealed:v1:<nonce>:<ciphertext>:<tag>`, each part base64url. The version prefix lets a
 * later release change algorithm or layout while still opening what older releases sealed. A fresh
 * random 96-bit nonce per seal keeps GCM safe without a counter shared across replicas.
 *
 * `context` is bound as additional authenticated data: pass something that identifies the row the
 * secret belongs to (e.g. a key id) so a sealed value copied into another row fails to open.
 */
const PREFIX = "porch-sealed";
const VERSION = "v1";
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export function seal(plaintext: Buffer | string, key: Buffer, context = ""): string {
  assertKey(key);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aadFor(context));
  const body = Buffer.isBuffer(plaintext) ? plaintext : Buffer.from(plaintext, "utf8");
  const ciphertext = Buffer.concat([cipher.update(body), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [PREFIX, VERSION, nonce, ciphertext, tag].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(":");
}

export function unseal(sealed: string, key: Buffer, context = ""): Buffer {
  assertKey(key);
  const parts = sealed.split(":");
  if (parts.length !== 5 || parts[0] !== PREFIX) {
    throw new InternalError("stored secret is not a porch sealed box (the database row was altered or is not a secret)", "sealed_box_malformed");
  }
  const [, version, nonceText, ciphertextText, tagText] = parts as [string, string, string, string, string];
  if (version !== VERSION) {
    throw new InternalError(
      `stored secret uses sealed-box format '${version}', which this porch release cannot read; upgrade porch`,
      "sealed_box_unsupported_version",
    );
  }
  const nonce = Buffer.from(nonceText, "base64url");
  const tag = Buffer.from(tagText, "base64url");
  if (nonce.length !== NONCE_BYTES || tag.length !== TAG_BYTES) {
    throw new InternalError("stored secret has a truncated nonce or tag (the database row was altered)", "sealed_box_malformed");
  }
  const decipher = createDecipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(aadFor(context));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(Buffer.from(ciphertextText, "base64url")), decipher.final()]);
  } catch (err) {
    throw new ConfigError(
      "cannot open a stored secret with this master key: PORCH_MASTER_KEY (or <data dir>/master-key) differs from the key that sealed it. " +
        "Restore the original master key; every porch replica sharing one database must use the same PORCH_MASTER_KEY",
      "master_key_mismatch",
      err,
    );
  }
}

function aadFor(context: string): Buffer {
  // The version is authenticated too, so a v1 body can never be reinterpreted under a later format.
  return Buffer.from(`${PREFIX}:${VERSION}:${context}`, "utf8");
}

function assertKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
    throw new InternalError(`sealed-box key must be ${KEY_BYTES} bytes, got ${Buffer.isBuffer(key) ? key.length : typeof key}`, "sealed_box_bad_key");
  }
}
