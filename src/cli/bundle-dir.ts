import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { create as createTar } from "tar";
import ignore from "ignore";

/** What Terraform/OpenTofu remote runs leave out without being told (.terraformignore docs). */
const ALWAYS_IGNORED = [".git/", ".terraform/"];

function listFiles(dir: string, ig: ReturnType<typeof ignore>): string[] {
  const out: string[] = [];
  const walk = (abs: string) => {
    for (const entry of readdirSync(abs, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(abs, entry.name);
      const rel = relative(dir, full).split(sep).join("/");
      if (entry.isDirectory()) {
        if (ig.ignores(`${rel}/`)) continue;
        walk(full);
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        if (!ig.ignores(rel)) out.push(rel);
      }
    }
  };
  walk(dir);
  return out;
}

/**
 * A deterministic .tar.gz of a module directory (sorted entries, fixed mtimes, no owners), so an
 * unchanged directory always has the same digest and is uploaded once.
 */
export async function bundleDirectory(dir: string): Promise<{ content: Buffer; digest: string; files: string[] }> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir} is not a directory`);
  const ig = ignore().add(ALWAYS_IGNORED);
  const ignoreFile = join(dir, ".terraformignore");
  if (existsSync(ignoreFile)) ig.add(readFileSync(ignoreFile, "utf8"));
  const files = listFiles(dir, ig);
  if (!files.some((f) => /\.(tf|tofu)(\.json)?$/.test(f))) throw new Error(`${dir} has no .tf or .tofu files: point porch deploy at an OpenTofu root module`);
  const chunks: Buffer[] = [];
  const stream = createTar({ gzip: { level: 9 }, cwd: dir, portable: true, noMtime: false, mtime: new Date(0), follow: true }, files);
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  const content = Buffer.concat(chunks);
  return { content, digest: `sha256:${createHash("sha256").update(content).digest("hex")}`, files };
}
