import type { Queryable } from "../store/db.js";
import type { DriverHandle } from "../drivers/driver.js";
import type { Failure, JobResult } from "../jobs/protocol.js";
import type { DeploymentEvents } from "./events.js";
import type { DeploymentRow, DeploymentStatus } from "./model.js";

/** The replica (stable across restarts) and the process (one per start) that claim a deployment. */
export interface Owner {
  replica: string;
  instance: string;
}

/**
 * Every change of a deployment's status happens here and nowhere else. Each transition is one
 * conditional UPDATE (`WHERE status = ANY(allowed)`), so concurrent replicas, retried requests and
 * late driver events can never move a deployment backwards or out of a terminal state.
 *
 *   queued ──dispatch──▶ dispatching ──start──▶ running ──result──▶ succeeded | failed | cancelled
 *     │                      │                     │
 *     └──cancel──▶ cancelled └──fail / timeout / driver exit / cancel──▶ failed | cancelled
 */
export class DeploymentStateMachine {
  constructor(private readonly events: DeploymentEvents) {}

  private async transition(
    q: Queryable,
    id: string,
    from: readonly DeploymentStatus[],
    to: DeploymentStatus,
    set: string,
    params: unknown[],
  ): Promise<DeploymentRow | null> {
    const res = await q.query<DeploymentRow>(
      `UPDATE deployments SET status = $2, updated_at = now()${set ? `, ${set}` : ""}
       WHERE id = $1 AND status = ANY($3::text[]) RETURNING *`,
      [id, to, from, ...params],
    );
    const row = res.rows[0] ?? null;
    if (row) this.events.statusChanged(id, to);
    return row;
  }

  /** The scheduler picked it; the job token is minted now so it exists only while the job can run. */
  async dispatch(
    q: Queryable,
    id: string,
    job: { tokenHash: string; nonce: string },
    owner: Owner,
    leaseSeconds: number,
  ): Promise<DeploymentRow | null> {
    const [row] = await this.dispatchMany(q, [{ id, ...job }], owner, leaseSeconds);
    return row ?? null;
  }

  /** dispatch() for a whole claimed batch in one statement: one round trip instead of one per job. */
  async dispatchMany(
    q: Queryable,
    jobs: ReadonlyArray<{ id: string; tokenHash: string; nonce: string }>,
    owner: Owner,
    leaseSeconds: number,
  ): Promise<DeploymentRow[]> {
    if (jobs.length === 0) return [];
    // clock_timestamp(): the moment of the claim, not the start of a transaction that may have waited.
    const res = await q.query<DeploymentRow>(
      `UPDATE deployments d SET status = 'dispatching', updated_at = now(), job_token_hash = j.token_hash, dispatch_nonce = j.nonce,
         dispatched_at = clock_timestamp(), deadline_at = clock_timestamp() + make_interval(secs => d.timeout_seconds),
         owner_replica = $4, owner_instance = $6, lease_expires_at = now() + make_interval(secs => $5::integer)
       FROM unnest($1::uuid[], $2::text[], $3::text[]) AS j(id, token_hash, nonce)
       WHERE d.id = j.id AND d.status = 'queued' RETURNING d.*`,
      [jobs.map((j) => j.id), jobs.map((j) => j.tokenHash), jobs.map((j) => j.nonce), owner.replica, leaseSeconds, owner.instance],
    );
    for (const row of res.rows) this.events.statusChanged(row.id, "dispatching");
    return res.rows;
  }

  /** The runner program called in. */
  start(q: Queryable, id: string): Promise<DeploymentRow | null> {
    return this.transition(q, id, ["dispatching"], "running", "started_at = now()", []);
  }

  /** The runner program's one result. A cancel requested earlier turns a failure into `cancelled`. */
  finish(q: Queryable, id: string, result: JobResult): Promise<DeploymentRow | null> {
    return this.transition(
      q,
      id,
      ["dispatching", "running"],
      result.status,
      `result_id = $4, outputs = $5, changes = $6, planned_changes = $7, diagnostics = $8, error = $9, finished_at = now(),
       started_at = coalesce(started_at, now())`,
      [
        result.result_id,
        JSON.stringify(result.outputs),
        result.changes ? JSON.stringify(result.changes) : null,
        JSON.stringify(result.planned_changes),
        JSON.stringify(result.diagnostics),
        result.error ? JSON.stringify(result.error) : null,
      ],
    );
  }

  /** Ends a deployment that cannot finish by itself (driver error, timeout, lost orchestrator). */
  fail(q: Queryable, id: string, error: Failure, from: readonly DeploymentStatus[] = ["queued", "dispatching", "running"]): Promise<DeploymentRow | null> {
    return this.transition(q, id, from, "failed", "error = $4, finished_at = now()", [JSON.stringify(error)]);
  }

  /** Queued deployments are cancelled at once; active ones when their job has stopped. */
  cancelled(q: Queryable, id: string, note: string, from: readonly DeploymentStatus[]): Promise<DeploymentRow | null> {
    return this.transition(
      q,
      id,
      from,
      "cancelled",
      "finished_at = now(), cancel_requested_at = coalesce(cancel_requested_at, now()), error = $4",
      [JSON.stringify({ category: "user", code: "cancelled", message: note })],
    );
  }

  /** Not a status change: records the request so the runner program sees it at its next check-in. */
  async requestCancel(q: Queryable, id: string): Promise<DeploymentRow | null> {
    const res = await q.query<DeploymentRow>(
      `UPDATE deployments SET cancel_requested_at = coalesce(cancel_requested_at, now()), updated_at = now()
       WHERE id = $1 AND status IN ('dispatching', 'running') RETURNING *`,
      [id],
    );
    return res.rows[0] ?? null;
  }

  async noteCancel(q: Queryable, id: string, note: string): Promise<void> {
    await q.query("UPDATE deployments SET cancel_note = $2, updated_at = now() WHERE id = $1", [id, note]);
  }

  async storeHandle(q: Queryable, id: string, handle: DriverHandle): Promise<void> {
    await q.query("UPDATE deployments SET driver_handle = $2, updated_at = now() WHERE id = $1", [id, JSON.stringify(handle)]);
  }
}
