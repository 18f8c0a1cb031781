import { z } from "zod";
import { ValidationError } from "../errors/porch-error.js";

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

export const pageQuerySchema = z.object({
  per_page: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
  page_token: z.string().max(512).optional(),
});

export interface Page<T> {
  items: T[];
  next_page_token: string | null;
}

/** Keyset pagination: the token is the opaque sort key of the last item served. */
export function encodePageToken(key: string): string {
  return Buffer.from(JSON.stringify({ k: key }), "utf8").toString("base64url");
}

export function decodePageToken(token: string | undefined): string | undefined {
  if (!token) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { k?: unknown };
    if (typeof parsed.k === "string") return parsed.k;
  } catch {
    // fall through
  }
  throw new ValidationError("invalid page_token", [{ path: "page_token", message: "is not a token this server issued; start again without it" }]);
}

/** Fetch `limit + 1` rows, then call this to cut the page and compute the next token. */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => string): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, next_page_token: rows.length > limit && last ? encodePageToken(keyOf(last)) : null };
}
