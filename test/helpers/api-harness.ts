import type { FastifyInstance } from "fastify";
import { buildApi } from "../../src/api/server.js";
import { createApiToken } from "../../src/auth/api-tokens.js";
import type { Db } from "../../src/store/db.js";
import { openStore } from "../../src/store/open.js";
import { silentLogger } from "../../src/util/logger.js";

/**
 * The suite runs on the embedded store by default and on a real PostgreSQL when
 * PORCH_TEST_DATABASE_URL is set (.ci/run does both). Each harness gets a fresh schema.
 */
export async function openTestDb(): Promise<Db> {
  const url = await testDatabaseUrl();
  return url ? openStore({ databaseUrl: url }) : openStore({});
}

/** A fresh schema on the real PostgreSQL when PORCH_TEST_DATABASE_URL is set; undefined otherwise. */
export async function testDatabaseUrl(): Promise<string | undefined> {
  const url = process.env.PORCH_TEST_DATABASE_URL;
  if (!url) return undefined;
  const schema = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = await openStore({ databaseUrl: url, skipMigrations: true });
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.close();
  const sep = url.includes("?") ? "&" : "?";
  return `${url}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

export interface ApiHarness {
  app: FastifyInstance;
  db: Db;
  adminToken: string;
  call(method: string, url: string, body?: unknown, token?: string | null): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function startApiHarness(opts: { db?: Db; plugins?: Parameters<typeof buildApi>[0]["plugins"] } = {}): Promise<ApiHarness> {
  const db = opts.db ?? (await openTestDb());
  const app = await buildApi({ db, logger: silentLogger, plugins: opts.plugins });
  const { token: adminToken } = await createApiToken(db, { name: "test admin" });
  return {
    app,
    db,
    adminToken,
    async call(method, url, body, token = adminToken) {
      const res = await app.inject({
        method: method as "GET",
        url,
        headers: token ? { authorization: `Bearer ${token}` } : {},
        ...(body !== undefined ? { payload: body as object } : {}),
      });
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
    },
    async close() {
      await app.close();
      await db.close();
    },
  };
}
