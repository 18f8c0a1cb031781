import { randomUUID } from "node:crypto";
import { z } from "zod";
import { NotFoundError, ValidationError, type FieldProblem } from "../errors/porch-error.js";
import type { Queryable } from "../store/db.js";
import { resourceIdSchema, runnerIdSchema } from "../config/ids.js";
import { decodePageToken, toPage, type Page } from "../util/pagination.js";
import { iso, rethrowConflict } from "./sql-errors.js";

export const runnerRuleCreateSchema = z.strictObject({
  runner_id: runnerIdSchema,
  project_id: resourceIdSchema.optional(),
  env_type_id: resourceIdSchema.optional(),
});
export const runnerRuleSchema = z.object({
  id: z.string(),
  runner_id: z.string(),
  project_id: z.string().optional(),
  env_type_id: z.string().optional(),
  created_at: z.string(),
});
export type RunnerRule = z.infer<typeof runnerRuleSchema>;

type Row = { id: string; runner_id: string; project_id: string | null; env_type_id: string | null; created_at: Date };
const toRule = (r: Row): RunnerRule => ({
  id: r.id,
  runner_id: r.runner_id,
  ...(r.project_id ? { project_id: r.project_id } : {}),
  ...(r.env_type_id ? { env_type_id: r.env_type_id } : {}),
  created_at: iso(r.created_at),
});

async function exists(q: Queryable, table: "runners" | "projects" | "env_types", orgId: string, id: string): Promise<boolean> {
  const res = await q.query(`SELECT 1 FROM ${table} WHERE org_id = $1 AND id = $2`, [orgId, id]);
  return res.rows.length > 0;
}

export async function createRunnerRule(q: Queryable, orgId: string, input: z.infer<typeof runnerRuleCreateSchema>): Promise<RunnerRule> {
  const problems: FieldProblem[] = [];
  if (!(await exists(q, "runners", orgId, input.runner_id))) problems.push({ path: "runner_id", message: `runner '${input.runner_id}' does not exist` });
  if (input.project_id && !(await exists(q, "projects", orgId, input.project_id))) {
    problems.push({ path: "project_id", message: `project '${input.project_id}' does not exist` });
  }
  if (input.env_type_id && !(await exists(q, "env_types", orgId, input.env_type_id))) {
    problems.push({ path: "env_type_id", message: `env type '${input.env_type_id}' does not exist` });
  }
  if (problems.length > 0) throw new ValidationError(`invalid runner rule: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`, problems);
  try {
    const res = await q.query<Row>(
      "INSERT INTO runner_rules (org_id, id, runner_id, project_id, env_type_id) VALUES ($1, $2, $3, $4, $5) RETURNING *",
      [orgId, randomUUID(), input.runner_id, input.project_id ?? null, input.env_type_id ?? null],
    );
    return toRule(res.rows[0]!);
  } catch (err) {
    const scope = [input.project_id ? `project '${input.project_id}'` : "any project", input.env_type_id ? `env type '${input.env_type_id}'` : "any env type"];
    rethrowConflict(err, { duplicate: `a runner rule for ${scope.join(" and ")} already exists; delete it first or choose another scope` });
  }
}

export async function getRunnerRule(q: Queryable, orgId: string, id: string): Promise<RunnerRule> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError("runner rule", id);
  const res = await q.query<Row>("SELECT * FROM runner_rules WHERE org_id = $1 AND id = $2", [orgId, id]);
  if (!res.rows[0]) throw new NotFoundError("runner rule", id);
  return toRule(res.rows[0]);
}

export async function listRunnerRules(
  q: Queryable,
  orgId: string,
  opts: { limit: number; pageToken?: string; projectId?: string; envTypeId?: string; runnerId?: string },
): Promise<Page<RunnerRule>> {
  const after = decodePageToken(opts.pageToken) ?? "00000000-0000-0000-0000-000000000000";
  const res = await q.query<Row>(
    `SELECT * FROM runner_rules WHERE org_id = $1 AND id > $2::uuid
       AND ($3::text IS NULL OR project_id = $3) AND ($4::text IS NULL OR env_type_id = $4) AND ($5::text IS NULL OR runner_id = $5)
     ORDER BY id LIMIT $6`,
    [orgId, after, opts.projectId ?? null, opts.envTypeId ?? null, opts.runnerId ?? null, opts.limit + 1],
  );
  return toPage(res.rows.map(toRule), opts.limit, (r) => r.id);
}

export async function deleteRunnerRule(q: Queryable, orgId: string, id: string): Promise<void> {
  await getRunnerRule(q, orgId, id);
  await q.query("DELETE FROM runner_rules WHERE org_id = $1 AND id = $2", [orgId, id]);
}

/**
 * The most specific matching rule wins: project+env type, then project, then env type, then the
 * catch-all. Uniqueness per (project, env type) makes the order total.
 */
export async function resolveRunnerId(q: Queryable, orgId: string, projectId: string, envTypeId: string): Promise<string | null> {
  const res = await q.query<{ runner_id: string }>(
    `SELECT runner_id FROM runner_rules
     WHERE org_id = $1 AND (project_id IS NULL OR project_id = $2) AND (env_type_id IS NULL OR env_type_id = $3)
     ORDER BY (project_id IS NOT NULL) DESC, (env_type_id IS NOT NULL) DESC
     LIMIT 1`,
    [orgId, projectId, envTypeId],
  );
  return res.rows[0]?.runner_id ?? null;
}
