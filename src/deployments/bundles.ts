import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { Parser } from "tar";
import { ValidationError, NotFoundError } from "../errors/porch-error.js";
import type { Queryable } from "../store/db.js";

export const MAX_BUNDLE_BYTES = 50 * 1024 * 1024;

export function digestOf(content: Buffer): string {
  return `sha256:${createHash("sha256").update(content).digest("hex")}`;
}

/**
 * A bundle must be a gzipped tar of a module: relative paths only (nothing that could escape the
 * job's working directory when extracted) and at least one .tf or .tofu file.
 */
export async function inspectBundle(content: Buffer): Promise<{ files: number }> {
  let tarBytes: Buffer;
  try {
    tarBytes = gunzipSync(content);
  } catch {
    throw new ValidationError("the bundle is not gzip data", [{ path: "body", message: "upload a .tar.gz of the module directory" }]);
  }
  const entries: string[] = [];
  const problems: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry) => {
        const p = entry.path;
        if (p.startsWith("/") || p.split("/").includes("..")) problems.push(p);
        if (entry.type === "SymbolicLink" || entry.type === "Link") {
          const target = String(entry.linkpath ?? "");
          if (target.startsWith("/") || target.split("/").includes("..")) problems.push(`${p} -> ${target}`);
        }
        entries.push(p);
        entry.resume();
      },
    });
    parser.on("error", reject);
    parser.on("end", () => resolve());
    parser.end(tarBytes);
  }).catch((err: unknown) => {
    throw new ValidationError(`the bundle is not a valid tar archive: ${(err as Error).message}`, [{ path: "body", message: "upload a .tar.gz of the module directory" }]);
  });
  if (problems.length > 0) {
    throw new ValidationError(`the bundle has paths outside the module directory: ${problems.slice(0, 3).join(", ")}`, [
      { path: "body", message: "bundle entries must be relative paths without '..'" },
    ]);
  }
  if (!entries.some((e) => /\.(tf|tofu|tf\.json|tofu\.json)$/.test(e))) {
    throw new ValidationError("the bundle contains no OpenTofu files (.tf, .tofu)", [{ path: "body", message: "bundle the root module's directory" }]);
  }
  return { files: entries.length };
}

/** Content-addressed: storing the same bundle twice keeps one copy. */
export async function storeBundle(q: Queryable, orgId: string, expectedDigest: string, content: Buffer): Promise<{ digest: string; size_bytes: number; created: boolean }> {
  const digest = digestOf(content);
  if (digest !== expectedDigest) {
    throw new ValidationError(`the uploaded content has digest ${digest}, not ${expectedDigest}`, [
      { path: "digest", message: "must be the sha256 of the uploaded bytes" },
    ]);
  }
  const existing = await q.query("SELECT 1 FROM bundles WHERE org_id = $1 AND digest = $2", [orgId, digest]);
  if (existing.rows.length > 0) return { digest, size_bytes: content.length, created: false };
  await inspectBundle(content);
  const res = await q.query(
    "INSERT INTO bundles (org_id, digest, size_bytes, content) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    [orgId, digest, content.length, content],
  );
  return { digest, size_bytes: content.length, created: res.rowCount > 0 };
}

export async function bundleExists(q: Queryable, orgId: string, digest: string): Promise<boolean> {
  const res = await q.query("SELECT 1 FROM bundles WHERE org_id = $1 AND digest = $2", [orgId, digest]);
  return res.rows.length > 0;
}

export async function readBundle(q: Queryable, orgId: string, digest: string): Promise<Buffer> {
  const res = await q.query<{ content: Uint8Array }>("SELECT content FROM bundles WHERE org_id = $1 AND digest = $2", [orgId, digest]);
  const row = res.rows[0];
  if (!row) throw new NotFoundError("bundle", digest);
  return Buffer.from(row.content);
}
