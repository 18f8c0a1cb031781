import { createHash, randomUUID } from "node:crypto";
import { ConflictError, NotFoundError, ValidationError } from "../errors/porch-error.js";
import type { Db, Queryable } from "../store/db.js";
import { UNIQUE_VIOLATION, pgErrorCode } from "../store/db.js";
import { getEnvRow } from "../catalog/envs.js";
import { getRunner } from "../catalog/runners.js";
import { resolveRunnerId } from "../catalog/runner-rules.js";
import { bundleExists } from "./bundles.js";
import { decodePageToken, encodePageToken, type Page } from "../util/pagination.js";
import type { DeploymentStateMachine } from "./state-machine.js";
import { isTerminal, type DeploymentCreate, type DeploymentRow, type DeploymentStatus } from "./model.js";

export const DEFAULT_DEPLOYMENT_TIMEOUT_SECONDS = 3600;

export interface CancelHandler {
  /** Asks the runner's driver to stop an active job; returns a note for the user when it cannot. */
  cancelActive(row: DeploymentRow): Promise<void>;
}

export class DeploymentService {
  constructor(
    private readonly db: Db,
    private readonly sm: DeploymentStateMachine,
    private readonly opts: {
      defaultTimeoutSeconds?: number;
      onQueued?: () => void;
      /**
       * Offered each new deployment inside its create transaction, to claim it right there when it
       * can run at once; the returned function runs after the commit (see Scheduler.claimOnCreate).
       */
      claimOnCreate?: (q: Queryable, row: DeploymentRow) => Promise<{ row: DeploymentRow; afterCommit: () => void } | null>;
      cancelHandler?: CancelHandler;
    } = {},
  ) {}

  /**
   * Resolves the runner now and snapshots its configuration, so later edits to the runner do not
   * change a deployment that is already queued.
   */
  async create(orgId: string, input: DeploymentCreate, idempotencyKey?: string): Promise<{ row: DeploymentRow; replayed: boolean }> {
    const requestHash = createHash("sha256").update(JSON.stringify(input)).digest("hex");
    if (idempotencyKey) {
      const prior = await this.findByIdempotencyKey(this.db, orgId, idempotencyKey);
      if (prior) return this.replay(prior, requestHash);
    }
    let afterCommit: (() => void) | null = null;
    try {
      const row = await this.db.tx(async (q) => {
        const env = await getEnvRow(q, orgId, input.project_id, input.env_id).catch((err: unknown) => {
          if (err instanceof NotFoundError) {
            throw new ValidationError(`environment '${input.env_id}' does not exist in project '${input.project_id}'`, [
              { path: "env_id", message: `no environment '${input.env_id}' in project '${input.project_id}'` },
            ]);
          }
          throw err;
        });
        const runnerId = await resolveRunnerId(q, orgId, input.project_id, env.env_type_id);
        if (!runnerId) {
          throw new ValidationError(
            `no runner rule matches environment '${input.env_id}' (project '${input.project_id}', env type '${env.env_type_id}'); create a runner rule, e.g. a catch-all: porch create runner-rule --runner <runner-id>`,
            [{ path: "env_id", message: "no runner rule matches this environment" }],
            "no_runner",
          );
        }
        const runner = await getRunner(q, orgId, runnerId);
        if (!(await bundleExists(q, orgId, input.bundle_digest))) {
          throw new ValidationError(`bundle ${input.bundle_digest} has not been uploaded`, [
            { path: "bundle_digest", message: `upload it first: PUT /orgs/${orgId}/bundles/${input.bundle_digest}` },
          ]);
        }
        const res = await q.query<DeploymentRow>(
          `INSERT INTO deployments (id, org_id, project_id, env_id, env_uuid, runner_id, runner_type, runner_snapshot, mode, bundle_digest,
             inputs, timeout_seconds, idempotency_key, request_hash, status)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'queued') RETURNING *`,
          [
            randomUUID(),
            orgId,
            input.project_id,
            input.env_id,
            env.uuid,
            runner.id,
            runner.runner_configuration.type,
            JSON.stringify({ runner_configuration: runner.runner_configuration, state_storage_configuration: runner.state_storage_configuration }),
            input.mode,
            input.bundle_digest,
            JSON.stringify(input.inputs),
            input.timeout_seconds ?? this.opts.defaultTimeoutSeconds ?? DEFAULT_DEPLOYMENT_TIMEOUT_SECONDS,
            idempotencyKey ?? null,
            requestHash,
          ],
        );
        const inserted = res.rows[0]!;
        const claimed = await this.opts.claimOnCreate?.(q, inserted);
        if (!claimed) return inserted;
        afterCommit = claimed.afterCommit;
        return claimed.row;
      });
      if (afterCommit) (afterCommit as () => void)();
      else this.opts.onQueued?.();
      return { row, replayed: false };
    } catch (err) {
      // Two identical requests raced: the loser answers with the winner's deployment.
      if (idempotencyKey && pgErrorCode(err) === UNIQUE_VIOLATION) {
        const prior = await this.findByIdempotencyKey(this.db, orgId, idempotencyKey);
        if (prior) return this.replay(prior, requestHash);
      }
      throw err;
    }
  }

  private replay(prior: DeploymentRow, requestHash: string): { row: DeploymentRow; replayed: boolean } {
    if (prior.request_hash !== requestHash) {
      throw new ConflictError("this Idempotency-Key was already used with a different request; use a new key for a new deployment", "idempotency_key_reused");
    }
    return { row: prior, replayed: true };
  }

  private async findByIdempotencyKey(q: Queryable, orgId: string, key: string): Promise<DeploymentRow | null> {
    const res = await q.query<DeploymentRow>("SELECT * FROM deployments WHERE org_id = $1 AND idempotency_key = $2", [orgId, key]);
    return res.rows[0] ?? null;
  }

  async get(orgId: string, id: string): Promise<DeploymentRow> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError("deployment", id);
    const res = await this.db.query<DeploymentRow>("SELECT * FROM deployments WHERE org_id = $1 AND id = $2", [orgId, id]);
    if (!res.rows[0]) throw new NotFoundError("deployment", id);
    return res.rows[0];
  }

  /** Just what a log follower polls for. */
  async status(id: string): Promise<Pick<DeploymentRow, "status" | "error">> {
    const res = await this.db.query<Pick<DeploymentRow, "status" | "error">>("SELECT status, error FROM deployments WHERE id = $1", [id]);
    if (!res.rows[0]) throw new NotFoundError("deployment", id);
    return res.rows[0];
  }

  /** Newest first. */
  async list(
    orgId: string,
    opts: { limit: number; pageToken?: string; projectId?: string; envId?: string; status?: DeploymentStatus },
  ): Promise<Page<DeploymentRow>> {
    const before = decodePageToken(opts.pageToken);
    const res = await this.db.query<DeploymentRow>(
      `SELECT * FROM deployments WHERE org_id = $1 AND ($2::bigint IS NULL OR queue_seq < $2::bigint)
         AND ($3::text IS NULL OR project_id = $3) AND ($4::text IS NULL OR env_id = $4) AND ($5::text IS NULL OR status = $5)
       ORDER BY queue_seq DESC LIMIT $6`,
      [orgId, before ?? null, opts.projectId ?? null, opts.envId ?? null, opts.status ?? null, opts.limit + 1],
    );
    const items = res.rows.slice(0, opts.limit);
    const last = items[items.length - 1];
    return { items, next_page_token: res.rows.length > opts.limit && last ? encodePageToken(String(last.queue_seq)) : null };
  }

  /** Queued: cancelled at once. Active: the request is recorded and the driver asked to stop the job. */
  async cancel(orgId: string, id: string): Promise<DeploymentRow> {
    const row = await this.get(orgId, id);
    if (isTerminal(row.status)) return row;
    const cancelledNow = await this.sm.cancelled(this.db, id, "cancelled before it started", ["queued"]);
    if (cancelledNow) return cancelledNow;
    const active = await this.sm.requestCancel(this.db, id);
    if (active) await this.opts.cancelHandler?.cancelActive(active);
    return this.get(orgId, id);
  }
}
