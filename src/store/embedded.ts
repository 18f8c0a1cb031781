import { mkdirSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { compiledPath } from "../util/compiled-path.js";
import type { Db, QueryResult, Queryable } from "./db.js";
import { deserializeError, type FromWorker, type ToWorker } from "./embedded/worker-protocol.js";

type Reply = Extract<FromWorker, { id: number }>;
type Request = ToWorker extends infer T ? (T extends { id: number } ? Omit<T, "id"> : never) : never;

/**
 * Embedded PostgreSQL (PGlite) persisted in `dir`; `dir` undefined keeps it in memory (tests). PGlite
 * runs in a worker thread (see embedded/worker-protocol.ts), so queries do not stall the event loop.
 */
export async function openEmbeddedDb(dir?: string): Promise<Db> {
  if (dir) mkdirSync(dir, { recursive: true });
  const worker = new Worker(compiledPath(import.meta.url, "./embedded/worker.js", "the embedded store's worker"), {
    workerData: { dir },
    // Plain compiled JavaScript: none of the parent's loader or eval flags apply to it.
    execArgv: [],
  });
  const pending = new Map<number, { resolve(r: Reply): void; reject(e: Error): void }>();
  let nextId = 1;
  let broken: Error | null = null;

  // The worker keeps the process alive only while a request is waiting for it.
  worker.unref();
  const settle = (id: number) => {
    pending.delete(id);
    if (pending.size === 0) worker.unref();
  };
  const fail = (err: Error) => {
    broken ??= err;
    for (const [id, p] of pending) {
      settle(id);
      p.reject(err);
    }
  };

  const ready = new Promise<void>((resolve, reject) => {
    worker.once("message", (msg: FromWorker) => {
      if ("ready" in msg && msg.ready) resolve();
      else if ("ready" in msg) reject(deserializeError(msg.error));
    });
    worker.once("error", reject);
  });
  worker.ref();
  await ready.finally(() => worker.unref());
  worker.on("message", (msg: FromWorker) => {
    if (!("id" in msg)) return;
    const p = pending.get(msg.id);
    if (!p) return;
    settle(msg.id);
    if (msg.ok) p.resolve(msg);
    else p.reject(deserializeError(msg.error));
  });
  worker.on("error", (err) => fail(new Error(`the embedded database stopped: ${err.message}`)));
  worker.on("exit", (code) => fail(new Error(`the embedded database stopped (worker exit code ${code})`)));

  const send = (req: Request): Promise<Reply> => {
    if (broken) return Promise.reject(broken);
    const id = nextId++;
    return new Promise<Reply>((resolve, reject) => {
      if (pending.size === 0) worker.ref();
      pending.set(id, { resolve, reject });
      try {
        worker.postMessage({ ...req, id } as ToWorker);
      } catch (err) {
        // A parameter that cannot cross to the worker (a function, say): this query fails, nothing else.
        settle(id);
        reject(err as Error);
      }
    });
  };

  const queryable = (tx?: number): Queryable => ({
    async query<T>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
      const r = (await send({ op: "query", sql, params, tx })) as Extract<Reply, { ok: true }>;
      return { rows: (r.rows ?? []) as T[], rowCount: r.rowCount ?? 0 };
    },
    async exec(sql: string): Promise<void> {
      await send({ op: "exec", sql, tx });
    },
  });
  const base = queryable();

  return {
    kind: "embedded",
    query: base.query,
    exec: base.exec,
    async tx(fn) {
      const begun = (await send({ op: "begin" })) as Extract<Reply, { ok: true }>;
      const tx = begun.tx!;
      let out;
      try {
        out = await fn(queryable(tx));
      } catch (err) {
        await send({ op: "rollback", tx }).catch(() => undefined);
        throw err;
      }
      await send({ op: "commit", tx });
      return out;
    },
    async close() {
      if (!broken) await send({ op: "close" }).catch(() => undefined);
      // Queries still waiting will not be answered any more: say so rather than leave them hanging.
      fail(new Error("the embedded database is closed"));
      // The database files are closed; the thread itself may end in its own time.
      void worker.terminate();
    },
  };
}
