import { join } from "node:path";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { ConflictError, UnauthorizedError } from "../errors/porch-error.js";
import type { Db } from "../store/db.js";
import { hashToken } from "../util/tokens.js";
import type { DeploymentStateMachine } from "../deployments/state-machine.js";
import type { DeploymentEvents } from "../deployments/events.js";
import { isTerminal, type DeploymentRow } from "../deployments/model.js";
import { readBundle } from "../deployments/bundles.js";
import type { StateStorage } from "../config/state-storage.js";
import { appendLogLines } from "./logs.js";
import { heartbeatResponseSchema, jobResultSchema, jobSpecSchema, logBatchSchema, type JobSpec } from "./protocol.js";

export interface JobRoutesDeps {
  db: Db;
  sm: DeploymentStateMachine;
  events: DeploymentEvents;
  dataDir: string;
  onStarted(row: DeploymentRow): void;
  onEnded(row: DeploymentRow): void;
}

const params = z.object({ id: z.string().uuid() });

/**
 * The orchestrator side of the job protocol. A job token opens exactly one deployment's endpoints,
 * only while it is dispatching or running. The one exception: re-sending the very result that ended
 * it (same result_id) answers 200, so a runner whose response got lost does not report an error.
 */
export function registerJobRoutes(root: FastifyInstance, deps: JobRoutesDeps): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const tags = ["job protocol (runner program)"];

  async function authorize(req: FastifyRequest, id: string): Promise<DeploymentRow> {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "");
    if (!match) throw new UnauthorizedError("the job protocol needs the deployment's job token");
    // Only what the job endpoints need: outputs and diagnostics can be large.
    const res = await deps.db.query<DeploymentRow>(
      `SELECT id, org_id, project_id, env_id, runner_id, runner_type, runner_snapshot, mode, bundle_digest, inputs, timeout_seconds,
              status, result_id, cancel_requested_at, deadline_at
       FROM deployments WHERE id = $1 AND job_token_hash = $2`,
      [id, hashToken(match[1]!)],
    );
    const row = res.rows[0];
    if (!row) throw new UnauthorizedError("this job token is not valid for this deployment");
    return row;
  }

  function requireActive(row: DeploymentRow): void {
    if (isTerminal(row.status)) throw new UnauthorizedError(`the deployment has ended (${row.status}); its job token is no longer valid`);
  }

  function specOf(row: DeploymentRow): JobSpec {
    const storage: StateStorage = row.runner_snapshot.state_storage_configuration;
    const state_storage: StateStorage = storage.type === "local" ? { type: "local", path: storage.path ?? join(deps.dataDir, "state") } : storage;
    return {
      deployment_id: row.id,
      org_id: row.org_id,
      project_id: row.project_id,
      env_id: row.env_id,
      runner_id: row.runner_id,
      mode: row.mode,
      inputs: row.inputs,
      state_storage,
      bundle: { digest: row.bundle_digest, size_bytes: 0 },
      timeout_seconds: row.timeout_seconds,
      deadline_at: (row.deadline_at ?? new Date(Date.now() + row.timeout_seconds * 1000)).toISOString(),
    };
  }

  app.post("/job/v1/deployments/:id/start", { config: { auth: "job" }, schema: { tags, params, response: { 200: jobSpecSchema } } }, async (req) => {
    const row = await authorize(req, req.params.id);
    requireActive(row);
    if (row.status === "dispatching") {
      const started = await deps.sm.start(deps.db, row.id);
      if (started) deps.onStarted(started);
    }
    return specOf(row);
  });

  app.get("/job/v1/deployments/:id/bundle", { config: { auth: "job" }, schema: { tags, params } }, async (req, reply) => {
    const row = await authorize(req, req.params.id);
    requireActive(row);
    const content = await readBundle(deps.db, row.org_id, row.bundle_digest);
    return reply.header("content-type", "application/gzip").header("x-porch-bundle-digest", row.bundle_digest).send(content);
  });

  app.post(
    "/job/v1/deployments/:id/logs",
    { config: { auth: "job" }, schema: { tags, params, body: logBatchSchema, response: { 200: z.object({ stored_through: z.number() }) } } },
    async (req) => {
      const row = await authorize(req, req.params.id);
      requireActive(row);
      const storedThrough = await appendLogLines(deps.db, row.id, req.body.lines);
      deps.events.logsAppended(row.id);
      return { stored_through: storedThrough };
    },
  );

  app.post("/job/v1/deployments/:id/heartbeat", { config: { auth: "job" }, schema: { tags, params, response: { 200: heartbeatResponseSchema } } }, async (req) => {
    const row = await authorize(req, req.params.id);
    requireActive(row);
    return { cancel_requested: row.cancel_requested_at !== null };
  });

  app.post(
    "/job/v1/deployments/:id/result",
    { config: { auth: "job" }, schema: { tags, params, body: jobResultSchema, response: { 200: z.object({ recorded: z.boolean(), status: z.string() }) } } },
    async (req) => {
      const row = await authorize(req, req.params.id);
      if (isTerminal(row.status)) {
        if (row.result_id === req.body.result_id) return { recorded: true, status: row.status };
        throw new ConflictError(`the deployment already ended (${row.status}); a result is accepted only once`, "already_ended");
      }
      const ended = await deps.sm.finish(deps.db, row.id, req.body);
      if (!ended) {
        const now = await deps.db.query<DeploymentRow>("SELECT * FROM deployments WHERE id = $1", [row.id]);
        const cur = now.rows[0]!;
        if (cur.result_id === req.body.result_id) return { recorded: true, status: cur.status };
        throw new ConflictError(`the deployment already ended (${cur.status}); a result is accepted only once`, "already_ended");
      }
      deps.onEnded(ended);
      return { recorded: true, status: ended.status };
    },
  );
}
