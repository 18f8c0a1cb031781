import { openEmbeddedDb } from "../../src/store/embedded.js";
import type { Db } from "../../src/store/db.js";
import { migrate } from "../../src/store/migrate.js";
import { MIGRATIONS } from "../../src/store/migrations/index.js";
import { sql as oidcSql } from "../../src/store/migrations/003_oidc.js";

/** In-memory PGlite with porch's migrations plus the OIDC one (registered here until the lead adds it as version 3). */
export async function openOidcTestDb(): Promise<Db> {
  const db = await openEmbeddedDb();
  const withOidc = MIGRATIONS.some((m) => m.version === 3) ? MIGRATIONS : [...MIGRATIONS, { version: 3, name: "oidc", sql: oidcSql }];
  await migrate(db, withOidc);
  return db;
}

/** A clock the test moves by hand, so expiry and rotation are exercised without waiting. */
export class ManualClock {
  private ms: number;
  constructor(start = "2030-01-01T00:00:00Z") {
    this.ms = Date.parse(start);
  }
  readonly now = (): Date => new Date(this.ms);
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

export const TEST_MASTER_KEY = Buffer.alloc(32, 7);
export const TEST_ISSUER = "https://oidc.porch.example/tenant-a";
