import { createLocalJWKSet, errors, jwtVerify, type JWTPayload } from "jose";
import { ConfigError } from "../errors/porch-error.js";
import type { Jwks } from "./issuer.js";
import { SIGNING_ALGS } from "./signing-keys.js";

export interface VerifyOptions {
  issuer: string;
  audience: string;
  /** @default the current time */
  now?: Date;
  /** @default 0 */
  clockToleranceSeconds?: number;
}

/**
 * Verifies a token the way AWS STS would, against a JWKS as published (for tests and `porch doctor`).
 * Fails with the jose error as cause, whose `code` says what did not match.
 */
export async function verifyWithJwks(token: string, jwks: Jwks, opts: VerifyOptions): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), {
      issuer: opts.issuer,
      audience: opts.audience,
      algorithms: [...SIGNING_ALGS],
      typ: "JWT",
      currentDate: opts.now,
      clockTolerance: opts.clockToleranceSeconds ?? 0,
    });
    return payload;
  } catch (err) {
    if (!(err instanceof errors.JOSEError)) throw err;
    const hint =
      err instanceof errors.JWKSNoMatchingKey
        ? "the JWKS does not contain the key that signed it (rotated and pruned, or the published JWKS is stale: publish again)"
        : err.message;
    throw new ConfigError(`OIDC token does not verify against the published JWKS: ${hint}`, "oidc_token_invalid", err);
  }
}
