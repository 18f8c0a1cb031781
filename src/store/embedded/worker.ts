import { parentPort, workerData } from "node:worker_threads";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import { serializeError, type FromWorker, type ToWorker } from "./worker-protocol.js";

/** Entry point of the embedded store's worker thread (see worker-protocol.ts). */
const port = parentPort!;
const reply = (msg: FromWorker) => port.postMessage(msg);

interface OpenTx {
  /** Statements of this transaction, in the order the main thread sent them. */
  queue: Array<Extract<ToWorker, { op: "query" | "exec" | "commit" | "rollback" }>>;
  wake: (() => void) | null;
}

const ROLLBACK = Symbol("rollback");
let nextTx = 1;
const txs = new Map<number, OpenTx>();

async function run(t: PGlite | Transaction, req: Extract<ToWorker, { op: "query" | "exec" }>): Promise<void> {
  try {
    if (req.op === "exec") {
      await t.exec(req.sql);
      reply({ id: req.id, ok: true });
    } else {
      const res = await t.query(req.sql, req.params);
      reply({ id: req.id, ok: true, rows: res.rows, rowCount: res.affectedRows ?? res.rows.length });
    }
  } catch (err) {
    reply({ id: req.id, ok: false, error: serializeError(err) });
  }
}

/** One PGlite transaction, driven statement by statement from the main thread until commit or rollback. */
function begin(pg: PGlite, id: number): void {
  const txId = nextTx++;
  const open: OpenTx = { queue: [], wake: null };
  txs.set(txId, open);
  let end: Extract<ToWorker, { op: "commit" | "rollback" }> | undefined;
  pg.transaction(async (t) => {
    reply({ id, ok: true, tx: txId });
    for (;;) {
      let next = open.queue.shift();
      while (!next) {
        await new Promise<void>((r) => (open.wake = r));
        next = open.queue.shift();
      }
      if (next.op === "commit" || next.op === "rollback") {
        end = next;
        if (next.op === "rollback") throw ROLLBACK;
        return;
      }
      await run(t, next as Extract<ToWorker, { op: "query" | "exec" }>);
    }
  }).then(
    () => reply({ id: end!.id, ok: true }),
    (err: unknown) => {
      if (err === ROLLBACK) reply({ id: end!.id, ok: true });
      else if (end) reply({ id: end.id, ok: false, error: serializeError(err) });
      else reply({ id, ok: false, error: serializeError(err) });
    },
  ).finally(() => txs.delete(txId));
}

async function main(): Promise<void> {
  let pg: PGlite;
  try {
    const dir = (workerData as { dir?: string }).dir;
    pg = dir ? new PGlite(dir) : new PGlite();
    await pg.waitReady;
  } catch (err) {
    reply({ ready: false, error: serializeError(err) });
    return;
  }
  port.on("message", (req: ToWorker) => {
    if (req.op === "begin") return begin(pg, req.id);
    if (req.op === "close") {
      void pg.close().then(
        () => reply({ id: req.id, ok: true }),
        (err: unknown) => reply({ id: req.id, ok: false, error: serializeError(err) }),
      );
      return;
    }
    if ((req.op === "query" || req.op === "exec" || req.op === "commit" || req.op === "rollback") && req.tx !== undefined) {
      const open = txs.get(req.tx);
      if (!open) return reply({ id: req.id, ok: false, error: { message: "the transaction has already ended", fields: {} } });
      open.queue.push(req);
      open.wake?.();
      open.wake = null;
      return;
    }
    void run(pg, req as Extract<ToWorker, { op: "query" | "exec" }>);
  });
  reply({ ready: true });
}

void main();
