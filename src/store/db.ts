/**
 * The one database interface porch uses. Both implementations speak the PostgreSQL dialect:
 * PGlite (embedded, in-process, stored in the data dir) and node-postgres (DATABASE_URL).
 * Write plain PostgreSQL with $1-style parameters; never rely on dialect differences.
 */
export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: "embedded" | "postgres";
  /** Runs `fn` in one transaction; rolls back when it throws. */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** PostgreSQL's unique_violation, for turning duplicate ids into 409s. */
export const UNIQUE_VIOLATION = "23505";
export const FOREIGN_KEY_VIOLATION = "23503";
/** ON DELETE RESTRICT reports this instead of 23503. */
export const RESTRICT_VIOLATION = "23001";

export function pgErrorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}
