import { randomUUID } from "node:crypto";
import type { Db, Queryable } from "../store/db.js";
import type { Logger } from "../util/logger.js";
import { RUNNER_ENV, type Failure } from "../jobs/protocol.js";
import type { JobTokens } from "../jobs/job-tokens.js";
import type { DriverHandle, JobExit, JobRef, RunnerDriver, RunnerSnapshot } from "../drivers/driver.js";
import { toPorchError } from "../errors/porch-error.js";
import { DEFAULT_LOCAL_MAX_CONCURRENT_JOBS } from "../config/runner-configuration.js";
import type { DeploymentEvents } from "./events.js";
import type { DeploymentStateMachine, Owner } from "./state-machine.js";
import { isTerminal, type DeploymentRow } from "./model.js";

/** Any constant works: all replicas take this lock for the short claim transaction. */
const CLAIM_LOCK_KEY = 7_310_245_002;

export interface SchedulerOptions {
  db: Db;
  sm: DeploymentStateMachine;
  events: DeploymentEvents;
  drivers: ReadonlyMap<string, RunnerDriver>;
  jobTokens: JobTokens;
  /** Stable per data dir, so a restarted replica recognises the deployments it owned. */
  replicaId: string;
  /** How runner programs reach this orchestrator. */
  publicUrl: string;
  logger: Logger;
  leaseSeconds?: number;
  pollMs?: number;
  sweepMs?: number;
  /** Cap on concurrently executing jobs for runner types without their own limit. */
  defaultRunnerConcurrency?: number;
  /** Added to every job's environment (e.g. PORCH_IAC_BINARY for the local runner). */
  extraJobEnv?: Record<string, string>;
}

/**
 * Moves queued deployments onto runners: at most one executing deployment per environment (FIFO
 * within it, enforced by a unique index as well), up to each runner's concurrency, across any number
 * of replicas sharing one PostgreSQL. Also ends what cannot end by itself: timeouts, jobs whose
 * process vanished, and deployments of a replica that died (ECS jobs are adopted, not failed).
 */
export class Scheduler {
  private readonly owned = new Set<string>();
  private timers: NodeJS.Timeout[] = [];
  private ticking = false;
  private tickAgain = false;
  private stopped = false;
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly leaseSeconds: number;
  private readonly owner: Owner;

  constructor(private readonly o: SchedulerOptions) {
    this.leaseSeconds = o.leaseSeconds ?? 30;
    this.owner = { replica: o.replicaId, instance: randomUUID() };
  }

  async start(): Promise<void> {
    await this.sweep();
    this.poke();
    this.timers.push(setInterval(() => this.poke(), this.o.pollMs ?? 500));
    this.timers.push(setInterval(() => void this.renewLeases(), Math.max(1000, (this.leaseSeconds * 1000) / 3)));
    this.timers.push(setInterval(() => void this.sweep(), this.o.sweepMs ?? 2000));
    for (const t of this.timers) t.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await Promise.allSettled([...this.inflight]);
  }

  /** Something changed (new deployment, one ended): look for work now. Calls coalesce. */
  poke(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = true;
    this.track(
      this.tick()
        .catch((err: unknown) => this.o.logger.error({ err }, "scheduler tick failed"))
        .finally(() => {
          this.ticking = false;
          if (this.tickAgain) {
            this.tickAgain = false;
            this.poke();
          }
        }),
    );
  }

  private track<T>(p: Promise<T>): void {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  private async tick(): Promise<void> {
    const claimed = await this.claim();
    for (const { row, token } of claimed) this.track(this.dispatch(row, token));
  }

  private runnerLimit(row: DeploymentRow): number {
    const cfg = row.runner_snapshot.runner_configuration;
    if (cfg.type === "local") return cfg.max_concurrent_jobs ?? DEFAULT_LOCAL_MAX_CONCURRENT_JOBS;
    return this.o.defaultRunnerConcurrency ?? 1000;
  }

  private async claim(): Promise<Array<{ row: DeploymentRow; token: string }>> {
    return this.o.db.tx(async (q) => {
      await q.query("SELECT pg_advisory_xact_lock($1)", [CLAIM_LOCK_KEY]);
      // The head of each environment's queue, if nothing of that environment is executing.
      const candidates = await q.query<DeploymentRow>(
        `SELECT d.* FROM deployments d
         WHERE d.status = 'queued'
           AND NOT EXISTS (SELECT 1 FROM deployments a WHERE a.env_uuid = d.env_uuid AND a.status IN ('dispatching', 'running'))
           AND NOT EXISTS (SELECT 1 FROM deployments e WHERE e.env_uuid = d.env_uuid AND e.status = 'queued' AND e.queue_seq < d.queue_seq)
         ORDER BY d.queue_seq
         LIMIT 200
         FOR UPDATE OF d SKIP LOCKED`,
      );
      if (candidates.rows.length === 0) return [];
      const activeByRunner = new Map<string, number>();
      const counts = await q.query<{ org_id: string; runner_id: string; n: number }>(
        `SELECT org_id, runner_id, count(*)::int AS n FROM deployments WHERE status IN ('dispatching', 'running') GROUP BY org_id, runner_id`,
      );
      for (const c of counts.rows) activeByRunner.set(`${c.org_id}/${c.runner_id}`, Number(c.n));
      const chosen: Array<{ id: string; tokenHash: string; nonce: string }> = [];
      for (const cand of candidates.rows) {
        if (!this.o.drivers.has(cand.runner_type)) {
          await this.o.sm.fail(q, cand.id, {
            category: "internal",
            code: "no_driver",
            message: `this porch server has no driver for runner type '${cand.runner_type}'`,
          });
          continue;
        }
        const key = `${cand.org_id}/${cand.runner_id}`;
        const active = activeByRunner.get(key) ?? 0;
        if (active >= this.runnerLimit(cand)) continue;
        chosen.push(this.mintJob(cand.id));
        activeByRunner.set(key, active + 1);
      }
      const nonces = new Map(chosen.map((c) => [c.id, c.nonce]));
      const rows = await this.o.sm.dispatchMany(q, chosen, this.owner, this.leaseSeconds);
      // Dispatched in queue order, as claimed.
      rows.sort((a, b) => Number(a.queue_seq) - Number(b.queue_seq));
      return rows.map((row) => {
        this.owned.add(row.id);
        return { row, token: this.o.jobTokens.tokenFor(row.id, nonces.get(row.id)!) };
      });
    });
  }

  /**
   * A new deployment whose environment is idle needs no wait for the next tick: it is claimed in its
   * own create transaction, under the same lock and the same rules as claim(), and dispatched the
   * moment that transaction commits. Otherwise it stays queued for claim().
   */
  async claimOnCreate(q: Queryable, created: DeploymentRow): Promise<{ row: DeploymentRow; afterCommit: () => void } | null> {
    if (this.stopped || !this.o.drivers.has(created.runner_type)) return null;
    // Never wait for the lock here: while another create or a tick holds it, the deployment simply
    // stays queued and the next tick claims it with the others in one go.
    const lock = await q.query<{ ok: boolean }>("SELECT pg_try_advisory_xact_lock($1) AS ok", [CLAIM_LOCK_KEY]);
    if (!lock.rows[0]?.ok) return null;
    const blocked = await q.query(
      `SELECT 1 FROM deployments
       WHERE env_uuid = $1 AND id <> $2 AND (status IN ('dispatching', 'running') OR (status = 'queued' AND queue_seq < $3))
       LIMIT 1`,
      [created.env_uuid, created.id, created.queue_seq],
    );
    if (blocked.rows.length > 0) return null;
    const active = await q.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM deployments WHERE org_id = $1 AND runner_id = $2 AND status IN ('dispatching', 'running')`,
      [created.org_id, created.runner_id],
    );
    if (Number(active.rows[0]?.n ?? 0) >= this.runnerLimit(created)) return null;
    const job = this.mintJob(created.id);
    const row = await this.o.sm.dispatch(q, created.id, job, this.owner, this.leaseSeconds);
    if (!row) return null;
    this.owned.add(row.id);
    const token = this.o.jobTokens.tokenFor(row.id, job.nonce);
    return { row, afterCommit: () => this.track(this.dispatch(row, token)) };
  }

  /** A fresh nonce per claim: the job token exists only from now on (stored hashed). */
  private mintJob(id: string): { id: string; tokenHash: string; nonce: string } {
    const nonce = this.o.jobTokens.newNonce();
    return { id, tokenHash: this.o.jobTokens.hashFor(id, nonce), nonce };
  }

  private jobRef(row: DeploymentRow): JobRef {
    return { deploymentId: row.id, orgId: row.org_id, projectId: row.project_id, envId: row.env_id, runnerId: row.runner_id };
  }

  /** The runner program's environment contract; identical for every driver. */
  jobEnv(row: DeploymentRow, token: string): Record<string, string> {
    return {
      ...this.o.extraJobEnv,
      [RUNNER_ENV.apiUrl]: this.o.publicUrl,
      [RUNNER_ENV.deploymentId]: row.id,
      [RUNNER_ENV.jobToken]: token,
    };
  }

  private async dispatch(row: DeploymentRow, token: string): Promise<void> {
    const driver = this.o.drivers.get(row.runner_type)!;
    try {
      const handle = await driver.dispatch({
        job: this.jobRef(row),
        runner: row.runner_snapshot,
        env: this.jobEnv(row, token),
        deadline: row.deadline_at ?? new Date(Date.now() + row.timeout_seconds * 1000),
      });
      await this.o.sm.storeHandle(this.o.db, row.id, handle);
      const now = await this.current(row.id);
      if (now?.cancel_requested_at && !isTerminal(now.status)) await this.cancelActive(now);
    } catch (err) {
      const e = toPorchError(err);
      this.o.logger.warn({ deployment: row.id, code: e.code, category: e.category }, `dispatch failed: ${e.message}`);
      await this.endWithError(row.id, e.toJSON());
    }
  }

  private async current(id: string): Promise<DeploymentRow | null> {
    const res = await this.o.db.query<DeploymentRow>("SELECT * FROM deployments WHERE id = $1", [id]);
    return res.rows[0] ?? null;
  }

  /** A job that stopped without a result: cancelled if the user asked for it, failed otherwise. */
  private async endWithError(id: string, error: Failure): Promise<void> {
    const row = await this.current(id);
    if (!row || isTerminal(row.status)) return;
    const ended = row.cancel_requested_at
      ? await this.o.sm.cancelled(this.o.db, id, "cancelled; the job was stopped", ["dispatching", "running"])
      : await this.o.sm.fail(this.o.db, id, error, ["dispatching", "running"]);
    if (ended) this.onEnded(ended);
  }

  /** Drivers report jobs that ended without a result through here. */
  readonly driverEvents = {
    exited: (exit: JobExit): void => {
      this.track(
        this.endWithError(exit.deploymentId, exit.error.toJSON()).catch((err: unknown) =>
          this.o.logger.error({ err, deployment: exit.deploymentId }, "could not record job exit"),
        ),
      );
    },
  };

  /** Called once a deployment is terminal, whoever ended it. */
  onEnded(row: DeploymentRow): void {
    this.owned.delete(row.id);
    this.o.drivers.get(row.runner_type)?.finished(row.id);
    this.poke();
  }

  async cancelActive(row: DeploymentRow): Promise<void> {
    const driver = this.o.drivers.get(row.runner_type);
    if (!driver) return;
    try {
      const outcome = await driver.cancel(this.jobRef(row), row.runner_snapshot, row.driver_handle, `cancelled by a user through porch (deployment ${row.id})`);
      if (outcome.note) await this.o.sm.noteCancel(this.o.db, row.id, outcome.note);
    } catch (err) {
      const e = toPorchError(err);
      await this.o.sm.noteCancel(this.o.db, row.id, `could not stop the job directly (${e.message}); the runner will stop at its next check-in`);
    }
  }

  private async renewLeases(): Promise<void> {
    if (this.owned.size === 0) return;
    await this.o.db
      .query(
        `UPDATE deployments SET lease_expires_at = now() + make_interval(secs => $2::integer)
         WHERE owner_replica = $1 AND status IN ('dispatching', 'running')`,
        [this.o.replicaId, this.leaseSeconds],
      )
      .catch((err: unknown) => this.o.logger.warn({ err }, "lease renewal failed"));
  }

  /** Timeouts, and deployments whose owning replica is gone (or is this one, before a restart). */
  async sweep(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.failTimedOut();
      await this.adoptOrphans();
    } catch (err) {
      this.o.logger.error({ err }, "sweep failed");
    }
  }

  private async failTimedOut(): Promise<void> {
    const res = await this.o.db.query<DeploymentRow>(
      "SELECT * FROM deployments WHERE status IN ('dispatching', 'running') AND deadline_at < now() ORDER BY queue_seq LIMIT 100",
    );
    for (const row of res.rows) {
      await this.cancelActive(row);
      const ended = await this.o.sm.fail(
        this.o.db,
        row.id,
        {
          category: "user",
          code: "deployment_timeout",
          message: `the deployment ran longer than its timeout of ${row.timeout_seconds} s and was stopped; raise timeout_seconds or find what blocks it in the logs`,
        },
        ["dispatching", "running"],
      );
      if (ended) this.onEnded(ended);
    }
  }

  private async adoptOrphans(): Promise<void> {
    const res = await this.o.db.query<DeploymentRow>(
      `UPDATE deployments SET owner_replica = $1, owner_instance = $3, lease_expires_at = now() + make_interval(secs => $2::integer)
       WHERE id IN (
         SELECT id FROM deployments
         WHERE status IN ('dispatching', 'running')
           -- Another replica's lapsed lease, or this replica's from before a restart; never one this
           -- process claimed (it may still be dispatching it, and must not start it a second time).
           AND ((owner_replica IS DISTINCT FROM $1 AND lease_expires_at < now()) OR (owner_replica = $1 AND owner_instance IS DISTINCT FROM $3))
         ORDER BY queue_seq LIMIT 200 FOR UPDATE SKIP LOCKED)
       -- Checked again on the row as it is now: a claim that committed meanwhile is not an orphan.
       AND status IN ('dispatching', 'running') AND owner_instance IS DISTINCT FROM $3
       RETURNING *`,
      [this.o.replicaId, this.leaseSeconds, this.owner.instance],
    );
    if (res.rows.length === 0) return;
    const byDriver = new Map<string, Array<{ job: JobRef; runner: RunnerSnapshot; handle: DriverHandle; row: DeploymentRow }>>();
    for (const row of res.rows) {
      this.owned.add(row.id);
      if (!row.driver_handle) {
        // Crashed between claiming and the driver's answer: dispatch again with the same derived
        // token; drivers are idempotent per deployment (ECS clientToken), so nothing starts twice.
        const token = row.dispatch_nonce ? this.o.jobTokens.tokenFor(row.id, row.dispatch_nonce) : null;
        if (token) this.track(this.dispatch(row, token));
        continue;
      }
      const list = byDriver.get(row.runner_type) ?? [];
      list.push({ job: this.jobRef(row), runner: row.runner_snapshot, handle: row.driver_handle, row });
      byDriver.set(row.runner_type, list);
    }
    for (const [type, jobs] of byDriver) {
      this.o.logger.info({ runnerType: type, count: jobs.length }, "re-attaching to deployments started before a restart or by a lost replica");
      await this.o.drivers.get(type)?.resume(jobs.map(({ job, runner, handle }) => ({ job, runner, handle })));
    }
  }
}
