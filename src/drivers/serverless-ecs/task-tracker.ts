import { DescribeTasksCommand, type ECSClient, type Task } from "@aws-sdk/client-ecs";
import { PorchError, TransientError } from "../../errors/porch-error.js";
import type { DriverEvents } from "../driver.js";
import type { DriverLogger } from "./logger.js";
import { diagnoseStoppedTask, taskFacts, type DiagnosisContext, type TaskFacts } from "./stop-diagnosis.js";

/** DescribeTasks accepts at most this many task ARNs per call. */
const DESCRIBE_BATCH = 100;
const STARTING_STATUSES = new Set(["PROVISIONING", "PENDING"]);

/** Tasks of one cluster seen through one set of credentials: they share a DescribeTasks loop. */
export interface WatchGroup {
  key: string;
  client: ECSClient;
  cluster: string;
  /** Stops a task (ecs:StopTask); resolves false when the role may not. */
  stop(taskArn: string, reason: string): Promise<boolean>;
}

export interface TrackRequest {
  deploymentId: string;
  taskArn: string;
  diagnosis: DiagnosisContext;
  /** What porch knew before the first poll (from RunTask or the stored handle). */
  lastKnown: TaskFacts;
}

export interface TaskTrackerOptions {
  events: DriverEvents;
  /** While any task of a group is starting (runner program not yet called in). */
  pollFastMs: number;
  /** Once every task's runner program called in: only a crash is left to notice. */
  pollSlowMs: number;
  /** A task still PROVISIONING/PENDING this long after porch started tracking it is stopped and failed. */
  provisioningTimeoutMs: number;
  now: () => number;
  logger: DriverLogger;
}

interface Tracked extends TrackRequest {
  since: number;
  runnerStarted: boolean;
  sawRunning: boolean;
}

/**
 * One polling loop per (region, cluster, credentials) for every in-flight task, however many
 * runners and deployments share it: DescribeTasks is batched, so cost grows with clusters, not tasks.
 * It reports how a task ended only when the core has not heard a result (`finished`) first.
 */
export class TaskTracker {
  private readonly watches = new Map<string, ClusterWatch>();
  private readonly byDeployment = new Map<string, ClusterWatch>();

  constructor(private readonly opts: TaskTrackerOptions) {}

  track(group: WatchGroup, req: TrackRequest): void {
    this.byDeployment.get(req.deploymentId)?.remove(req.deploymentId);
    let watch = this.watches.get(group.key);
    if (!watch) {
      watch = new ClusterWatch(group, this.opts, (w) => this.dropWatch(w), (id) => this.byDeployment.delete(id));
      this.watches.set(group.key, watch);
    }
    this.byDeployment.set(req.deploymentId, watch);
    watch.add({ ...req, since: this.opts.now(), runnerStarted: false, sawRunning: false });
  }

  isTracking(deploymentId: string): boolean {
    return this.byDeployment.has(deploymentId);
  }

  taskArnOf(deploymentId: string): string | undefined {
    return this.byDeployment.get(deploymentId)?.taskArnOf(deploymentId);
  }

  runnerStarted(deploymentId: string): void {
    this.byDeployment.get(deploymentId)?.markRunnerStarted(deploymentId);
  }

  finished(deploymentId: string): void {
    this.byDeployment.get(deploymentId)?.remove(deploymentId);
    this.byDeployment.delete(deploymentId);
  }

  /** Number of polling loops, for tests and the benchmark. */
  get loopCount(): number {
    return this.watches.size;
  }

  close(): void {
    for (const watch of this.watches.values()) watch.close();
    this.watches.clear();
    this.byDeployment.clear();
  }

  private dropWatch(watch: ClusterWatch): void {
    if (this.watches.get(watch.group.key) === watch) this.watches.delete(watch.group.key);
  }
}

class ClusterWatch {
  private readonly tasks = new Map<string, Tracked>();
  private timer: NodeJS.Timeout | undefined;
  private dueAt = Infinity;
  private polling = false;
  private closed = false;

  constructor(
    readonly group: WatchGroup,
    private readonly opts: TaskTrackerOptions,
    private readonly onEmpty: (watch: ClusterWatch) => void,
    private readonly onForget: (deploymentId: string) => void,
  ) {}

  add(entry: Tracked): void {
    this.tasks.set(entry.taskArn, entry);
    this.schedule();
  }

  taskArnOf(deploymentId: string): string | undefined {
    for (const t of this.tasks.values()) if (t.deploymentId === deploymentId) return t.taskArn;
    return undefined;
  }

  markRunnerStarted(deploymentId: string): void {
    for (const t of this.tasks.values()) if (t.deploymentId === deploymentId) t.runnerStarted = true;
  }

  remove(deploymentId: string): void {
    for (const [arn, t] of this.tasks) if (t.deploymentId === deploymentId) this.tasks.delete(arn);
    if (this.tasks.size === 0) this.shutDown();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.tasks.clear();
  }

  private interval(): number {
    for (const t of this.tasks.values()) if (!t.runnerStarted) return this.opts.pollFastMs;
    return this.opts.pollSlowMs;
  }

  private schedule(): void {
    if (this.closed || this.polling || this.tasks.size === 0) return;
    const dueAt = Date.now() + this.interval();
    if (this.timer && this.dueAt <= dueAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.dueAt = dueAt;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.dueAt = Infinity;
      void this.poll();
    }, dueAt - Date.now());
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    this.polling = true;
    try {
      const arns = [...this.tasks.keys()];
      for (let i = 0; i < arns.length && !this.closed; i += DESCRIBE_BATCH) {
        await this.describe(arns.slice(i, i + DESCRIBE_BATCH));
      }
      if (!this.closed) await this.stopStuckTasks();
    } finally {
      this.polling = false;
    }
    if (this.tasks.size === 0) this.shutDown();
    else this.schedule();
  }

  private async describe(arns: string[]): Promise<void> {
    let out;
    try {
      out = await this.group.client.send(new DescribeTasksCommand({ cluster: this.group.cluster, tasks: arns }));
    } catch (err) {
      // The runner program reports results on its own; a failed poll only delays noticing a crash.
      this.opts.logger.warn?.({ err, cluster: this.group.cluster, tasks: arns.length }, "ecs:DescribeTasks failed; polling again later");
      return;
    }
    for (const task of out.tasks ?? []) this.observe(task);
    for (const failure of out.failures ?? []) {
      const entry = failure.arn ? this.tasks.get(failure.arn) : undefined;
      if (entry && failure.reason === "MISSING") this.reportVanished(entry);
    }
  }

  private observe(task: Task): void {
    const entry = task.taskArn ? this.tasks.get(task.taskArn) : undefined;
    if (!entry) return;
    const facts = taskFacts(task);
    entry.lastKnown = facts;
    if (facts.lastStatus === "RUNNING" && !entry.sawRunning) {
      entry.sawRunning = true;
      this.safely(() => this.opts.events.progressed?.(entry.deploymentId, { ...facts }));
    }
    if (facts.lastStatus === "STOPPED") this.report(entry, diagnoseStoppedTask(facts, entry.diagnosis));
  }

  private reportVanished(entry: Tracked): void {
    const last = entry.lastKnown;
    this.report(
      entry,
      new TransientError(
        `ECS no longer knows task ${entry.taskArn} (DescribeTasks answered MISSING; ECS forgets stopped tasks after about an hour). ` +
          `Last known state: ${last.lastStatus ?? "unknown"}${last.stopCode ? `, stopCode ${last.stopCode}` : ""}${last.stoppedReason ? `, "${last.stoppedReason}"` : ""}`,
        "ecs_task_vanished",
      ),
    );
  }

  private async stopStuckTasks(): Promise<void> {
    const now = this.opts.now();
    const stuck = [...this.tasks.values()].filter(
      (t) => !t.runnerStarted && STARTING_STATUSES.has(t.lastKnown.lastStatus ?? "PROVISIONING") && now - t.since > this.opts.provisioningTimeoutMs,
    );
    for (const entry of stuck) {
      const status = entry.lastKnown.lastStatus ?? "PROVISIONING";
      const seconds = Math.round(this.opts.provisioningTimeoutMs / 1000);
      const reason = `porch: task did not start within ${seconds}s (still ${status})`;
      let stopped = false;
      try {
        stopped = await this.group.stop(entry.taskArn, reason);
      } catch (err) {
        this.opts.logger.warn?.({ err, taskArn: entry.taskArn }, "could not stop a task stuck while starting");
      }
      this.report(
        entry,
        new TransientError(
          `The ECS task ${entry.taskArn} was still ${status} after ${seconds}s ` +
            `(Fargate capacity, a slow image pull, or no route from runner_configuration.job.subnets to the registry) and ` +
            (stopped ? "was stopped" : "could not be stopped: porch's role lacks ecs:StopTask, stop it in the ECS console"),
          "ecs_task_stuck_starting",
        ),
      );
    }
  }

  private report(entry: Tracked, error: PorchError): void {
    if (this.tasks.get(entry.taskArn) !== entry) return;
    this.tasks.delete(entry.taskArn);
    this.onForget(entry.deploymentId);
    this.safely(() => this.opts.events.exited({ deploymentId: entry.deploymentId, error, lastKnown: { ...entry.lastKnown } }));
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.opts.logger.error?.({ err }, "a driver event handler threw");
    }
  }

  private shutDown(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.dueAt = Infinity;
    if (!this.polling) this.onEmpty(this);
  }
}
