import { randomUUID } from "node:crypto";
import { z } from "zod";
import { NotFoundError, ValidationError } from "../errors/porch-error.js";
import type { Queryable } from "../store/db.js";
import { resourceIdSchema } from "../config/ids.js";
import { decodePageToken, toPage, type Page } from "../util/pagination.js";
import { iso, rethrowConflict } from "./sql-errors.js";
import { getProject } from "./projects.js";
import { resolveRunnerId } from "./runner-rules.js";

export const envCreateSchema = z.strictObject({
  id: resourceIdSchema,
  env_type_id: resourceIdSchema,
  display_name: z.string().min(1).max(200).optional(),
});
export const envUpdateSchema = z.strictObject({ display_name: z.string().min(1).max(200).optional() });
export const envSchema = z.object({
  id: z.string(),
  uuid: z.string(),
  project_id: z.string(),
  env_type_id: z.string(),
  display_name: z.string(),
  runner_id: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Env = z.infer<typeof envSchema>;

type Row = { id: string; uuid: string; project_id: string; env_type_id: string; display_name: string; created_at: Date; updated_at: Date };

async function toEnv(q: Queryable, orgId: string, r: Row): Promise<Env> {
  return {
    id: r.id,
    uuid: r.uuid,
    project_id: r.project_id,
    env_type_id: r.env_type_id,
    display_name: r.display_name,
    runner_id: await resolveRunnerId(q, orgId, r.project_id, r.env_type_id),
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}

export async function createEnv(q: Queryable, orgId: string, projectId: string, input: z.infer<typeof envCreateSchema>): Promise<Env> {
  await getProject(q, orgId, projectId);
  const envType = await q.query("SELECT 1 FROM env_types WHERE org_id = $1 AND id = $2", [orgId, input.env_type_id]);
  if (envType.rows.length === 0) {
    throw new ValidationError(`env type '${input.env_type_id}' does not exist`, [
      { path: "env_type_id", message: `env type '${input.env_type_id}' does not exist; create it first` },
    ]);
  }
  try {
    const res = await q.query<Row>(
      "INSERT INTO envs (org_id, project_id, id, uuid, env_type_id, display_name) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *",
      [orgId, projectId, input.id, randomUUID(), input.env_type_id, input.display_name ?? input.id],
    );
    return toEnv(q, orgId, res.rows[0]!);
  } catch (err) {
    rethrowConflict(err, { duplicate: `environment '${input.id}' already exists in project '${projectId}'` });
  }
}

export async function getEnvRow(q: Queryable, orgId: string, projectId: string, id: string): Promise<Row> {
  const res = await q.query<Row>("SELECT * FROM envs WHERE org_id = $1 AND project_id = $2 AND id = $3", [orgId, projectId, id]);
  if (!res.rows[0]) throw new NotFoundError("environment", `${projectId}/${id}`);
  return res.rows[0];
}

export async function getEnv(q: Queryable, orgId: string, projectId: string, id: string): Promise<Env> {
  return toEnv(q, orgId, await getEnvRow(q, orgId, projectId, id));
}

export async function listEnvs(q: Queryable, orgId: string, projectId: string, opts: { limit: number; pageToken?: string }): Promise<Page<Env>> {
  await getProject(q, orgId, projectId);
  const after = decodePageToken(opts.pageToken) ?? "";
  const res = await q.query<Row>("SELECT * FROM envs WHERE org_id = $1 AND project_id = $2 AND id > $3 ORDER BY id LIMIT $4", [
    orgId,
    projectId,
    after,
    opts.limit + 1,
  ]);
  const envs = await Promise.all(res.rows.map((r) => toEnv(q, orgId, r)));
  return toPage(envs, opts.limit, (e) => e.id);
}

export async function updateEnv(q: Queryable, orgId: string, projectId: string, id: string, input: z.infer<typeof envUpdateSchema>): Promise<Env> {
  const res = await q.query<Row>(
    "UPDATE envs SET display_name = coalesce($4, display_name), updated_at = now() WHERE org_id = $1 AND project_id = $2 AND id = $3 RETURNING *",
    [orgId, projectId, id, input.display_name ?? null],
  );
  if (!res.rows[0]) throw new NotFoundError("environment", `${projectId}/${id}`);
  return toEnv(q, orgId, res.rows[0]);
}

export async function deleteEnv(q: Queryable, orgId: string, projectId: string, id: string): Promise<void> {
  const env = await getEnvRow(q, orgId, projectId, id);
  const active = await q.query("SELECT 1 FROM deployments WHERE env_uuid = $1 AND status NOT IN ('succeeded','failed','cancelled') LIMIT 1", [env.uuid]);
  if (active.rows.length > 0) {
    rethrowConflict({ code: "23503" }, { referenced: `environment '${id}' has deployments in progress; wait for them or cancel them first` });
  }
  await q.query("DELETE FROM envs WHERE org_id = $1 AND project_id = $2 AND id = $3", [orgId, projectId, id]);
}
