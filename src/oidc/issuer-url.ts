import { ConfigError } from "../errors/porch-error.js";

export const ISSUER_URL_ENV = "PORCH_OIDC_ISSUER_URL";
export const DISCOVERY_SUFFIX = "/.well-known/openid-configuration";
export const JWKS_SUFFIX = "/.well-known/jwks.json";

/**
 * Checks the issuer URL against what AWS IAM accepts for an OIDC provider. AWS compares the token's
 * `iss` with the provider URL character by character, so the URL must already be in the one form a
 * URL parser would print: anything the parser would rewrite (case, default port, dot segments,
 * percent-encoding, a trailing slash) would make `iss` and the published documents disagree.
 */
export function validateIssuerUrl(raw: string): URL {
  const fail = (problem: string): never => {
    throw new ConfigError(`${ISSUER_URL_ENV} '${raw}' ${problem}`, "oidc_issuer_url_invalid");
  };
  if (raw !== raw.trim()) fail("has surrounding whitespace; remove it");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail("is not a URL; set it to the public https:// address where porch (or your static host) serves the OIDC documents, e.g. https://oidc.example.com");
  }
  if (url.protocol !== "https:") fail(`must use https:// (AWS fetches the OIDC documents over public TLS), not ${url.protocol}//`);
  if (url.username || url.password) fail("must not contain user credentials; remove the 'user:password@' part");
  if (hasExplicitPort(raw)) fail("must not contain a port (AWS only fetches from the default https port 443); remove the ':<port>' part");
  if (raw.includes("?")) fail("must not contain a query string; remove everything from '?'");
  if (raw.includes("#")) fail("must not contain a fragment; remove everything from '#'");
  if (raw.endsWith("/")) fail(`must not end with '/'; use '${raw.replace(/\/+$/, "")}' (the token's iss must equal it exactly)`);
  const canonical = url.pathname === "/" ? url.href.slice(0, -1) : url.href;
  if (raw !== canonical) fail(`is not in canonical form; write it as '${canonical}' (the token's iss must equal it exactly)`);
  return url;
}

/** The part of the issuer URL an IAM trust policy uses as condition-key prefix: `<host><path>`, e.g. `oidc.example.com/porch` for `oidc.example.com/porch:sub`. */
export function iamProviderId(issuerUrl: string): string {
  return validateIssuerUrl(issuerUrl).href.replace(/^https:\/\//, "").replace(/\/$/, "");
}

/** Absolute URL paths (on the issuer host) of the discovery document and the JWKS. */
export function oidcDocumentPaths(issuerUrl: string): { discovery: string; jwks: string } {
  const base = issuerPathPrefix(validateIssuerUrl(issuerUrl));
  return { discovery: `${base}${DISCOVERY_SUFFIX}`, jwks: `${base}${JWKS_SUFFIX}` };
}

/** The issuer's path without a trailing slash: "" for `https://host`, "/a/b" for `https://host/a/b`. */
export function issuerPathPrefix(url: URL): string {
  return url.pathname === "/" ? "" : url.pathname;
}

function hasExplicitPort(raw: string): boolean {
  const authority = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*)/.exec(raw)?.[1] ?? "";
  const hostAndPort = authority.slice(authority.lastIndexOf("@") + 1);
  // An IPv6 literal is bracketed, so only a ':' after the closing bracket starts a port.
  const afterHost = hostAndPort.startsWith("[") ? hostAndPort.slice(hostAndPort.indexOf("]") + 1) : hostAndPort;
  return afterHost.includes(":");
}
