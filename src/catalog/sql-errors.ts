import { ConflictError } from "../errors/porch-error.js";
import { FOREIGN_KEY_VIOLATION, RESTRICT_VIOLATION, UNIQUE_VIOLATION, pgErrorCode } from "../store/db.js";

/** Turns PostgreSQL constraint violations into the API's 409s; rethrows anything else. */
export function rethrowConflict(err: unknown, messages: { duplicate?: string; referenced?: string }): never {
  const code = pgErrorCode(err);
  if (code === UNIQUE_VIOLATION && messages.duplicate) throw new ConflictError(messages.duplicate, "already_exists");
  if ((code === FOREIGN_KEY_VIOLATION || code === RESTRICT_VIOLATION) && messages.referenced) throw new ConflictError(messages.referenced, "still_referenced");
  throw err;
}

export function iso(value: unknown): string {
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}
