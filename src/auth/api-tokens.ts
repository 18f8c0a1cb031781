import { randomUUID } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { NotFoundError, UnauthorizedError, ValidationError } from "../errors/porch-error.js";
import type { Db, Queryable } from "../store/db.js";
import { hashToken, newToken } from "../util/tokens.js";
import { resourceIdSchema } from "../config/ids.js";

/** Who is calling: an admin token sees every org; an org token sees only its own. */
export interface Principal {
  tokenId: string;
  orgId: string | null;
}

export const tokenCreateSchema = z.strictObject({
  name: z.string().min(1).max(100),
  org_id: resourceIdSchema.optional(),
  ttl_seconds: z.number().int().min(60).max(366 * 24 * 3600).optional(),
});

export const ADMIN_TOKEN_FILE = "admin-token";

export async function createApiToken(
  q: Queryable,
  input: z.infer<typeof tokenCreateSchema>,
): Promise<{ id: string; token: string; name: string; org_id: string | null; expires_at: string | null }> {
  if (input.org_id) {
    const org = await q.query("SELECT 1 FROM orgs WHERE id = $1", [input.org_id]);
    if (org.rows.length === 0) throw new ValidationError(`org '${input.org_id}' does not exist`, [{ path: "org_id", message: "org does not exist" }]);
  }
  const token = newToken("porch_api");
  const id = randomUUID();
  const expiresAt = input.ttl_seconds ? new Date(Date.now() + input.ttl_seconds * 1000) : null;
  await q.query("INSERT INTO api_tokens (id, token_hash, name, org_id, expires_at) VALUES ($1, $2, $3, $4, $5)", [
    id,
    hashToken(token),
    input.name,
    input.org_id ?? null,
    expiresAt,
  ]);
  return { id, token, name: input.name, org_id: input.org_id ?? null, expires_at: expiresAt?.toISOString() ?? null };
}

type TokenRow = { id: string; org_id: string | null; expires_at: Date | null };

/**
 * Valid tokens are remembered briefly, so a busy CLI or CI system does not cost a query per request.
 * Only successful lookups are cached, and expiry is still checked on every request.
 */
const recentTokens = new Map<string, { row: TokenRow; until: number }>();
const TOKEN_CACHE_MS = 30_000;
const TOKEN_CACHE_MAX = 1000;

export async function authenticate(q: Queryable, authorization: string | undefined): Promise<Principal> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
  if (!match) throw new UnauthorizedError();
  const hash = hashToken(match[1]!);
  const now = Date.now();
  const cached = recentTokens.get(hash);
  let row = cached && cached.until > now ? cached.row : undefined;
  if (!row) {
    const res = await q.query<TokenRow>("SELECT id, org_id, expires_at FROM api_tokens WHERE token_hash = $1", [hash]);
    row = res.rows[0];
    if (!row) throw new UnauthorizedError("the bearer token is not valid for this server");
    if (recentTokens.size >= TOKEN_CACHE_MAX) recentTokens.clear();
    recentTokens.set(hash, { row, until: now + TOKEN_CACHE_MS });
  }
  if (row.expires_at && new Date(row.expires_at).getTime() <= now) {
    recentTokens.delete(hash);
    throw new UnauthorizedError("the bearer token has expired; create a new one");
  }
  return { tokenId: row.id, orgId: row.org_id };
}

/** An org-scoped token must not learn that other orgs exist: it gets the same 404 as a missing org. */
export function assertOrgAccess(principal: Principal, orgId: string): void {
  if (principal.orgId !== null && principal.orgId !== orgId) throw new NotFoundError("org", orgId);
}

/**
 * First start: create an admin token and write it to `<dataDir>/admin-token` (0600) so the CLI on the
 * same machine finds it. Later starts keep the existing file when it still authenticates.
 */
export async function ensureAdminToken(db: Db, dataDir: string): Promise<{ path: string; created: boolean }> {
  const path = join(dataDir, ADMIN_TOKEN_FILE);
  if (existsSync(path)) {
    const existing = readFileSync(path, "utf8").trim();
    const found = await db.query("SELECT 1 FROM api_tokens WHERE token_hash = $1 AND org_id IS NULL", [hashToken(existing)]);
    if (found.rows.length > 0) return { path, created: false };
  }
  const created = await createApiToken(db, { name: "admin (created on first start)" });
  writeFileSync(path, `${created.token}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return { path, created: true };
}
