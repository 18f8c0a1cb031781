import { createHash } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { x as extract } from "tar";
import { ConfigError, InternalError } from "../errors/porch-error.js";

/** Verifies the bundle against the digest the deployment was created with, then unpacks it. */
export async function unpackBundle(content: Buffer, expectedDigest: string, dir: string): Promise<void> {
  const digest = `sha256:${createHash("sha256").update(content).digest("hex")}`;
  if (digest !== expectedDigest) {
    throw new InternalError(`the module bundle arrived corrupted (digest ${digest}, expected ${expectedDigest})`, "bundle_corrupted");
  }
  await mkdir(dir, { recursive: true });
  try {
    // tar refuses absolute paths and '..' by default (preservePaths: false); strict turns warnings into errors.
    await pipeline(Readable.from(content), extract({ cwd: dir, strict: true, preservePaths: false }));
  } catch (err) {
    throw new ConfigError(`the module bundle could not be unpacked: ${(err as Error).message}`, "bundle_invalid", err);
  }
}
