import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { access, chmod, constants, mkdir, mkdtemp, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import yauzl from "yauzl";
import { ConfigError, InternalError, TransientError } from "../errors/porch-error.js";

export const DEFAULT_OPENTOFU_DOWNLOAD_URL = "https://github.com/opentofu/opentofu/releases/download";
const DOWNLOAD_TIMEOUT_MS = 5 * 60_000;

const OS_NAMES: Partial<Record<NodeJS.Platform, string>> = {
  linux: "linux",
  darwin: "darwin",
  win32: "windows",
  freebsd: "freebsd",
  openbsd: "openbsd",
  sunos: "solaris",
};
const ARCH_NAMES: Record<string, string> = { x64: "amd64", arm64: "arm64", ia32: "386", arm: "arm" };

export interface OpenTofuDownload {
  version: string;
  /** Release base URL; assets are at `<base>/v<version>/<asset>`. */
  baseUrl: string;
  cacheDir: string;
  platform: NodeJS.Platform;
  arch: string;
  log: (text: string) => void;
}

/**
 * The OpenTofu release binary for this platform, downloaded into `cacheDir` on first use. The zip is checked
 * against the release's SHA256SUMS before anything is extracted, and the binary's directory appears in the
 * cache only complete (renamed into place), so a failed or tampered download leaves nothing behind.
 */
export async function downloadOpenTofu(d: OpenTofuDownload): Promise<string> {
  const os = OS_NAMES[d.platform];
  const arch = ARCH_NAMES[d.arch];
  if (!os || !arch) {
    throw new ConfigError(
      `OpenTofu publishes no release for ${d.platform}/${d.arch}; install tofu and set PORCH_IAC_BINARY to its path`,
      "iac_platform_unsupported",
    );
  }
  const exe = os === "windows" ? "tofu.exe" : "tofu";
  const installDir = path.join(d.cacheDir, `opentofu-${d.version}-${os}_${arch}`);
  const installed = path.join(installDir, exe);
  if (await isExecutable(installed)) return installed;

  const base = `${d.baseUrl.replace(/\/+$/, "")}/v${d.version}`;
  const zipName = `tofu_${d.version}_${os}_${arch}.zip`;
  const sumsName = `tofu_${d.version}_SHA256SUMS`;
  d.log(`Downloading OpenTofu ${d.version} (${os}_${arch}) from ${base}/${zipName}`);
  const sums = (await fetchAsset(`${base}/${sumsName}`)).toString("utf8");
  const expected = checksumFor(sums, zipName);
  if (!expected) {
    throw new InternalError(`${base}/${sumsName} lists no checksum for ${zipName}; refusing to use an unverified download`, "iac_download_unverified");
  }
  const zip = await fetchAsset(`${base}/${zipName}`);
  const actual = createHash("sha256").update(zip).digest("hex");
  if (actual !== expected) {
    throw new InternalError(
      `checksum mismatch for ${base}/${zipName}: expected sha256 ${expected}, got ${actual}; the download was discarded (set PORCH_TOFU_DOWNLOAD_URL to a trusted mirror or PORCH_IAC_BINARY to an installed tofu)`,
      "iac_download_checksum_mismatch",
    );
  }

  await mkdir(d.cacheDir, { recursive: true });
  const staging = await mkdtemp(path.join(d.cacheDir, ".opentofu-download-"));
  try {
    await extractEntry(zip, exe, path.join(staging, exe));
    try {
      await rename(staging, installDir);
    } catch (err) {
      // Another runner finished the same download first: use its copy.
      if (!(await isExecutable(installed))) throw err;
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  d.log(`OpenTofu ${d.version} installed at ${installed}`);
  return installed;
}

/** The hex digest for `fileName` in a SHA256SUMS file ("<hex>  <name>" per line). */
export function checksumFor(sums: string, fileName: string): string | null {
  for (const line of sums.split(/\r?\n/)) {
    const m = /^([0-9a-fA-F]{64})\s+\*?(\S+)$/.exec(line.trim());
    if (m && m[2] === fileName) return (m[1] as string).toLowerCase();
  }
  return null;
}

async function fetchAsset(url: string): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  } catch (err) {
    throw new TransientError(`could not download ${url}: ${(err as Error).message}; install OpenTofu (tofu on PATH) or set PORCH_IAC_BINARY to an OpenTofu or Terraform binary`, "iac_download_failed", err);
  }
  if (!res.ok) {
    const message = `downloading ${url} failed with HTTP ${res.status}`;
    if (res.status === 404) {
      throw new ConfigError(`${message}: no such OpenTofu release asset; check PORCH_TOFU_DOWNLOAD_URL or set PORCH_IAC_BINARY`, "iac_download_not_found");
    }
    if (res.status === 429 || res.status >= 500) throw new TransientError(message, "iac_download_failed");
    throw new ConfigError(`${message}; check PORCH_TOFU_DOWNLOAD_URL or set PORCH_IAC_BINARY`, "iac_download_failed");
  }
  return Buffer.from(await res.arrayBuffer());
}

async function extractEntry(zip: Buffer, entryName: string, dest: string): Promise<void> {
  let archive: yauzl.ZipFile;
  try {
    archive = await yauzl.fromBufferPromise(zip, { lazyEntries: true });
  } catch (err) {
    throw new InternalError(`the OpenTofu release zip is not a valid zip file: ${(err as Error).message}`, "iac_download_invalid", err);
  }
  for await (const entry of archive.eachEntry()) {
    if (entry.fileName !== entryName) continue;
    const stream = await archive.openReadStreamPromise(entry);
    await pipeline(stream, createWriteStream(dest));
    await chmod(dest, 0o755);
    return;
  }
  throw new InternalError(`the OpenTofu release zip has no '${entryName}'`, "iac_download_invalid");
}

export async function isExecutable(file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
