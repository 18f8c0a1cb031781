import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { openEmbeddedDb } from "../../src/store/embedded.js";
import { UNIQUE_VIOLATION, pgErrorCode } from "../../src/store/db.js";

const dir = mkdtempSync(join(tmpdir(), "porch-embedded-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the embedded store (PGlite in a worker thread)", () => {
  it("commits, rolls back on a thrown error, and keeps PostgreSQL's error codes and value types", async () => {
    const db = await openEmbeddedDb(join(dir, "a"));
    try {
      await db.exec("CREATE TABLE t (id int PRIMARY KEY, body bytea, at timestamptz DEFAULT now(), doc jsonb)");
      await db.tx(async (q) => {
        await q.query("INSERT INTO t (id, body, doc) VALUES (1, $1, $2)", [Buffer.from("one"), JSON.stringify({ k: [1, 2] })]);
      });
      const err = await db
        .tx(async (q) => {
          await q.query("INSERT INTO t (id) VALUES (2)");
          await q.query("INSERT INTO t (id) VALUES (1)");
        })
        .catch((e: unknown) => e);
      expect(pgErrorCode(err)).toBe(UNIQUE_VIOLATION);
      // The whole failed transaction is gone, not just its last statement.
      const rows = (await db.query<{ id: number; body: Uint8Array; at: Date; doc: unknown }>("SELECT * FROM t ORDER BY id")).rows;
      expect(rows.map((r) => r.id)).toEqual([1]);
      expect(Buffer.from(rows[0]!.body).toString("utf8")).toBe("one");
      expect(rows[0]!.at).toBeInstanceOf(Date);
      expect(rows[0]!.doc).toEqual({ k: [1, 2] });
      // A transaction the caller abandons by throwing its own error is rolled back too.
      await expect(
        db.tx(async (q) => {
          await q.query("INSERT INTO t (id) VALUES (3)");
          throw new Error("changed my mind");
        }),
      ).rejects.toThrow("changed my mind");
      expect((await db.query("SELECT id FROM t WHERE id = 3")).rows).toEqual([]);
      expect((await db.query("UPDATE t SET doc = '{}'::jsonb")).rowCount).toBe(1);
      // A parameter that cannot be sent to the worker fails that query alone.
      await expect(db.query("SELECT $1::text", [() => 1])).rejects.toThrow();
      expect((await db.query<{ n: number }>("SELECT count(*)::int AS n FROM t")).rows[0]!.n).toBe(1);
    } finally {
      await db.close();
    }
  });

  it("answers after close with an error instead of hanging", async () => {
    const db = await openEmbeddedDb(join(dir, "b"));
    await db.close();
    await expect(db.query("SELECT 1")).rejects.toThrow(/closed/);
  });

  it("does not keep a finished program alive (the worker holds the process only while a query waits)", async () => {
    const script = `
      const { openEmbeddedDb } = await import(${JSON.stringify(resolve("dist/store/embedded.js"))});
      const db = await openEmbeddedDb(process.argv[1]);
      // A query that never reached the worker must not keep holding the process either.
      await db.query("SELECT $1::text", [() => 1]).catch(() => undefined);
      const r = await db.query("SELECT 41 + 1 AS n");
      process.stdout.write(String(r.rows[0].n));`;
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script, join(dir, "c")], { timeout: 30_000 });
    expect(stdout).toBe("42");
  });
});
