import { z } from "zod";
import { NotFoundError } from "../errors/porch-error.js";
import type { Queryable } from "../store/db.js";
import { runnerCreateSchema, runnerMergedSchema, runnerUpdateSchema } from "../config/runner.js";
import { parseOrThrow } from "../config/validate.js";
import type { RunnerConfiguration } from "../config/runner-configuration.js";
import type { StateStorage } from "../config/state-storage.js";
import { decodePageToken, toPage, type Page } from "../util/pagination.js";
import { iso, rethrowConflict } from "./sql-errors.js";

export const runnerSchema = z.object({
  id: z.string(),
  description: z.string().optional(),
  runner_configuration: z.record(z.string(), z.unknown()),
  state_storage_configuration: z.record(z.string(), z.unknown()),
  created_at: z.string(),
  updated_at: z.string(),
});

export interface Runner {
  id: string;
  description?: string;
  runner_configuration: RunnerConfiguration;
  state_storage_configuration: StateStorage;
  created_at: string;
  updated_at: string;
}

type Row = {
  id: string;
  description: string | null;
  runner_configuration: RunnerConfiguration;
  state_storage_configuration: StateStorage;
  created_at: Date;
  updated_at: Date;
};

const toRunner = (r: Row): Runner => ({
  id: r.id,
  ...(r.description !== null ? { description: r.description } : {}),
  runner_configuration: r.runner_configuration,
  state_storage_configuration: r.state_storage_configuration,
  created_at: iso(r.created_at),
  updated_at: iso(r.updated_at),
});

export async function createRunner(q: Queryable, orgId: string, input: z.infer<typeof runnerCreateSchema>): Promise<Runner> {
  try {
    const res = await q.query<Row>(
      `INSERT INTO runners (org_id, id, description, runner_type, runner_configuration, state_storage_configuration)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [orgId, input.id, input.description ?? null, input.runner_configuration.type, input.runner_configuration, input.state_storage_configuration],
    );
    return toRunner(res.rows[0]!);
  } catch (err) {
    rethrowConflict(err, { duplicate: `runner '${input.id}' already exists` });
  }
}

export async function getRunner(q: Queryable, orgId: string, id: string): Promise<Runner> {
  const res = await q.query<Row>("SELECT * FROM runners WHERE org_id = $1 AND id = $2", [orgId, id]);
  if (!res.rows[0]) throw new NotFoundError("runner", id);
  return toRunner(res.rows[0]);
}

export async function listRunners(
  q: Queryable,
  orgId: string,
  opts: { limit: number; pageToken?: string; runnerType?: string },
): Promise<Page<Runner>> {
  const after = decodePageToken(opts.pageToken) ?? "";
  const res = await q.query<Row>(
    "SELECT * FROM runners WHERE org_id = $1 AND id > $2 AND ($3::text IS NULL OR runner_type = $3) ORDER BY id LIMIT $4",
    [orgId, after, opts.runnerType ?? null, opts.limit + 1],
  );
  return toPage(res.rows.map(toRunner), opts.limit, (r) => r.id);
}

export async function updateRunner(q: Queryable, orgId: string, id: string, input: z.infer<typeof runnerUpdateSchema>): Promise<Runner> {
  const current = await getRunner(q, orgId, id);
  const merged = parseOrThrow(runnerMergedSchema, {
    runner_configuration: input.runner_configuration ?? current.runner_configuration,
    state_storage_configuration: input.state_storage_configuration ?? current.state_storage_configuration,
  });
  const res = await q.query<Row>(
    `UPDATE runners SET description = $3, runner_type = $4, runner_configuration = $5, state_storage_configuration = $6, updated_at = now()
     WHERE org_id = $1 AND id = $2 RETURNING *`,
    [
      orgId,
      id,
      input.description !== undefined ? input.description : (current.description ?? null),
      merged.runner_configuration.type,
      merged.runner_configuration,
      merged.state_storage_configuration,
    ],
  );
  return toRunner(res.rows[0]!);
}

export async function deleteRunner(q: Queryable, orgId: string, id: string): Promise<void> {
  await getRunner(q, orgId, id);
  const rules = await q.query<{ id: string }>("SELECT id FROM runner_rules WHERE org_id = $1 AND runner_id = $2 ORDER BY id LIMIT 5", [orgId, id]);
  if (rules.rows.length > 0) {
    rethrowConflict(
      { code: "23503" },
      { referenced: `runner '${id}' is referenced by runner rule(s) ${rules.rows.map((r) => r.id).join(", ")}; delete those rules first` },
    );
  }
  await q.query("DELETE FROM runners WHERE org_id = $1 AND id = $2", [orgId, id]);
}

/**
 * How many jobs all `local` runners together may run at once (each runner's max_concurrent_jobs,
 * or the default), which is how many runner programs the local driver keeps ready.
 */
export async function localRunnerCapacity(q: Queryable, defaultPerRunner: number): Promise<number> {
  const res = await q.query<{ n: number | string | null }>(
    `SELECT coalesce(sum(coalesce((runner_configuration->>'max_concurrent_jobs')::int, $1)), 0)::int AS n
     FROM runners WHERE runner_type = 'local'`,
    [defaultPerRunner],
  );
  return Number(res.rows[0]?.n ?? 0);
}
