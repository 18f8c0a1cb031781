export { validateIssuerUrl, iamProviderId, oidcDocumentPaths, ISSUER_URL_ENV, DISCOVERY_SUFFIX, JWKS_SUFFIX } from "./issuer-url.js";
export { loadMasterKey, parseMasterKey, MASTER_KEY_ENV, MASTER_KEY_FILE, type LoadMasterKeyOptions } from "./master-key.js";
export { seal, unseal } from "./sealed-box.js";
export { SIGNING_ALGS, type SigningAlg, type PublicSigningJwk } from "./signing-keys.js";
export {
  OidcIssuer,
  STS_AUDIENCE,
  TOKEN_LIFETIME_LIMITS,
  subjectFor,
  type OidcIssuerOptions,
  type MintedToken,
  type DiscoveryDocument,
  type Jwks,
  type RotationResult,
  type MaintenanceResult,
} from "./issuer.js";
export { registerOidcRoutes, oidcPublicPaths, OIDC_CACHE_CONTROL } from "./routes.js";
export { publishOidcStatic, type PublishedFile } from "./publish-static.js";
export { verifyWithJwks, type VerifyOptions } from "./verify.js";
