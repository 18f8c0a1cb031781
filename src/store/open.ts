import { join } from "node:path";
import type { Db } from "./db.js";
import { openEmbeddedDb } from "./embedded.js";
import { migrate } from "./migrate.js";
import { openPostgresDb } from "./postgres.js";

/** DATABASE_URL selects a real PostgreSQL; otherwise the embedded one lives in `<dataDir>/db`. */
export async function openStore(opts: { dataDir?: string; databaseUrl?: string; skipMigrations?: boolean }): Promise<Db> {
  const db = opts.databaseUrl
    ? await openPostgresDb(opts.databaseUrl)
    : await openEmbeddedDb(opts.dataDir ? join(opts.dataDir, "db") : undefined);
  if (!opts.skipMigrations) await migrate(db);
  return db;
}
