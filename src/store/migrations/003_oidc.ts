/**
 * Signing keys of porch's OIDC issuer. The private key is only ever stored sealed with the master key
 * (see src/oidc/sealed-box.ts).
 *
 * A key's life: `next` (activated_at null: published ahead of use, so verifiers that cached the JWKS
 * already know it when it starts signing) -> `active` (signs tokens) -> `retired` (still published
 * until `published_until` = retirement + token lifetime + clock-skew margin, then deleted).
 * The partial unique indexes hold "at most one active and at most one next key" even if replicas
 * sharing the database ever bypassed the advisory lock the issuer takes.
 */
export const sql = `
CREATE TABLE oidc_signing_keys (
  kid text PRIMARY KEY,
  alg text NOT NULL,
  public_jwk jsonb NOT NULL,
  private_key_sealed text NOT NULL,
  created_at timestamptz NOT NULL,
  activated_at timestamptz,
  retired_at timestamptz,
  published_until timestamptz,
  CONSTRAINT oidc_signing_keys_retired_after_active CHECK (retired_at IS NULL OR activated_at IS NOT NULL),
  CONSTRAINT oidc_signing_keys_retirement_complete CHECK ((retired_at IS NULL) = (published_until IS NULL))
);

CREATE UNIQUE INDEX oidc_signing_keys_single_active ON oidc_signing_keys ((true))
  WHERE activated_at IS NOT NULL AND retired_at IS NULL;
CREATE UNIQUE INDEX oidc_signing_keys_single_next ON oidc_signing_keys ((true))
  WHERE activated_at IS NULL;
`;
