/**
 * The one place a fake task changes state. It walks the documented lifecycle
 * PROVISIONING -> PENDING -> ACTIVATING -> RUNNING -> DEACTIVATING -> STOPPING -> DEPROVISIONING -> STOPPED
 * with small configurable delays, fails starts the way Fargate does (image pull, secrets), runs the
 * essential container through the test's launcher, and stops it with SIGTERM then SIGKILL.
 */
import type { FakeEcsTimings, FakeProcess, FakeProcessExit, FakeTaskLaunch, FakeTaskStatus } from "../types.js";
import type { SecretResolution } from "../secret-store.js";
import { STATUS_ORDER, type FakeTask } from "./task.js";

export const OUT_OF_MEMORY_REASON = "OutOfMemoryError: Container killed due to memory usage";
const DEFAULT_STOP_TIMEOUT_MS = 30_000;
/** What a container that ignored nothing and died of SIGTERM reports (128 + 15). */
const SIGTERM_EXIT_CODE = 143;

export interface StopRequest {
  stopCode: string;
  stoppedReason: string;
  exitCode?: number | null;
  containerReason?: string;
}

export interface LifecycleDependencies {
  region: string;
  timings: FakeEcsTimings | undefined;
  launcher?: (task: FakeTaskLaunch) => FakeProcess;
  knownImages?: (image: string) => boolean;
  resolveSecrets(task: FakeTask): SecretResolution;
}

interface Running {
  process?: FakeProcess;
  killTimer?: NodeJS.Timeout;
}

export class TaskLifecycle {
  private readonly timers = new Map<string, Set<NodeJS.Timeout>>();
  private readonly running = new Map<string, Running>();
  private readonly listeners = new Set<() => void>();
  private readonly pendingExits = new Set<Promise<unknown>>();
  private shuttingDown = false;

  constructor(private readonly deps: LifecycleDependencies) {}

  start(task: FakeTask): void {
    this.schedule(task, this.delay("provisioningMs", 20), () => {
      this.setStatus(task, "PENDING");
      task.pullStartedAt = new Date();
      this.schedule(task, this.delay("pendingMs", 20), () => this.activate(task));
    });
  }

  /** StopTask and the stops AWS initiates itself. A task already on its way down keeps its first reason. */
  stop(task: FakeTask, how: StopRequest): void {
    if (task.desiredStatus === "STOPPED") return;
    task.desiredStatus = "STOPPED";
    task.stopCode = how.stopCode;
    task.stoppedReason = how.stoppedReason;
    task.stoppingAt = new Date();
    if (how.exitCode !== undefined) task.forcedExit = { exitCode: how.exitCode, containerReason: how.containerReason };
    else if (how.containerReason !== undefined) task.containerReason = how.containerReason;
    task.version += 1;

    const running = this.running.get(task.taskArn);
    if (task.lastStatus !== "RUNNING" || !running) {
      // Not started yet: nothing to signal, the task is torn down without its container having run.
      this.cancelSteps(task);
      this.windDown(task, { exitCode: task.forcedExit?.exitCode ?? null, containerReason: task.forcedExit?.containerReason ?? task.containerReason });
      return;
    }
    this.setStatus(task, "DEACTIVATING");
    if (!running.process) {
      this.onExit(task, { exitCode: SIGTERM_EXIT_CODE });
      return;
    }
    if (task.forcedExit) {
      running.process.stop("SIGKILL");
      return;
    }
    running.process.stop("SIGTERM");
    running.killTimer = setTimeout(() => running.process?.stop("SIGKILL"), this.stopTimeoutMs(task));
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Cancels every pending step and kills every container, waiting for the processes to go. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    for (const timers of this.timers.values()) for (const timer of timers) clearTimeout(timer);
    this.timers.clear();
    for (const running of this.running.values()) {
      if (running.killTimer) clearTimeout(running.killTimer);
      running.process?.stop("SIGKILL");
    }
    await Promise.allSettled([...this.pendingExits]);
    this.running.clear();
  }

  private activate(task: FakeTask): void {
    if (task.desiredStatus === "STOPPED") return;
    if (task.startFailure) {
      this.failStart(task, task.startFailure.stoppedReason, task.startFailure.containerReason);
      return;
    }
    const image = this.imageFor(task);
    if (this.deps.knownImages && !this.deps.knownImages(image)) {
      const reason = `CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref ${image}: not found`;
      this.failStart(task, reason, reason);
      return;
    }
    const secrets = this.deps.resolveSecrets(task);
    if ("failure" in secrets) {
      this.failStart(task, secrets.failure, secrets.failure);
      return;
    }
    task.pullStoppedAt = new Date();
    this.setStatus(task, "ACTIVATING");
    this.schedule(task, this.delay("activatingMs", 5), () => this.run(task, secrets.env));
  }

  private run(task: FakeTask, secretEnv: Record<string, string>): void {
    if (task.desiredStatus === "STOPPED") return;
    task.env = this.environment(task, secretEnv);
    task.startedAt = new Date();
    this.setStatus(task, "RUNNING");
    const running: Running = {};
    this.running.set(task.taskArn, running);
    if (!this.deps.launcher) return;
    try {
      running.process = this.deps.launcher({
        taskArn: task.taskArn,
        cluster: task.cluster,
        env: { ...task.env },
        image: this.imageFor(task),
        command: this.commandFor(task),
        taskRoleArn: task.taskRoleArn,
        cpu: task.cpu,
        memory: task.memory,
      });
    } catch (err) {
      this.running.delete(task.taskArn);
      const reason = `CannotStartContainerError: ${err instanceof Error ? err.message : String(err)}`;
      this.failStart(task, reason, reason);
      return;
    }
    const exited = running.process.exited.then(
      (exit) => this.onExit(task, exit),
      (err: unknown) => this.onExit(task, { exitCode: 1, reason: `fake launcher's process failed: ${err instanceof Error ? err.message : String(err)}` }),
    );
    this.pendingExits.add(exited);
    void exited.finally(() => this.pendingExits.delete(exited));
  }

  private onExit(task: FakeTask, exit: FakeProcessExit): void {
    const running = this.running.get(task.taskArn);
    if (running?.killTimer) clearTimeout(running.killTimer);
    this.running.delete(task.taskArn);
    if (this.shuttingDown) return;
    if (task.desiredStatus === "RUNNING") {
      task.desiredStatus = "STOPPED";
      task.stopCode = "EssentialContainerExited";
      task.stoppedReason = "Essential container in task exited";
      task.stoppingAt = new Date();
    }
    if (task.forcedExit) {
      this.windDown(task, task.forcedExit);
    } else if (exit.oom) {
      this.windDown(task, { exitCode: 137, containerReason: OUT_OF_MEMORY_REASON });
    } else {
      this.windDown(task, { exitCode: exit.exitCode, containerReason: exit.reason ?? task.containerReason });
    }
  }

  private failStart(task: FakeTask, stoppedReason: string, containerReason: string | undefined): void {
    task.desiredStatus = "STOPPED";
    task.stopCode = "TaskFailedToStart";
    task.stoppedReason = stoppedReason;
    task.stoppingAt = new Date();
    this.windDown(task, { exitCode: null, containerReason });
  }

  private windDown(task: FakeTask, exit: { exitCode: number | null; containerReason?: string }): void {
    task.exitCode = exit.exitCode;
    task.containerReason = exit.containerReason;
    const wasRunning = STATUS_ORDER.indexOf(task.lastStatus) >= STATUS_ORDER.indexOf("ACTIVATING");
    if (wasRunning) {
      if (task.lastStatus !== "DEACTIVATING") this.setStatus(task, "DEACTIVATING");
      this.setStatus(task, "STOPPING");
    }
    const half = this.delay("stoppingMs", 20) / 2;
    this.schedule(task, half, () => {
      this.setStatus(task, "DEPROVISIONING");
      this.schedule(task, half, () => {
        task.stoppedAt = new Date();
        this.setStatus(task, "STOPPED");
      });
    });
  }

  private environment(task: FakeTask, secretEnv: Record<string, string>): Record<string, string> {
    const env: Record<string, string> = {
      // Set by Fargate in every task; the task's own variables may override them.
      AWS_REGION: this.deps.region,
      AWS_DEFAULT_REGION: this.deps.region,
      AWS_EXECUTION_ENV: "AWS_ECS_FARGATE",
    };
    for (const { name, value } of task.essential.environment ?? []) if (name) env[name] = value ?? "";
    for (const { name, value } of this.containerOverride(task)?.environment ?? []) if (name) env[name] = value ?? "";
    Object.assign(env, secretEnv);
    return env;
  }

  private imageFor(task: FakeTask): string {
    return task.essential.image;
  }

  private commandFor(task: FakeTask): string[] | undefined {
    return this.containerOverride(task)?.command ?? task.essential.command;
  }

  private containerOverride(task: FakeTask): { environment?: Array<{ name?: string; value?: string }>; command?: string[] } | undefined {
    const overrides = (task.overrides.containerOverrides ?? []) as Array<{ name?: string; environment?: Array<{ name?: string; value?: string }>; command?: string[] }>;
    return overrides.find((override) => override.name === task.essential.name);
  }

  private stopTimeoutMs(task: FakeTask): number {
    if (this.deps.timings?.stopTimeoutMs !== undefined) return this.deps.timings.stopTimeoutMs;
    return task.essential.stopTimeout !== undefined ? task.essential.stopTimeout * 1000 : DEFAULT_STOP_TIMEOUT_MS;
  }

  private delay(name: "provisioningMs" | "pendingMs" | "activatingMs" | "stoppingMs", fallback: number): number {
    return this.deps.timings?.[name] ?? fallback;
  }

  private setStatus(task: FakeTask, status: FakeTaskStatus): void {
    task.lastStatus = status;
    task.statusHistory.push(status);
    task.version += 1;
    for (const listener of this.listeners) listener();
  }

  private schedule(task: FakeTask, ms: number, step: () => void): void {
    if (this.shuttingDown) return;
    const timers = this.timers.get(task.taskArn) ?? new Set<NodeJS.Timeout>();
    const timer = setTimeout(() => {
      timers.delete(timer);
      step();
    }, ms);
    timers.add(timer);
    this.timers.set(task.taskArn, timers);
  }

  private cancelSteps(task: FakeTask): void {
    for (const timer of this.timers.get(task.taskArn) ?? []) clearTimeout(timer);
    this.timers.delete(task.taskArn);
  }
}
