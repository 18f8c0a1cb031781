/**
 * Messages between the embedded store (main thread) and the worker thread that runs PGlite. PGlite is
 * PostgreSQL compiled to WebAssembly: every query runs on the thread that owns it, so on the server's
 * own thread it competed with HTTP handling for the one event loop. In a worker it uses another core.
 */
export type ToWorker =
  | { id: number; op: "query"; sql: string; params?: unknown[]; tx?: number }
  | { id: number; op: "exec"; sql: string; tx?: number }
  | { id: number; op: "begin" }
  | { id: number; op: "commit" | "rollback"; tx: number }
  | { id: number; op: "close" };

export interface SerializedError {
  message: string;
  /** PostgreSQL's fields (code = SQLSTATE) survive the thread boundary; callers branch on `code`. */
  fields: Record<string, string | number | undefined>;
}

export type FromWorker =
  | { ready: true }
  | { ready: false; error: SerializedError }
  | { id: number; ok: true; rows?: unknown[]; rowCount?: number; tx?: number }
  | { id: number; ok: false; error: SerializedError };

const PG_ERROR_FIELDS = ["code", "severity", "detail", "hint", "position", "schema", "table", "column", "dataType", "constraint", "where"] as const;

export function serializeError(err: unknown): SerializedError {
  const e = err as Record<string, unknown> | null;
  const fields: SerializedError["fields"] = {};
  for (const k of PG_ERROR_FIELDS) {
    const v = e?.[k];
    if (typeof v === "string" || typeof v === "number") fields[k] = v;
  }
  return { message: err instanceof Error ? err.message : String(err), fields };
}

export function deserializeError(s: SerializedError): Error {
  return Object.assign(new Error(s.message), s.fields);
}
