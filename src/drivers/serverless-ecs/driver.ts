import type { ECSClient, Task } from "@aws-sdk/client-ecs";
import type { ServerlessEcsConfiguration } from "../../config/runner-configuration.js";
import { InternalError, PorchError, TransientError, toPorchError } from "../../errors/porch-error.js";
import type { CancelOutcome, DispatchRequest, DriverEvents, DriverHandle, JobRef, RunnerDriver, RunnerSnapshot } from "../driver.js";
import { DEFAULT_TASK_DEFINITION_PREFIX } from "./aws-actions.js";
import { retryWithinBudget, type BackoffPolicy } from "./backoff.js";
import { CallStats } from "./call-stats.js";
import { WebIdentityCredentials, type CredentialsTarget } from "./credentials.js";
import { EcsClients } from "./ecs-clients.js";
import { classifyEcsException, type EcsCallContext } from "./ecs-errors.js";
import { readHandle, toDriverHandle, type EcsTaskHandle } from "./handle.js";
import type { DriverLogger } from "./logger.js";
import { accountIdFromRoleArn, runTaskClientToken, startedByTag, taskDefinitionFamily } from "./naming.js";
import { RateLimiters } from "./rate-limiter.js";
import { ClientTokenConflictError, startTask } from "./run-task.js";
import { taskFacts, type DiagnosisContext } from "./stop-diagnosis.js";
import { stopTask, stopTaskPermissionHint } from "./stop-task.js";
import { TaskDefinitionRegistry } from "./task-definition-registry.js";
import { renderTaskDefinition, type RenderedTaskDefinition } from "./task-definition.js";
import { findTasksStartedBy } from "./task-lookup.js";
import { TaskTracker, type WatchGroup } from "./task-tracker.js";

export interface ServerlessEcsDriverOptions {
  events: DriverEvents;
  /** Mints porch's OIDC token for a runner (`sub` = `<org>+<runner>`, `aud` = sts.amazonaws.com). */
  webIdentityToken: (orgId: string, runnerId: string) => Promise<string>;
  /** The server's default runner image, used when `job.image` is not set. */
  defaultImage: string;
  /** Task definition family prefix: `<prefix>_<org>_<runner>`. @default "humanitec" */
  taskDefinitionPrefix?: string;
  /** Endpoint overrides (fakes); otherwise the SDK's regional endpoints. */
  endpoints?: { ecs?: string; sts?: string };
  /** RunTask calls per second per account and region; bursts queue instead of being throttled. @default 20 */
  runTaskRatePerSecond?: number;
  /** Calls the bucket may make at once after a quiet spell. @default runTaskRatePerSecond */
  runTaskBurst?: number;
  /** ACTIVE revisions kept per family by clean-up. @default 3 */
  keepRevisions?: number;
  /** How long RunTask (and other calls) retry transient errors before giving up. @default 120000 */
  retryBudgetMs?: number;
  /** First backoff step; full jitter doubles the ceiling per attempt. @default 200 */
  retryBaseMs?: number;
  /** A task still PROVISIONING/PENDING this long is stopped and failed. @default 600000 */
  provisioningTimeoutMs?: number;
  /** DescribeTasks interval while tasks are starting. @default 3000 */
  pollFastMs?: number;
  /** DescribeTasks interval once every runner program has called in. @default 30000 */
  pollSlowMs?: number;
  logger?: DriverLogger;
  now?: () => number;
  random?: () => number;
}

export type ServerlessEcsDriver = RunnerDriver & {
  /** AWS calls by IAM action (one per HTTP attempt), for the benchmark. */
  stats(): Record<string, number>;
  /** Resolves once background work started so far (task definition clean-up) has ended. */
  idle(): Promise<void>;
};

/** Different clientTokens tried for one deployment before giving up (each earlier one already ran). */
const MAX_RUN_ATTEMPTS = 20;

interface RunnerContext {
  cfg: ServerlessEcsConfiguration;
  target: CredentialsTarget;
  accountId: string;
  client: ECSClient;
  group: WatchGroup;
  call: EcsCallContext;
  family: string;
  image: string;
  diagnosis: DiagnosisContext;
}

export function createServerlessEcsDriver(opts: ServerlessEcsDriverOptions): ServerlessEcsDriver {
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const logger = opts.logger ?? {};
  const retryBudgetMs = opts.retryBudgetMs ?? 120_000;
  const baseMs = opts.retryBaseMs ?? 200;
  const backoffFor = (budgetMs = retryBudgetMs): BackoffPolicy => ({ budgetMs, baseMs, capMs: Math.max(baseMs, Math.min(10_000, budgetMs / 4)), now, random });
  // A cancel or a stuck task should not wait minutes for StopTask.
  const stopBackoff = () => backoffFor(Math.min(retryBudgetMs, 30_000));

  const stats = new CallStats();
  const credentials = new WebIdentityCredentials({ webIdentityToken: opts.webIdentityToken, stsEndpoint: opts.endpoints?.sts, stats, now });
  const clients = new EcsClients({ credentials, stats, endpoint: opts.endpoints?.ecs });
  const runTaskRate = opts.runTaskRatePerSecond ?? 20;
  const limiters = new RateLimiters(runTaskRate, opts.runTaskBurst ?? Math.max(1, Math.ceil(runTaskRate)));
  const registry = new TaskDefinitionRegistry({ keepRevisions: opts.keepRevisions ?? 3, backoff: backoffFor(), logger });
  const tracker = new TaskTracker({
    events: opts.events,
    pollFastMs: opts.pollFastMs ?? 3_000,
    pollSlowMs: opts.pollSlowMs ?? 30_000,
    provisioningTimeoutMs: opts.provisioningTimeoutMs ?? 600_000,
    now,
    logger,
  });

  function runnerContext(job: JobRef, runner: RunnerSnapshot): RunnerContext {
    const cfg = runner.runner_configuration;
    if (cfg.type !== "serverless-ecs") {
      throw new InternalError(`the serverless-ecs driver was given a '${cfg.type}' runner (${job.runnerId})`, "driver_type_mismatch");
    }
    const target: CredentialsTarget = {
      orgId: job.orgId,
      runnerId: job.runnerId,
      roleArn: cfg.auth.role_arn,
      stsRegion: cfg.auth.sts_region ?? cfg.job.region,
      ...(cfg.auth.session_name ? { sessionName: cfg.auth.session_name } : {}),
    };
    const client = clients.for(target, cfg.job.region);
    const call: EcsCallContext = { runnerId: job.runnerId, operation: "ecs", roleArn: cfg.auth.role_arn, job: cfg.job };
    const image = cfg.job.image ?? opts.defaultImage;
    return {
      cfg,
      target,
      accountId: accountIdFromRoleArn(cfg.auth.role_arn),
      client,
      call,
      family: taskDefinitionFamily(job.orgId, job.runnerId, opts.taskDefinitionPrefix ?? DEFAULT_TASK_DEFINITION_PREFIX),
      image,
      diagnosis: { runnerId: job.runnerId, job: cfg.job, image },
      group: {
        key: `${cfg.job.region}\u0000${cfg.job.cluster}\u0000${WebIdentityCredentials.key(target)}`,
        client,
        cluster: cfg.job.cluster,
        stop: (taskArn, reason) => stopTask(client, cfg.job.cluster, taskArn, reason, call, stopBackoff()),
      },
    };
  }

  async function ecsCall<T>(what: string, call: EcsCallContext, fn: () => Promise<T>): Promise<T> {
    const ctx = { ...call, operation: what };
    return retryWithinBudget(
      what,
      async () => {
        try {
          return await fn();
        } catch (err) {
          throw classifyEcsException(err, ctx);
        }
      },
      backoffFor(),
    );
  }

  function track(c: RunnerContext, deploymentId: string, task: Task): void {
    tracker.track(c.group, { deploymentId, taskArn: task.taskArn!, diagnosis: c.diagnosis, lastKnown: taskFacts(task) });
  }

  function handleFor(c: RunnerContext, deploymentId: string, attempt: number, rendered: RenderedTaskDefinition, task: Task): EcsTaskHandle {
    return {
      driver: "serverless-ecs",
      region: c.cfg.job.region,
      cluster: c.cfg.job.cluster,
      accountId: c.accountId,
      taskArn: task.taskArn!,
      clientToken: runTaskClientToken(deploymentId, attempt),
      startedBy: startedByTag(deploymentId),
      attempt,
      family: c.family,
      ...(task.taskDefinitionArn ? { taskDefinitionArn: task.taskDefinitionArn } : {}),
      definitionHash: rendered.hash,
      image: c.image,
      ...(task.lastStatus ? { lastStatus: task.lastStatus } : {}),
    };
  }

  async function dispatch(req: DispatchRequest): Promise<DriverHandle> {
    const c = runnerContext(req.job, req.runner);
    const deploymentId = req.job.deploymentId;
    // Surfaces trust-policy problems as the STS error they are, before any ECS call.
    await credentials.get(c.target);
    const rendered = renderTaskDefinition({ family: c.family, job: c.cfg.job, defaultImage: opts.defaultImage, orgId: req.job.orgId, runnerId: req.job.runnerId });
    // Never retry past the deployment's deadline (but leave a moment to try at all).
    const budget = Math.min(retryBudgetMs, Math.max(1_000, req.deadline.getTime() - now()));
    const startedBy = startedByTag(deploymentId);

    for (let attempt = 1; attempt <= MAX_RUN_ATTEMPTS; attempt++) {
      let task: Task;
      try {
        task = await startTask({
          client: c.client,
          plan: { job: c.cfg.job, ref: req.job, clientToken: runTaskClientToken(deploymentId, attempt), startedBy, env: req.env },
          taskDefinition: () => registry.ensure(c.client, rendered, c.call),
          onInactiveTaskDefinition: (arn) => registry.forget(c.family, arn),
          limiter: limiters.for(c.accountId, c.cfg.job.region),
          backoff: backoffFor(budget),
          ctx: c.call,
          logger,
        });
      } catch (err) {
        if (!(err instanceof ClientTokenConflictError)) throw err;
        // This token already started a task with other parameters (porch restarted and registered a new
        // revision): attach to that task, running or not. Only a token that never started anything
        // moves on to the next one.
        const running = await ecsCall("ecs:ListTasks", c.call, () => findTasksStartedBy(c.client, c.cfg.job.cluster, startedBy, "RUNNING"));
        const existing = running[0] ?? (await ecsCall("ecs:ListTasks", c.call, () => findTasksStartedBy(c.client, c.cfg.job.cluster, startedBy, "STOPPED")))[0];
        if (!existing) continue;
        task = existing;
      }
      // A stopped task here is still this deployment's one task (a retried RunTask whose first answer
      // was lost returns it): never start a second. Tracking reports how it ended if the runner did not.
      track(c, deploymentId, task);
      logger.info?.({ deploymentId, taskArn: task.taskArn, attempt }, "started ECS task");
      return toDriverHandle(handleFor(c, deploymentId, attempt, rendered, task));
    }
    throw new InternalError(`deployment ${deploymentId} already used ${MAX_RUN_ATTEMPTS} ECS tasks; refusing to start another`, "ecs_too_many_attempts");
  }

  async function resumeOne(entry: { job: JobRef; runner: RunnerSnapshot; handle: DriverHandle }): Promise<void> {
    const c = runnerContext(entry.job, entry.runner);
    const h = readHandle(entry.handle);
    const deploymentId = entry.job.deploymentId;
    if (h.family === c.family && h.definitionHash && h.taskDefinitionArn) registry.remember(c.family, h.definitionHash, h.taskDefinitionArn);
    if (h.taskArn) {
      tracker.track(c.group, {
        deploymentId,
        taskArn: h.taskArn,
        diagnosis: { ...c.diagnosis, image: h.image ?? c.image },
        lastKnown: { taskArn: h.taskArn, ...(h.lastStatus ? { lastStatus: h.lastStatus } : {}) },
      });
      return;
    }
    const startedBy = h.startedBy ?? startedByTag(deploymentId);
    const running = await ecsCall("ecs:ListTasks", c.call, () => findTasksStartedBy(c.client, c.cfg.job.cluster, startedBy, "RUNNING"));
    const found = running[0] ?? (await ecsCall("ecs:ListTasks", c.call, () => findTasksStartedBy(c.client, c.cfg.job.cluster, startedBy, "STOPPED")))[0];
    if (found?.taskArn) {
      track(c, deploymentId, found);
      return;
    }
    opts.events.exited({
      deploymentId,
      error: new TransientError(
        `no ECS task was found for deployment ${deploymentId} (startedBy ${startedBy}): porch stopped before RunTask succeeded; dispatching it again starts it`,
        "ecs_task_never_started",
      ),
      lastKnown: { ...h },
    });
  }

  async function resume(jobs: Array<{ job: JobRef; runner: RunnerSnapshot; handle: DriverHandle }>): Promise<void> {
    await Promise.all(
      jobs.map(async (entry) => {
        try {
          await resumeOne(entry);
        } catch (err) {
          const error = toPorchError(err);
          logger.warn?.({ deploymentId: entry.job.deploymentId, err }, "could not re-attach to an ECS task");
          opts.events.exited({ deploymentId: entry.job.deploymentId, error, lastKnown: { ...readHandle(entry.handle) } });
        }
      }),
    );
  }

  async function cancel(job: JobRef, runner: RunnerSnapshot, handle: DriverHandle | null, reason: string): Promise<CancelOutcome> {
    const c = runnerContext(job, runner);
    const h = readHandle(handle);
    const protocolNote = "the runner will stop at its next check-in";
    try {
      let taskArn = h.taskArn ?? tracker.taskArnOf(job.deploymentId);
      if (!taskArn) {
        const running = await findTasksStartedBy(c.client, c.cfg.job.cluster, h.startedBy ?? startedByTag(job.deploymentId), "RUNNING");
        taskArn = running[0]?.taskArn;
      }
      if (!taskArn) return { signalled: false, note: `no running ECS task was found for this deployment; ${protocolNote}` };
      if (await stopTask(c.client, c.cfg.job.cluster, taskArn, reason, c.call, stopBackoff())) return { signalled: true };
      return { signalled: false, note: `${stopTaskPermissionHint(c.cfg.auth.role_arn, c.cfg.job.region, c.accountId, c.cfg.job.cluster)}; ${protocolNote}` };
    } catch (err) {
      const error = err instanceof PorchError ? err : classifyEcsException(err, { ...c.call, operation: "ecs:StopTask" });
      logger.warn?.({ deploymentId: job.deploymentId, err: error }, "could not stop the ECS task");
      return { signalled: false, note: `stopping the ECS task failed (${error.message}); ${protocolNote}` };
    }
  }

  return {
    type: "serverless-ecs",
    dispatch,
    resume,
    cancel,
    runnerStarted: (deploymentId) => tracker.runnerStarted(deploymentId),
    finished: (deploymentId) => tracker.finished(deploymentId),
    async close() {
      tracker.close();
      await registry.settled();
      clients.close();
      credentials.close();
    },
    stats: () => stats.snapshot(),
    idle: () => registry.settled(),
  };
}
