import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { InternalError, TransientError } from "../../errors/porch-error.js";
import { RUNNER_ENV } from "../../jobs/protocol.js";
import type { CancelOutcome, DispatchRequest, DriverEvents, DriverHandle, JobRef, RunnerDriver, RunnerSnapshot } from "../driver.js";
import type { Logger } from "../../util/logger.js";
import { runnerProgramPath } from "./runner-program-path.js";
import { Spawner, type Started } from "./spawner.js";

/** The orchestrator's own environment is not the job's: only these pass through to the child. */
const PASS_THROUGH = /^(PATH|HOME|USER|LANG|LC_[A-Z]+|TZ|TMPDIR|SSL_CERT_FILE|SSL_CERT_DIR|NODE_EXTRA_CA_CERTS|HTTPS?_PROXY|NO_PROXY|https?_proxy|no_proxy|AWS_[A-Z0-9_]+|TF_[A-Za-z0-9_]+|PORCH_IAC_BINARY|PORCH_TOFU_[A-Z_]+|PORCH_S3_ENDPOINT|PORCH_HEARTBEAT_MS|PORCH_LOG_FLUSH_MS)$/;

export interface LocalDriverOptions {
  events: DriverEvents;
  logger: Logger;
  /** Default parent of job working directories; a runner's `working_dir` overrides it. */
  defaultWorkingDir: string;
  /** SIGTERM first, SIGKILL after this long. @default 30000 */
  killGraceMs?: number;
  /** @default [process.execPath, <the bundled runner program>] */
  command?: string[];
  /** Replaces the orchestrator's environment as the base (tests). */
  baseEnv?: NodeJS.ProcessEnv;
  /**
   * At most this many runner programs kept booted and waiting, so jobs start at once; how many are
   * actually kept follows setStandbyTarget() (the local runners' capacity). 0 turns standby off.
   * @default 64
   */
  standbyRunners?: number;
  /**
   * Jobs run this much "nicer" than the orchestrator (and OpenTofu inherits it), so dozens of jobs
   * starting at once cannot starve the API and the scheduler of CPU (at niceness 10, fifty booting jobs would
   * still outweigh the server several times over). @default 19
   */
  jobNiceness?: number;
}

interface Running {
  pid: number;
  startedAt?: string;
  tail: string[];
  finished: boolean;
  exited: boolean;
  watch?: NodeJS.Timeout;
}

/**
 * Runs each job as a child process of the orchestrator: porch's embedded default. The child gets
 * the same environment contract a Fargate task gets, and nothing else of the orchestrator's.
 */
export class LocalDriver implements RunnerDriver {
  readonly type = "local" as const;
  private readonly jobs = new Map<string, Running>();
  private readonly spawner: Spawner;
  /** Exits reported before dispatch() recorded the job (a runner that died at once). */
  private readonly earlyExits = new Map<string, { code: number | null; signal: NodeJS.Signals | null; tail: string[] }>();

  constructor(private readonly o: LocalDriverOptions) {
    this.spawner = new Spawner({
      exited: (id, code, signal, tail) => {
        const running = this.jobs.get(id);
        if (!running) {
          this.earlyExits.set(id, { code, signal, tail });
          return;
        }
        running.tail.push(...tail);
        this.onExit(id, code, signal);
      },
      // Without the helper nobody reports exits: watch the processes themselves instead.
      lost: () => {
        for (const [id, running] of this.jobs) if (!running.watch) this.watch(id, running);
      },
    });
    this.spawner.warm();
    this.spawner.onRestart = () => this.configureStandby();
  }

  private standbyTarget = 0;

  /** How many runner programs this driver currently keeps ready. */
  get standbyCount(): number {
    return this.standbyTarget;
  }

  /**
   * Keep this many runner programs ready (capped by `standbyRunners`): the number of jobs the local
   * runners may run at once, so a burst of that size starts without a single process start. An idle
   * standby runner costs about 12 MB of private memory and no CPU.
   */
  setStandbyTarget(jobs: number): void {
    const count = Math.max(0, Math.min(jobs, this.o.standbyRunners ?? 64));
    if (count === this.standbyTarget) return;
    this.standbyTarget = count;
    this.configureStandby();
  }

  private configureStandby(): void {
    if (this.o.command) return;
    this.spawner.standby(this.standbyTarget, process.execPath, [runnerProgramPath()], this.baseEnv(), this.o.jobNiceness ?? 19);
  }

  private baseEnv(): Record<string, string> {
    const base = this.o.baseEnv ?? process.env;
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(base)) if (v !== undefined && PASS_THROUGH.test(k)) env[k] = v;
    return env;
  }

  private watch(deploymentId: string, running: Running): void {
    running.watch = setInterval(() => {
      if (!isAlive(running.pid)) this.onExit(deploymentId, null, null);
    }, 1000);
    running.watch.unref();
  }

  /** What the job adds to the base environment: the runner contract and the job's directory. */
  private jobEnv(req: DispatchRequest, workDir: string): Record<string, string> {
    return { ...req.env, [RUNNER_ENV.workDir]: workDir };
  }

  async dispatch(req: DispatchRequest): Promise<DriverHandle> {
    const existing = this.jobs.get(req.job.deploymentId);
    if (existing) return { pid: existing.pid, ...(existing.startedAt ? { started_at: existing.startedAt } : {}) };
    const cfg = req.runner.runner_configuration;
    const parent = cfg.type === "local" && cfg.working_dir ? cfg.working_dir : this.o.defaultWorkingDir;
    const workDir = join(parent, req.job.deploymentId);
    try {
      mkdirSync(parent, { recursive: true });
    } catch (err) {
      throw new InternalError(`cannot create the job directory ${parent}: ${(err as Error).message}; check runner_configuration.working_dir`, "working_dir_unusable", err);
    }
    const [cmd, ...args] = this.o.command ?? [process.execPath, runnerProgramPath()];
    let started: Started;
    try {
      const jobEnv = this.jobEnv(req, workDir);
      started = await this.spawner.spawn(req.job.deploymentId, cmd!, args, { ...this.baseEnv(), ...jobEnv }, jobEnv, this.o.jobNiceness ?? 19);
    } catch (err) {
      throw new TransientError(`could not start the runner program (${cmd}): ${(err as Error).message}`, "runner_spawn_failed", err);
    }
    const { pid } = started;
    const startedAt = new Date(started.startedAt).toISOString();
    const running: Running = { pid, startedAt, tail: [], finished: false, exited: false };
    this.jobs.set(req.job.deploymentId, running);
    const early = this.earlyExits.get(req.job.deploymentId);
    if (early) {
      this.earlyExits.delete(req.job.deploymentId);
      running.tail.push(...early.tail);
      queueMicrotask(() => this.onExit(req.job.deploymentId, early.code, early.signal));
    }
    return { pid, started_at: startedAt };
  }

  private onExit(deploymentId: string, code: number | null, signal: NodeJS.Signals | null): void {
    const running = this.jobs.get(deploymentId);
    if (!running || running.exited) return;
    running.exited = true;
    if (running.watch) clearInterval(running.watch);
    this.jobs.delete(deploymentId);
    if (running.finished) return;
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const tail = running.tail.slice(-5).join(" | ");
    this.o.events.exited({
      deploymentId,
      error: new InternalError(`the runner program ${how} before reporting a result${tail ? `: ${tail}` : ""}`, "runner_exited"),
      lastKnown: { exitCode: code, signal },
    });
  }

  finished(deploymentId: string): void {
    const running = this.jobs.get(deploymentId);
    if (running) running.finished = true;
  }

  /**
   * After an orchestrator restart a child may still be alive (it outlives a crashed parent) and will
   * report its result by itself; otherwise the job is over and says why.
   */
  async resume(jobs: Array<{ job: JobRef; runner: RunnerSnapshot; handle: DriverHandle }>): Promise<void> {
    for (const { job, handle } of jobs) {
      const pid = typeof handle.pid === "number" ? handle.pid : -1;
      if (pid > 0 && isAlive(pid)) {
        const running: Running = { pid, tail: [], finished: false, exited: false };
        this.watch(job.deploymentId, running);
        this.jobs.set(job.deploymentId, running);
        continue;
      }
      this.o.events.exited({
        deploymentId: job.deploymentId,
        error: new InternalError(
          "the orchestrator restarted while this job ran on the local runner, and its process did not survive; deploy again",
          "orchestrator_restarted",
        ),
      });
    }
  }

  async cancel(job: JobRef, _runner: RunnerSnapshot, _handle: DriverHandle | null, _reason: string): Promise<CancelOutcome> {
    const running = this.jobs.get(job.deploymentId);
    if (!running) return { signalled: false, note: "the job's process is not running on this orchestrator; the runner stops at its next check-in" };
    signal(running, "SIGTERM");
    const grace = setTimeout(() => {
      if (!running.exited) signal(running, "SIGKILL");
    }, this.o.killGraceMs ?? 30_000);
    grace.unref();
    return { signalled: true };
  }

  async close(): Promise<void> {
    for (const r of this.jobs.values()) if (r.watch) clearInterval(r.watch);
    this.spawner.close();
  }

  /** For graceful server shutdown and tests: stop every job now. */
  killAll(): void {
    for (const r of this.jobs.values()) signal(r, "SIGKILL");
  }
}

function signal(running: Running, sig: NodeJS.Signals): void {
  try {
    process.kill(running.pid, sig);
  } catch {
    // already gone
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
