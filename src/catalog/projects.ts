import { z } from "zod";
import { NotFoundError } from "../errors/porch-error.js";
import type { Queryable } from "../store/db.js";
import { resourceIdSchema } from "../config/ids.js";
import { decodePageToken, toPage, type Page } from "../util/pagination.js";
import { iso, rethrowConflict } from "./sql-errors.js";

export const projectCreateSchema = z.strictObject({ id: resourceIdSchema, display_name: z.string().min(1).max(200).optional() });
export const projectUpdateSchema = z.strictObject({ display_name: z.string().min(1).max(200).optional() });
export const projectSchema = z.object({ id: z.string(), display_name: z.string(), created_at: z.string(), updated_at: z.string() });
export type Project = z.infer<typeof projectSchema>;

type Row = { id: string; display_name: string; created_at: Date; updated_at: Date };
const toProject = (r: Row): Project => ({ id: r.id, display_name: r.display_name, created_at: iso(r.created_at), updated_at: iso(r.updated_at) });

export async function createProject(q: Queryable, orgId: string, input: z.infer<typeof projectCreateSchema>): Promise<Project> {
  try {
    const res = await q.query<Row>("INSERT INTO projects (org_id, id, display_name) VALUES ($1, $2, $3) RETURNING *", [
      orgId,
      input.id,
      input.display_name ?? input.id,
    ]);
    return toProject(res.rows[0]!);
  } catch (err) {
    rethrowConflict(err, { duplicate: `project '${input.id}' already exists` });
  }
}

export async function getProject(q: Queryable, orgId: string, id: string): Promise<Project> {
  const res = await q.query<Row>("SELECT * FROM projects WHERE org_id = $1 AND id = $2", [orgId, id]);
  if (!res.rows[0]) throw new NotFoundError("project", id);
  return toProject(res.rows[0]);
}

export async function listProjects(q: Queryable, orgId: string, opts: { limit: number; pageToken?: string }): Promise<Page<Project>> {
  const after = decodePageToken(opts.pageToken) ?? "";
  const res = await q.query<Row>("SELECT * FROM projects WHERE org_id = $1 AND id > $2 ORDER BY id LIMIT $3", [orgId, after, opts.limit + 1]);
  return toPage(res.rows.map(toProject), opts.limit, (p) => p.id);
}

export async function updateProject(q: Queryable, orgId: string, id: string, input: z.infer<typeof projectUpdateSchema>): Promise<Project> {
  const res = await q.query<Row>(
    "UPDATE projects SET display_name = coalesce($3, display_name), updated_at = now() WHERE org_id = $1 AND id = $2 RETURNING *",
    [orgId, id, input.display_name ?? null],
  );
  if (!res.rows[0]) throw new NotFoundError("project", id);
  return toProject(res.rows[0]);
}

export async function deleteProject(q: Queryable, orgId: string, id: string): Promise<void> {
  await getProject(q, orgId, id);
  const rules = await q.query("SELECT 1 FROM runner_rules WHERE org_id = $1 AND project_id = $2 LIMIT 1", [orgId, id]);
  if (rules.rows.length > 0) {
    rethrowConflict({ code: "23503" }, { referenced: `project '${id}' is used by a runner rule; delete the rule first` });
  }
  try {
    await q.query("DELETE FROM projects WHERE org_id = $1 AND id = $2", [orgId, id]);
  } catch (err) {
    rethrowConflict(err, { referenced: `project '${id}' still has environments; delete them first` });
  }
}
