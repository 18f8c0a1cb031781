import { z } from "zod";
import { NotFoundError } from "../errors/porch-error.js";
import type { Queryable } from "../store/db.js";
import { resourceIdSchema } from "../config/ids.js";
import { decodePageToken, toPage, type Page } from "../util/pagination.js";
import { iso, rethrowConflict } from "./sql-errors.js";

export const envTypeCreateSchema = z.strictObject({
  id: resourceIdSchema,
  display_name: z.string().min(1).max(200).optional(),
  description: z.string().max(1000).optional(),
});
export const envTypeUpdateSchema = z.strictObject({ display_name: z.string().min(1).max(200).optional(), description: z.string().max(1000).optional() });
export const envTypeSchema = z.object({ id: z.string(), display_name: z.string(), description: z.string(), created_at: z.string(), updated_at: z.string() });
export type EnvType = z.infer<typeof envTypeSchema>;

type Row = { id: string; display_name: string; description: string; created_at: Date; updated_at: Date };
const toEnvType = (r: Row): EnvType => ({
  id: r.id,
  display_name: r.display_name,
  description: r.description,
  created_at: iso(r.created_at),
  updated_at: iso(r.updated_at),
});

export async function createEnvType(q: Queryable, orgId: string, input: z.infer<typeof envTypeCreateSchema>): Promise<EnvType> {
  try {
    const res = await q.query<Row>(
      "INSERT INTO env_types (org_id, id, display_name, description) VALUES ($1, $2, $3, $4) RETURNING *",
      [orgId, input.id, input.display_name ?? input.id, input.description ?? ""],
    );
    return toEnvType(res.rows[0]!);
  } catch (err) {
    rethrowConflict(err, { duplicate: `env type '${input.id}' already exists` });
  }
}

export async function getEnvType(q: Queryable, orgId: string, id: string): Promise<EnvType> {
  const res = await q.query<Row>("SELECT * FROM env_types WHERE org_id = $1 AND id = $2", [orgId, id]);
  if (!res.rows[0]) throw new NotFoundError("env type", id);
  return toEnvType(res.rows[0]);
}

export async function listEnvTypes(q: Queryable, orgId: string, opts: { limit: number; pageToken?: string }): Promise<Page<EnvType>> {
  const after = decodePageToken(opts.pageToken) ?? "";
  const res = await q.query<Row>("SELECT * FROM env_types WHERE org_id = $1 AND id > $2 ORDER BY id LIMIT $3", [orgId, after, opts.limit + 1]);
  return toPage(res.rows.map(toEnvType), opts.limit, (e) => e.id);
}

export async function updateEnvType(q: Queryable, orgId: string, id: string, input: z.infer<typeof envTypeUpdateSchema>): Promise<EnvType> {
  const res = await q.query<Row>(
    `UPDATE env_types SET display_name = coalesce($3, display_name), description = coalesce($4, description), updated_at = now()
     WHERE org_id = $1 AND id = $2 RETURNING *`,
    [orgId, id, input.display_name ?? null, input.description ?? null],
  );
  if (!res.rows[0]) throw new NotFoundError("env type", id);
  return toEnvType(res.rows[0]);
}

export async function deleteEnvType(q: Queryable, orgId: string, id: string): Promise<void> {
  await getEnvType(q, orgId, id);
  const rules = await q.query("SELECT 1 FROM runner_rules WHERE org_id = $1 AND env_type_id = $2 LIMIT 1", [orgId, id]);
  if (rules.rows.length > 0) {
    rethrowConflict({ code: "23503" }, { referenced: `env type '${id}' is used by a runner rule; delete the rule first` });
  }
  try {
    await q.query("DELETE FROM env_types WHERE org_id = $1 AND id = $2", [orgId, id]);
  } catch (err) {
    rethrowConflict(err, { referenced: `env type '${id}' is used by environments; delete or move them first` });
  }
}
