import type { Task } from "@aws-sdk/client-ecs";
import { DEFAULT_FARGATE_MEMORY } from "../../config/fargate.js";
import type { ServerlessEcsConfiguration } from "../../config/runner-configuration.js";
import { InternalError, PorchError, TransientError } from "../../errors/porch-error.js";
import { FIELD, RunnerFieldError } from "./ecs-errors.js";
import { RUNNER_CONTAINER_NAME } from "./task-definition.js";

/** What ECS said about a task, kept by porch because DescribeTasks forgets stopped tasks after ~1 h. */
export interface TaskFacts {
  taskArn: string;
  lastStatus?: string;
  desiredStatus?: string;
  stopCode?: string;
  stoppedReason?: string;
  /** null when the container never ran. */
  exitCode?: number | null;
  containerReason?: string;
  createdAt?: string;
  startedAt?: string;
  stoppedAt?: string;
}

export function taskFacts(task: Task): TaskFacts {
  const container = task.containers?.find((c) => c.name === RUNNER_CONTAINER_NAME) ?? task.containers?.[0];
  const facts: TaskFacts = { taskArn: task.taskArn ?? "unknown" };
  if (task.lastStatus) facts.lastStatus = task.lastStatus;
  if (task.desiredStatus) facts.desiredStatus = task.desiredStatus;
  if (task.stopCode) facts.stopCode = task.stopCode;
  if (task.stoppedReason) facts.stoppedReason = task.stoppedReason;
  if (container) facts.exitCode = container.exitCode ?? null;
  if (container?.reason) facts.containerReason = container.reason;
  if (task.createdAt) facts.createdAt = new Date(task.createdAt).toISOString();
  if (task.startedAt) facts.startedAt = new Date(task.startedAt).toISOString();
  if (task.stoppedAt) facts.stoppedAt = new Date(task.stoppedAt).toISOString();
  return facts;
}

export interface DiagnosisContext {
  runnerId: string;
  job: ServerlessEcsConfiguration["job"];
  /** The image the task definition used (job.image or the server's default). */
  image: string;
}

/** Several fields can each be the cause; all of them go into the error's details. */
class MultiFieldError extends RunnerFieldError {
  constructor(fields: string[], message: string, code: string) {
    super(fields[0]!, message, code);
    for (const field of fields.slice(1)) this.details.push({ path: field, message });
  }
}

const SIGKILL_EXIT = 137;
const SIGTERM_EXIT = 143;

/**
 * Turns how a task stopped into the error a user sees when the runner program did not report a
 * result itself. Each message says which runner configuration field (or AWS setting) to change.
 */
export function diagnoseStoppedTask(facts: TaskFacts, ctx: DiagnosisContext): PorchError {
  const reason = facts.stoppedReason ?? "";
  const containerReason = facts.containerReason ?? "";
  const both = `${reason} ${containerReason}`;
  const seen = `(ECS task ${facts.taskArn} of runner '${ctx.runnerId}': stopCode ${facts.stopCode ?? "none"}, stoppedReason "${reason}"${
    containerReason ? `, container reason "${containerReason}"` : ""
  }${facts.exitCode !== undefined && facts.exitCode !== null ? `, exit code ${facts.exitCode}` : ""})`;

  if (facts.stopCode === "UserInitiated") {
    return new PorchError(`The ECS task was stopped before the runner program reported a result (stopped by a user or by a cancel) ${seen}`, {
      code: "ecs_task_stopped_by_user",
      category: "user",
    });
  }
  if (/CannotPullContainerError/i.test(both)) return cannotPull(both, ctx, seen);
  if (/ResourceInitializationError/i.test(both)) return resourceInitialization(both, ctx, seen);
  if (/network interface provisioning/i.test(both)) {
    return new TransientError(`AWS timed out provisioning the task's network interface; retrying usually helps ${seen}`, "ecs_eni_timeout");
  }
  if (/OutOfMemory/i.test(both)) {
    const memory = ctx.job.memory ?? DEFAULT_FARGATE_MEMORY;
    return new RunnerFieldError(
      FIELD.memory,
      `the runner ran out of memory at ${memory} MiB; raise job.memory (with a matching job.cpu) ${seen}`,
      "ecs_out_of_memory",
    );
  }
  if (facts.stopCode === "SpotInterruption") {
    return new TransientError(
      `Fargate Spot reclaimed the task's capacity; retry, or use capacity_provider FARGATE in ${FIELD.capacityProviders} for deployments that must not be interrupted ${seen}`,
      "ecs_spot_interruption",
    );
  }
  if (facts.stopCode === "TerminationNotice" || facts.stopCode === "ServiceSchedulerInitiated") {
    return new TransientError(`AWS stopped the task (infrastructure maintenance or scheduler); retrying usually helps ${seen}`, "ecs_task_terminated_by_aws");
  }
  if (facts.exitCode === undefined || facts.exitCode === null) {
    if (facts.stopCode === "TaskFailedToStart") {
      return new PorchError(`The ECS task failed to start; check runner_configuration.job (${FIELD.image}, ${FIELD.subnets}, ${FIELD.executionRole}) ${seen}`, {
        code: "ecs_task_failed_to_start",
        category: "user",
      });
    }
    return new InternalError(`The ECS task stopped without the runner program reporting a result ${seen}`, "ecs_task_stopped_unexpectedly");
  }
  if (facts.exitCode === 0) {
    return new InternalError(`The runner program exited (code 0) without reporting a result to porch; check the task's logs ${seen}`, "runner_exited_without_result");
  }
  if (facts.exitCode === SIGTERM_EXIT) {
    return new TransientError(`The runner program was terminated (SIGTERM) before reporting a result ${seen}`, "runner_terminated");
  }
  const killed = facts.exitCode === SIGKILL_EXIT ? " (killed with SIGKILL)" : "";
  return new InternalError(
    `The runner program crashed with exit code ${facts.exitCode}${killed}${containerReason ? `: ${containerReason}` : ""}; see the task's logs${
      ctx.job.log_group ? ` in CloudWatch Logs group ${ctx.job.log_group}` : ` (set ${FIELD.logGroup} to keep them)`
    } ${seen}`,
    "runner_crashed",
  );
}

function cannotPull(text: string, ctx: DiagnosisContext, seen: string): PorchError {
  if (/not found|manifest unknown|does not exist|repository.*not|name unknown|404/i.test(text)) {
    return new RunnerFieldError(FIELD.image, `the image ${ctx.image} does not exist or has no such tag/digest ${seen}`, "ecs_image_not_found");
  }
  if (/access ?denied|not authorized|unauthorized|forbidden|403|ecr:/i.test(text)) {
    return new RunnerFieldError(
      FIELD.executionRole,
      `the execution role ${ctx.job.execution_role_arn} may not pull ${ctx.image}; attach AmazonECSTaskExecutionRolePolicy (ecr:GetAuthorizationToken, ecr:BatchGetImage, ecr:GetDownloadUrlForLayer) ${seen}`,
      "ecs_image_pull_denied",
    );
  }
  if (/timeout|timed out|dial tcp|no route|deadline exceeded|connection/i.test(text)) {
    return new MultiFieldError(
      [FIELD.subnets, FIELD.publicIp],
      `the task could not reach the registry of ${ctx.image}; the subnets ${ctx.job.subnets.join(", ")} need a route out (NAT gateway, VPC endpoints for ECR/S3, or an internet gateway with is_public_ip_enabled: true) ${seen}`,
      "ecs_image_registry_unreachable",
    );
  }
  return new MultiFieldError(
    [FIELD.image, FIELD.subnets, FIELD.executionRole],
    `the task could not pull ${ctx.image}: check that the image exists, that the subnets can reach the registry and that the execution role may pull it ${seen}`,
    "ecs_image_pull_failed",
  );
}

function resourceInitialization(text: string, ctx: DiagnosisContext, seen: string): PorchError {
  if (/log ?group|awslogs|logger/i.test(text)) {
    return new MultiFieldError(
      [FIELD.logGroup, FIELD.executionRole],
      `the awslogs driver could not write to log group ${ctx.job.log_group ?? "(none)"}; the group must exist in ${ctx.job.region} and the execution role needs logs:CreateLogStream and logs:PutLogEvents ${seen}`,
      "ecs_log_group_unusable",
    );
  }
  const secrets = Object.values(ctx.job.secrets ?? {});
  if (/access ?denied|not authorized|unauthorized|forbidden|kms/i.test(text)) {
    return new MultiFieldError(
      [FIELD.executionRole, FIELD.secrets],
      `the execution role ${ctx.job.execution_role_arn} may not read the secrets/parameters in job.secrets (${secrets.join(", ") || "none"}); grant secretsmanager:GetSecretValue / ssm:GetParameters (and kms:Decrypt for customer keys) ${seen}`,
      "ecs_secrets_access_denied",
    );
  }
  if (/ResourceNotFound|ParameterNotFound|not found|does not exist|invalid parameter/i.test(text)) {
    return new RunnerFieldError(FIELD.secrets, `a secret or parameter in job.secrets does not exist (${secrets.join(", ") || "none"}) ${seen}`, "ecs_secret_not_found");
  }
  if (/timeout|timed out|dial tcp|no route|deadline exceeded|connection/i.test(text)) {
    return new MultiFieldError(
      [FIELD.subnets, FIELD.publicIp],
      `the task could not reach Secrets Manager/SSM/ECR from subnets ${ctx.job.subnets.join(", ")}; they need a route out (NAT gateway, VPC endpoints, or an internet gateway with is_public_ip_enabled: true) ${seen}`,
      "ecs_secrets_unreachable",
    );
  }
  return new MultiFieldError(
    [FIELD.secrets, FIELD.executionRole, FIELD.subnets],
    `ECS could not fetch the task's secrets or registry credentials: the execution role must be able to read every entry of job.secrets and the subnets must reach Secrets Manager/SSM/ECR ${seen}`,
    "ecs_resource_initialization_failed",
  );
}
