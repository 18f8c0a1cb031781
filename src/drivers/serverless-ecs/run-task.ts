import { RunTaskCommand, type ECSClient, type RunTaskCommandInput, type Tag, type Task, type TaskOverride } from "@aws-sdk/client-ecs";
import type { ServerlessEcsConfiguration } from "../../config/runner-configuration.js";
import type { JobRef } from "../driver.js";
import { InternalError, PorchError, TransientError } from "../../errors/porch-error.js";
import { retryWithinBudget, type BackoffPolicy } from "./backoff.js";
import { classifyEcsException, classifyRunTaskFailure, isClientTokenConflict, isInactiveTaskDefinition, isThrottling, type EcsCallContext } from "./ecs-errors.js";
import type { DriverLogger } from "./logger.js";
import { ecsTagValue } from "./naming.js";
import type { TokenBucket } from "./rate-limiter.js";
import { RUNNER_CONTAINER_NAME, toKeyValuePairs } from "./task-definition.js";

/** ECS rejects RunTask when `overrides.containerOverrides` exceeds this many bytes. */
export const CONTAINER_OVERRIDES_MAX_BYTES = 8192;

export interface RunTaskPlan {
  job: ServerlessEcsConfiguration["job"];
  ref: JobRef;
  clientToken: string;
  startedBy: string;
  /** Per-deployment environment (PORCH_DEPLOYMENT_ID, PORCH_JOB_TOKEN, PORCH_API_URL, ...). */
  env: Record<string, string>;
}

export function deploymentTags(ref: JobRef): Tag[] {
  return [
    { key: "porch:managed-by", value: "porch" },
    { key: "porch:org", value: ecsTagValue(ref.orgId) },
    { key: "porch:project", value: ecsTagValue(ref.projectId) },
    { key: "porch:env", value: ecsTagValue(ref.envId) },
    { key: "porch:runner", value: ecsTagValue(ref.runnerId) },
    { key: "porch:deployment", value: ecsTagValue(ref.deploymentId) },
  ];
}

/** Per-deployment values go here, not into the task definition, so one revision serves every deployment. */
export function deploymentOverrides(env: Record<string, string>, deploymentId: string): TaskOverride {
  const containerOverrides = [{ name: RUNNER_CONTAINER_NAME, environment: toKeyValuePairs(env) }];
  const bytes = Buffer.byteLength(JSON.stringify(containerOverrides), "utf8");
  if (bytes > CONTAINER_OVERRIDES_MAX_BYTES) {
    throw new InternalError(
      `the per-deployment environment of deployment ${deploymentId} is ${bytes} bytes as ECS containerOverrides; ECS accepts at most ${CONTAINER_OVERRIDES_MAX_BYTES}`,
      "ecs_overrides_too_large",
    );
  }
  return { containerOverrides };
}

/**
 * Tags go on the task explicitly; `propagateTags: TASK_DEFINITION` is not used because it would copy
 * the definition's bookkeeping tags onto every task for nothing. `enableECSManagedTags` is left off:
 * it adds only `aws:ecs:clusterName`, which porch's own tags make redundant.
 */
export function runTaskInput(plan: RunTaskPlan, taskDefinitionArn: string): RunTaskCommandInput {
  const { job } = plan;
  return {
    cluster: job.cluster,
    taskDefinition: taskDefinitionArn,
    count: 1,
    clientToken: plan.clientToken,
    startedBy: plan.startedBy,
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: job.subnets,
        ...(job.security_groups && job.security_groups.length > 0 ? { securityGroups: job.security_groups } : {}),
        assignPublicIp: job.is_public_ip_enabled ? "ENABLED" : "DISABLED",
      },
    },
    ...(job.capacity_provider_strategy
      ? {
          capacityProviderStrategy: job.capacity_provider_strategy.map((s) => ({
            capacityProvider: s.capacity_provider,
            ...(s.weight !== undefined ? { weight: s.weight } : {}),
            ...(s.base !== undefined ? { base: s.base } : {}),
          })),
        }
      : { launchType: "FARGATE" as const }),
    overrides: deploymentOverrides(plan.env, plan.ref.deploymentId),
    tags: deploymentTags(plan.ref),
  };
}

/** RunTask saw this clientToken before with other parameters (e.g. a revision registered after a restart). */
export class ClientTokenConflictError extends PorchError {
  constructor(cause: unknown) {
    super("ecs:RunTask: the clientToken was already used with different parameters", { code: "ecs_client_token_conflict", category: "internal", cause });
  }
}

export interface StartTaskOptions {
  client: ECSClient;
  plan: RunTaskPlan;
  /** The revision to run; called again after ECS said the previous one is no longer active. */
  taskDefinition: () => Promise<string>;
  onInactiveTaskDefinition: (arn: string) => void;
  limiter: TokenBucket;
  backoff: BackoffPolicy;
  ctx: EcsCallContext;
  logger: DriverLogger;
}

/**
 * RunTask with retries: capacity, placement, throttling and network errors are retried with full
 * jitter inside the budget; configuration errors fail at once naming the field. Every attempt first
 * takes a token from the account+region bucket, and the clientToken makes a retry after a lost
 * response return the same task.
 */
export async function startTask(opts: StartTaskOptions): Promise<Task> {
  const ctx = { ...opts.ctx, operation: "ecs:RunTask" };
  let queuedMs = 0;
  return retryWithinBudget(
    "ecs:RunTask",
    async () => {
      const taskDefinitionArn = await opts.taskDefinition();
      const input = runTaskInput(opts.plan, taskDefinitionArn);
      const queuedSince = opts.backoff.now();
      await opts.limiter.acquire();
      queuedMs += opts.backoff.now() - queuedSince;
      let out;
      try {
        out = await opts.client.send(new RunTaskCommand(input));
      } catch (err) {
        // Other clients share the account's limit: hold back every runner of this account briefly.
        if (isThrottling(err)) opts.limiter.pause(opts.backoff.baseMs ?? 100);
        if (isInactiveTaskDefinition(err)) {
          opts.onInactiveTaskDefinition(taskDefinitionArn);
          throw new TransientError(`task definition ${taskDefinitionArn} is no longer active; registering it again`, "ecs_task_definition_inactive", err);
        }
        if (isClientTokenConflict(err)) throw new ClientTokenConflictError(err);
        throw classifyEcsException(err, ctx);
      }
      const task = out.tasks?.[0];
      if (task?.taskArn) return task;
      const failure = out.failures?.[0];
      if (!failure) throw new TransientError("ecs:RunTask returned neither a task nor a failure", "ecs_run_task_empty");
      throw classifyRunTaskFailure(failure, ctx);
    },
    { ...opts.backoff, queuedMs: () => queuedMs },
    (err, delayMs, attempt) =>
      opts.logger.debug?.({ deploymentId: opts.plan.ref.deploymentId, code: err.code, attempt, delayMs, message: err.message }, "retrying ecs:RunTask"),
  );
}
