import { randomBytes, randomUUID } from "node:crypto";
import { chmod, link, mkdir, readFile, stat, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ConfigError } from "../errors/porch-error.js";

export const MASTER_KEY_ENV = "PORCH_MASTER_KEY";
export const MASTER_KEY_FILE = "master-key";
const KEY_BYTES = 32;

export interface LoadMasterKeyOptions {
  env: Record<string, string | undefined>;
  /** Where `master-key` lives when PORCH_MASTER_KEY is unset; created on first use. */
  dataDir?: string;
}

/**
 * The key that seals porch's secrets at rest. PORCH_MASTER_KEY wins over the file so that replicas
 * sharing one PostgreSQL can be given the same key: a key file per replica would make each replica
 * unable to open what the others sealed.
 */
export async function loadMasterKey(opts: LoadMasterKeyOptions): Promise<Buffer> {
  const fromEnv = opts.env[MASTER_KEY_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== "") return parseMasterKey(fromEnv, MASTER_KEY_ENV);
  if (!opts.dataDir) {
    throw new ConfigError(
      `no master key: set ${MASTER_KEY_ENV} to 32 random bytes (e.g. \`openssl rand -base64 32\`) or give porch a data dir to keep one in`,
      "master_key_missing",
    );
  }
  return readOrCreateKeyFile(join(opts.dataDir, MASTER_KEY_FILE));
}

/** Accepts 64 hex characters or base64 / base64url of exactly 32 bytes. */
export function parseMasterKey(text: string, source: string): Buffer {
  const value = text.trim();
  // No 32-byte base64 text is an even-length run of hex digits (it is 43 or 44 characters, padded with
  // '='), so reading such text as hex never misreads a valid base64 key.
  const isHex = /^[0-9a-fA-F]+$/.test(value) && value.length % 2 === 0;
  if (isHex || /^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) {
    const decoded = isHex ? Buffer.from(value, "hex") : Buffer.from(value.replaceAll("-", "+").replaceAll("_", "/"), "base64");
    if (decoded.length === KEY_BYTES) return decoded;
    throw new ConfigError(
      `${source} decodes (as ${isHex ? "hex" : "base64"}) to ${decoded.length} bytes but must be exactly ${KEY_BYTES} bytes: ` +
        "use 64 hex characters or 44 base64 characters, e.g. from `openssl rand -base64 32`",
      "master_key_wrong_length",
    );
  }
  throw new ConfigError(
    `${source} is neither hex nor base64: use 64 hex characters or 44 base64 characters for ${KEY_BYTES} bytes, e.g. from \`openssl rand -base64 32\``,
    "master_key_unparseable",
  );
}

async function readOrCreateKeyFile(path: string): Promise<Buffer> {
  const existing = await readKeyFile(path);
  if (existing) return existing;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // Written under a private temporary name, then hard-linked into place: link() fails when the target
  // exists, so two processes starting together cannot both create a key, and a reader never sees a
  // half-written file.
  const tmp = `${path}.${randomUUID()}.tmp`;
  await writeFile(tmp, `${randomBytes(KEY_BYTES).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  try {
    await chmod(tmp, 0o600); // the umask can only narrow the mode; make it exact regardless
    await link(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  const created = await readKeyFile(path);
  if (!created) throw new ConfigError(`master key file ${path} vanished while porch created it; check what else writes to the data dir`, "master_key_missing");
  return created;
}

async function readKeyFile(path: string): Promise<Buffer | undefined> {
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  if (process.platform !== "win32" && (mode & 0o077) !== 0) {
    throw new ConfigError(
      `master key file ${path} is readable by other users (mode ${(mode & 0o777).toString(8)}); run \`chmod 600 ${path}\``,
      "master_key_file_permissions",
    );
  }
  return parseMasterKey(await readFile(path, "utf8"), path);
}
