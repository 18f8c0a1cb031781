import { z } from "zod";
import { NotFoundError } from "../errors/porch-error.js";
import type { Queryable } from "../store/db.js";
import { resourceIdSchema } from "../config/ids.js";
import { decodePageToken, toPage, type Page } from "../util/pagination.js";
import { iso, rethrowConflict } from "./sql-errors.js";

export const orgCreateSchema = z.strictObject({ id: resourceIdSchema, display_name: z.string().min(1).max(200).optional() });
export const orgSchema = z.object({ id: z.string(), display_name: z.string(), created_at: z.string(), updated_at: z.string() });
export type Org = z.infer<typeof orgSchema>;

type Row = { id: string; display_name: string; created_at: Date; updated_at: Date };
const toOrg = (r: Row): Org => ({ id: r.id, display_name: r.display_name, created_at: iso(r.created_at), updated_at: iso(r.updated_at) });

export async function createOrg(q: Queryable, input: z.infer<typeof orgCreateSchema>): Promise<Org> {
  try {
    const res = await q.query<Row>("INSERT INTO orgs (id, display_name) VALUES ($1, $2) RETURNING *", [input.id, input.display_name ?? input.id]);
    return toOrg(res.rows[0]!);
  } catch (err) {
    rethrowConflict(err, { duplicate: `org '${input.id}' already exists` });
  }
}

export async function getOrg(q: Queryable, id: string): Promise<Org> {
  const res = await q.query<Row>("SELECT * FROM orgs WHERE id = $1", [id]);
  if (!res.rows[0]) throw new NotFoundError("org", id);
  return toOrg(res.rows[0]);
}

/** `onlyOrg` limits an org-scoped token to its own org. */
export async function listOrgs(q: Queryable, opts: { limit: number; pageToken?: string; onlyOrg?: string }): Promise<Page<Org>> {
  const after = decodePageToken(opts.pageToken) ?? "";
  const res = await q.query<Row>(
    "SELECT * FROM orgs WHERE id > $1 AND ($2::text IS NULL OR id = $2) ORDER BY id LIMIT $3",
    [after, opts.onlyOrg ?? null, opts.limit + 1],
  );
  return toPage(res.rows.map(toOrg), opts.limit, (o) => o.id);
}

/** Orgs are never deleted through the API, so a positive answer can be remembered for a while. */
const knownOrgs = new Map<string, number>();
const KNOWN_ORG_MS = 60_000;

export async function assertOrgExists(q: Queryable, id: string): Promise<void> {
  const until = knownOrgs.get(id);
  if (until !== undefined && until > Date.now()) return;
  await getOrg(q, id);
  if (knownOrgs.size > 10_000) knownOrgs.clear();
  knownOrgs.set(id, Date.now() + KNOWN_ORG_MS);
}
