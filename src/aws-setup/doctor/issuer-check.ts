import { isIP } from "node:net";
import { isPorchError } from "../../errors/porch-error.js";
import { ISSUER_URL_ENV, iamProviderId, validateIssuerUrl } from "../../oidc/issuer-url.js";
import { fail, pass, type CheckResult } from "./check-result.js";

const ID = "issuer-url";
const TITLE = "OIDC issuer URL is valid for AWS";

/** AWS fetches the discovery document and JWKS itself, over the public internet. */
export function checkIssuerUrl(issuerUrl: string): CheckResult {
  let url: URL;
  try {
    url = validateIssuerUrl(issuerUrl);
  } catch (err) {
    if (!isPorchError(err)) throw err;
    return fail(ID, TITLE, err.message, `set ${ISSUER_URL_ENV} to the public https:// URL where porch (or your static host) serves the OIDC documents`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (!isPubliclyResolvableHost(host)) {
    return fail(
      ID,
      TITLE,
      `${issuerUrl}: AWS fetches ${issuerUrl}/.well-known/openid-configuration from the internet, and ${host} is not a public address`,
      `serve the OIDC documents on a public https host (porch's issuer, or the files porch publishes for a static host) and set ${ISSUER_URL_ENV} to it`,
    );
  }
  return pass(ID, TITLE, `${issuerUrl} (IAM provider ${iamProviderId(issuerUrl)}; condition keys ${iamProviderId(issuerUrl)}:aud and :sub)`);
}

function isPubliclyResolvableHost(host: string): boolean {
  const lower = host.toLowerCase();
  if (lower === "localhost" || lower.endsWith(".localhost") || lower.endsWith(".local") || lower.endsWith(".internal") || !lower.includes(".")) return false;
  const version = isIP(lower);
  if (version === 4) {
    const [a = 0, b = 0] = lower.split(".").map(Number);
    return !(a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127));
  }
  if (version === 6) return !(lower === "::1" || lower.startsWith("fc") || lower.startsWith("fd") || lower.startsWith("fe80"));
  return true;
}
