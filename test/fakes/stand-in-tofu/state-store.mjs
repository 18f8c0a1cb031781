// State storage for the stand-in: the `local` backend (state file + `.<name>.lock.info` lock file) and the
// `s3` backend through @aws-sdk/client-s3 (native lock file `<key>.tflock` written with If-None-Match: *).
import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { hostname, userInfo } from "node:os";
import path from "node:path";
import { DiagnosticError } from "./diagnostics.mjs";
import { sleep } from "./durations.mjs";

const LOCK_RETRY_MS = 200;

const LOCK_HELP =
  "OpenTofu acquires a state lock to protect the state from being written\n" +
  "by multiple users at the same time. Please resolve the issue above and try\n" +
  'again. For most commands, you can disable locking with the "-lock=false"\n' +
  "flag, but this is not recommended.";

/**
 * @typedef {object} StateStore
 * @property {() => Promise<object | null>} read
 * @property {(state: object) => Promise<void>} write
 * @property {(operation: string) => Promise<object | null>} tryLock the lock info, or null when the lock is held
 * @property {(lock: object) => Promise<void>} unlock
 * @property {() => Promise<object | null>} currentLock
 * @property {() => Promise<void>} verify
 */

/** @returns {Promise<StateStore>} */
export async function openStateStore(backend, { cwd, env, version }) {
  if (backend.type === "local") return localStore(backend.config, cwd, version);
  if (backend.type === "s3") return s3Store(backend.config, env, version);
  throw new DiagnosticError({
    severity: "error",
    summary: "Unsupported backend type",
    detail: `The stand-in tofu supports the "local" and "s3" backends, not "${backend.type}".`,
  });
}

/** Acquires the state lock, waiting up to `timeoutMs` for a held lock; stops waiting when `signal` aborts. */
export async function acquireLock(store, operation, timeoutMs, signal) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lock = await store.tryLock(operation);
    if (lock) return lock;
    if (Date.now() >= deadline || signal.aborted) {
      const held = await store.currentLock();
      throw new DiagnosticError({
        severity: "error",
        summary: "Error acquiring the state lock",
        detail: `Error message: the state is already locked\n${describeLock(held)}\n\n${LOCK_HELP}`,
      });
    }
    await sleep(Math.min(LOCK_RETRY_MS, Math.max(1, deadline - Date.now())), signal).catch(() => undefined);
  }
}

function describeLock(lock) {
  if (!lock) return "Lock Info: (unreadable)";
  return [
    "Lock Info:",
    `  ID:        ${lock.ID}`,
    `  Path:      ${lock.Path}`,
    `  Operation: ${lock.Operation}`,
    `  Who:       ${lock.Who}`,
    `  Version:   ${lock.Version}`,
    `  Created:   ${lock.Created}`,
    `  Info:      ${lock.Info}`,
  ].join("\n");
}

function newLockInfo(operation, lockPath, version) {
  return {
    ID: randomUUID(),
    Operation: operation,
    Info: "",
    Who: `${safeUser()}@${hostname()}`,
    Version: version,
    Created: new Date().toISOString(),
    Path: lockPath,
  };
}

function safeUser() {
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}

function localStore(config, cwd, version) {
  const statePath = path.resolve(cwd, config.path ?? "terraform.tfstate");
  const lockPath = path.join(path.dirname(statePath), `.${path.basename(statePath)}.lock.info`);
  const readJson = async (p) => {
    try {
      return JSON.parse(await readFile(p, "utf8"));
    } catch (err) {
      if (err.code === "ENOENT") return null;
      throw err;
    }
  };
  return {
    describe: statePath,
    async verify() {},
    read: () => readJson(statePath),
    async write(state) {
      await mkdir(path.dirname(statePath), { recursive: true });
      const tmp = `${statePath}.${process.pid}.tmp`;
      await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
      await rename(tmp, statePath);
    },
    async tryLock(operation) {
      await mkdir(path.dirname(statePath), { recursive: true });
      const info = newLockInfo(operation, statePath, version);
      try {
        await writeFile(lockPath, JSON.stringify(info), { flag: "wx" });
        return info;
      } catch (err) {
        if (err.code === "EEXIST") return null;
        throw err;
      }
    },
    currentLock: () => readJson(lockPath).catch(() => null),
    async unlock() {
      await rm(lockPath, { force: true });
    },
  };
}

async function s3Store(config, env, version) {
  // The SDK warns on stderr about future Node versions; real OpenTofu prints nothing of the kind.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const { S3Client, GetObjectCommand, PutObjectCommand, DeleteObjectCommand, ListObjectsV2Command } = await import("@aws-sdk/client-s3");
  for (const required of ["bucket", "key"]) {
    if (!config[required]) {
      throw new DiagnosticError({ severity: "error", summary: "Missing required argument", detail: `The argument "${required}" is required, but was not set.` });
    }
  }
  const region = config.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new DiagnosticError({
      severity: "error",
      summary: "Missing region value",
      detail: 'The "region" attribute or the "AWS_REGION" or "AWS_DEFAULT_REGION" environment variables must be set.',
    });
  }
  const endpoints = Array.isArray(config.endpoints) ? config.endpoints[0] : config.endpoints;
  const client = new S3Client({
    region,
    ...(endpoints?.s3 ? { endpoint: endpoints.s3 } : {}),
    forcePathStyle: config.use_path_style === true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  const bucket = config.bucket;
  const key = config.key;
  const lockKey = `${key}.tflock`;
  const useLockfile = config.use_lockfile === true;
  const sse = config.encrypt === true ? { ServerSideEncryption: "AES256" } : {};
  const failure = (summary, err) =>
    new DiagnosticError({ severity: "error", summary, detail: `${err?.name ?? "Error"}: ${err?.message ?? String(err)}` });

  const getText = async (k) => {
    try {
      const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: k }));
      return await res.Body.transformToString();
    } catch (err) {
      if (err?.name === "NoSuchKey") return null;
      throw err;
    }
  };

  return {
    describe: `s3://${bucket}/${key}`,
    async verify() {
      try {
        // OpenTofu lists non-default workspaces under "env:/"; that also proves the bucket is reachable.
        await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "env:/" }));
      } catch (err) {
        throw failure("Failed to get existing workspaces", err);
      }
    },
    async read() {
      try {
        const text = await getText(key);
        return text ? JSON.parse(text) : null;
      } catch (err) {
        throw failure("Failed to load state", err);
      }
    },
    async write(state) {
      try {
        await client.send(
          new PutObjectCommand({ Bucket: bucket, Key: key, Body: `${JSON.stringify(state, null, 2)}\n`, ContentType: "application/json", ...sse }),
        );
      } catch (err) {
        throw failure("Failed to save state", err);
      }
    },
    async tryLock(operation) {
      const info = newLockInfo(operation, `${bucket}/${key}`, version);
      if (!useLockfile) return info;
      try {
        await client.send(
          new PutObjectCommand({ Bucket: bucket, Key: lockKey, Body: JSON.stringify(info), ContentType: "application/json", IfNoneMatch: "*", ...sse }),
        );
        return info;
      } catch (err) {
        if (err?.name === "PreconditionFailed" || err?.$metadata?.httpStatusCode === 412) return null;
        throw failure("Error acquiring the state lock", err);
      }
    },
    async currentLock() {
      const text = await getText(lockKey).catch(() => null);
      return text ? JSON.parse(text) : null;
    },
    async unlock(lock) {
      if (!useLockfile) return;
      const held = await this.currentLock();
      if (held && held.ID !== lock.ID) {
        throw new DiagnosticError({ severity: "error", summary: "Error releasing the state lock", detail: `The lock is held by ${held.ID}, not ${lock.ID}.` });
      }
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: lockKey }));
    },
  };
}
