import { randomUUID } from "node:crypto";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { OidcIssuer } from "./issuer.js";
import { DISCOVERY_SUFFIX, JWKS_SUFFIX } from "./issuer-url.js";

export interface PublishedFile {
  url: string;
  file: string;
}

/**
 * Writes the issuer documents for a static host, for an orchestrator AWS cannot reach. `dir` is the
 * directory served at the issuer URL itself:
 *
 *   <issuer>/.well-known/openid-configuration  ->  <dir>/.well-known/openid-configuration
 *   <issuer>/.well-known/jwks.json             ->  <dir>/.well-known/jwks.json
 *
 * e.g. issuer https://example.github.io/porch-oidc with dir = the repository root served at /porch-oidc.
 * Serve both with `Content-Type: application/json` (the discovery file has no extension, so S3 needs it
 * set on upload). Publish again whenever maybeRotate() reports `jwksChanged` (or at least once per
 * prepublishSeconds): the next key then reaches the host before it signs anything, and a token signed
 * by a key the host does not serve yet would fail with InvalidIdentityToken.
 *
 * The bytes are exactly what registerOidcRoutes sends, so either way of hosting publishes the same thing.
 */
export async function publishOidcStatic(issuer: OidcIssuer, dir: string): Promise<PublishedFile[]> {
  const documents: Array<[string, unknown]> = [
    [DISCOVERY_SUFFIX, await issuer.discoveryDocument()],
    [JWKS_SUFFIX, await issuer.jwks()],
  ];
  const written: PublishedFile[] = [];
  for (const [suffix, body] of documents) {
    const file = join(dir, ...suffix.split("/").filter(Boolean));
    await writeAtomically(file, JSON.stringify(body));
    written.push({ url: `${issuer.issuer}${suffix}`, file });
  }
  return written;
}

// A sync tool copying the directory mid-write must never upload half a document.
async function writeAtomically(file: string, content: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${randomUUID()}.tmp`;
  await writeFile(tmp, content, { mode: 0o644 });
  await rename(tmp, file);
}
