import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Opaque bearer token: prefix says what it is (helps secret scanners), 32 random bytes. */
export function newToken(prefix: "porch_api" | "porch_job"): string {
  return `${prefix}_${randomBytes(32).toString("base64url")}`;
}

/** Tokens are stored as SHA-256: they are high-entropy, so a slow hash adds nothing. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function sameHash(a: string, b: string): boolean {
  const ba = Buffer.from(a, "hex");
  const bb = Buffer.from(b, "hex");
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}
