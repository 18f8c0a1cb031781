/**
 * S3 test server: s3rver (a real S3-compatible server keeping objects on disk) behind a small shim that adds
 * conditional writes (`PUT` with `If-None-Match: *` answers 412 PreconditionFailed when the key exists),
 * which s3rver lacks and OpenTofu's S3 lock file (`use_lockfile = true`) relies on.
 *
 * Path-style addressing only (`forcePathStyle: true`). s3rver does not accept the CRC checksums the AWS SDK
 * sends by default: clients must set `requestChecksumCalculation` and `responseChecksumValidation` to
 * "WHEN_REQUIRED". A listing longer than one page fails (500): s3rver's continuation token uses DES, which
 * OpenSSL 3 no longer offers.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import S3rver from "s3rver";

export interface S3TestServer {
  /** e.g. `http://127.0.0.1:41234` */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  createBucket(name: string): Promise<void>;
  /** The object's content, or null when the key does not exist. */
  getObjectText(bucket: string, key: string): Promise<string | null>;
  listKeys(bucket: string): Promise<string[]>;
  stop(): Promise<void>;
}

/** s3rver's built-in account; it rejects requests signed with any other key. */
const S3RVER_ACCESS_KEY = "S3RVER";

export async function startS3Server(): Promise<S3TestServer> {
  const directory = await mkdtemp(path.join(tmpdir(), "porch-s3-test-"));
  const s3rver = new S3rver({ directory, silent: true, vhostBuckets: false });
  const handle = s3rver.callback();
  const conditionalWrites = new KeyedQueue();

  const server = createServer((req, res) => {
    const target = conditionalPutTarget(req);
    if (!target) {
      handle(req, res);
      return;
    }
    // Serialized per key so two racing lock writers cannot both see "absent" before either has written.
    conditionalWrites.run(`${target.bucket}/${target.key}`, async () => {
      try {
        if (await s3rver.store.existsObject(target.bucket, target.key)) {
          await drain(req);
          preconditionFailed(res);
        } else {
          handle(req, res);
        }
      } catch {
        if (!res.headersSent) res.writeHead(500).end();
      }
      await finished(res);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    accessKeyId: S3RVER_ACCESS_KEY,
    secretAccessKey: S3RVER_ACCESS_KEY,
    createBucket: (name) => s3rver.store.putBucket(name),
    async getObjectText(bucket, key) {
      const object = await s3rver.store.getObject(bucket, key);
      if (!object?.content) return null;
      const chunks: Buffer[] = [];
      for await (const chunk of object.content) chunks.push(Buffer.from(chunk as Buffer));
      return Buffer.concat(chunks).toString("utf8");
    },
    async listKeys(bucket) {
      const { objects } = await s3rver.store.listObjects(bucket, { prefix: "" });
      return objects.map((o) => o.key).sort();
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      s3rver.logger.exceptions.unhandle();
      s3rver.logger.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

function conditionalPutTarget(req: IncomingMessage): { bucket: string; key: string } | null {
  if (req.method !== "PUT" || req.headers["if-none-match"] !== "*") return null;
  if (req.headers["x-amz-copy-source"]) return null;
  const url = new URL(req.url ?? "/", "http://s3.local");
  if (url.searchParams.has("uploadId")) return null;
  const [, bucket, ...keyParts] = url.pathname.split("/");
  if (!bucket || keyParts.length === 0) return null;
  return { bucket: decodeURIComponent(bucket), key: keyParts.map(decodeURIComponent).join("/") };
}

function preconditionFailed(res: ServerResponse): void {
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    "<Error><Code>PreconditionFailed</Code>" +
    "<Message>At least one of the pre-conditions you specified did not hold</Message>" +
    `<Condition>If-None-Match</Condition><RequestId>${randomUUID()}</RequestId></Error>`;
  res.writeHead(412, { "Content-Type": "application/xml", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

function drain(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    req.on("end", resolve).on("error", () => resolve());
    req.resume();
  });
}

function finished(res: ServerResponse): Promise<void> {
  if (res.writableFinished || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    res.on("finish", resolve).on("close", resolve);
  });
}

/** Runs tasks one after another per key. */
class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  run(key: string, task: () => Promise<void>): void {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(task).catch(() => undefined);
    this.tails.set(key, next);
    void next.then(() => {
      if (this.tails.get(key) === next) this.tails.delete(key);
    });
  }
}
