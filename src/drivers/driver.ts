import type { RunnerConfiguration } from "../config/runner-configuration.js";
import type { StateStorage } from "../config/state-storage.js";
import type { PorchError } from "../errors/porch-error.js";

/**
 * The contract between the scheduler and every runner type. A driver starts the runner program
 * somewhere (child process, Fargate task, ...) and reports how it ended when the program itself
 * could not. It never writes a deployment's status: the deployment state machine does.
 */
export interface JobRef {
  deploymentId: string;
  orgId: string;
  projectId: string;
  envId: string;
  runnerId: string;
}

export interface RunnerSnapshot {
  runner_configuration: RunnerConfiguration;
  state_storage_configuration: StateStorage;
}

export interface DispatchRequest {
  job: JobRef;
  runner: RunnerSnapshot;
  /**
   * The runner program's environment contract (PORCH_API_URL, PORCH_DEPLOYMENT_ID, PORCH_JOB_TOKEN,
   * ...). Identical for every runner type; drivers add only what their platform needs.
   */
  env: Record<string, string>;
  /** When the deployment must be over; drivers may use it for their own timeouts. */
  deadline: Date;
}

/** JSON-serialisable; stored on the deployment so any replica can re-attach after a restart. */
export type DriverHandle = Record<string, unknown>;

/** How a job ended when the runner program did not report a result itself. */
export interface JobExit {
  deploymentId: string;
  /** user/config problems are shown as they are; transient ones may be retried by the scheduler. */
  error: PorchError;
  /** Last state the platform showed, for the record (e.g. ECS lastStatus/stopCode). */
  lastKnown?: Record<string, unknown>;
}

export interface CancelOutcome {
  /** True when the platform was asked to stop the job (SIGTERM, StopTask). */
  signalled: boolean;
  /** Shown to the user, e.g. which permission would make cancel immediate. */
  note?: string;
}

export interface DriverEvents {
  /** The job's process/task is gone. Called at most once per deployment. */
  exited(exit: JobExit): void;
  /** Optional: the driver saw the job start on the platform (e.g. task RUNNING). */
  progressed?(deploymentId: string, info: Record<string, unknown>): void;
}

export interface RunnerDriver {
  readonly type: RunnerConfiguration["type"];
  /**
   * Starts the job. Must be safe to call again for the same deployment after a crash between
   * "dispatching" and the handle being stored (e.g. RunTask clientToken), and must not start it twice.
   */
  dispatch(req: DispatchRequest): Promise<DriverHandle>;
  /** Re-attaches to jobs started earlier (this or another replica) after a restart. */
  resume(jobs: Array<{ job: JobRef; runner: RunnerSnapshot; handle: DriverHandle }>): Promise<void>;
  /** The runner program called in (job start): drivers may poll less often from now on. */
  runnerStarted?(deploymentId: string): void;
  /** The runner program reported its result: stop watching, clean up. */
  finished(deploymentId: string): void;
  cancel(job: JobRef, runner: RunnerSnapshot, handle: DriverHandle | null, reason: string): Promise<CancelOutcome>;
  /** Stops background loops; running jobs are left alone (another replica or a restart re-attaches). */
  close(): Promise<void>;
}

export interface DriverContext {
  events: DriverEvents;
}
