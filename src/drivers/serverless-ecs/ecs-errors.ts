import type { ServerlessEcsConfiguration } from "../../config/runner-configuration.js";
import { ConfigError, PorchError, TransientError } from "../../errors/porch-error.js";

/** Dotted paths of the runner configuration fields an AWS error can be blamed on. */
export const FIELD = {
  roleArn: "runner_configuration.auth.role_arn",
  region: "runner_configuration.job.region",
  cluster: "runner_configuration.job.cluster",
  subnets: "runner_configuration.job.subnets",
  securityGroups: "runner_configuration.job.security_groups",
  publicIp: "runner_configuration.job.is_public_ip_enabled",
  executionRole: "runner_configuration.job.execution_role_arn",
  taskRole: "runner_configuration.job.task_role_arn",
  image: "runner_configuration.job.image",
  secrets: "runner_configuration.job.secrets",
  cpu: "runner_configuration.job.cpu",
  memory: "runner_configuration.job.memory",
  logGroup: "runner_configuration.job.log_group",
  capacityProviders: "runner_configuration.job.capacity_provider_strategy",
} as const;

/** A configuration problem that one runner configuration field can fix; the field is in `details`. */
export class RunnerFieldError extends ConfigError {
  readonly field: string;

  constructor(field: string, message: string, code: string, cause?: unknown) {
    super(`${field}: ${message}`, code, cause);
    this.field = field;
    this.details.push({ path: field, message });
  }
}

export interface EcsCallContext {
  runnerId: string;
  /** e.g. `ecs:RunTask` */
  operation: string;
  roleArn: string;
  job: ServerlessEcsConfiguration["job"];
}

interface AwsErrorLike {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

function asAwsError(err: unknown): AwsErrorLike {
  return (err && typeof err === "object" ? err : { message: String(err) }) as AwsErrorLike;
}

const THROTTLING_NAMES = new Set(["ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded", "ProvisionedThroughputExceededException"]);
const NETWORK_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "ECONNABORTED"]);

export function isThrottling(err: unknown): boolean {
  const e = asAwsError(err);
  return THROTTLING_NAMES.has(e.name ?? "") || e.$metadata?.httpStatusCode === 429 || /rate exceeded/i.test(e.message ?? "");
}

export function isAccessDenied(err: unknown): boolean {
  const e = asAwsError(err);
  return /AccessDenied/i.test(e.name ?? "") || /not authorized to perform/i.test(e.message ?? "");
}

/** ECS refuses to start tasks from a deregistered revision; the caller registers a fresh one. */
export function isInactiveTaskDefinition(err: unknown): boolean {
  const message = asAwsError(err).message ?? "";
  return /task ?definition.*(inactive|is not active|does not exist|not found|unable to find)|unable to find task definition/i.test(message);
}

/** RunTask reuses a clientToken with different parameters (e.g. a new revision after a restart). */
export function isClientTokenConflict(err: unknown): boolean {
  const e = asAwsError(err);
  if (e.name === "ConflictException" || /IdempotentParameterMismatch/i.test(e.name ?? "")) return true;
  return /client ?token/i.test(e.message ?? "") && /already|in use|different/i.test(e.message ?? "");
}

function isTransientTransport(e: AwsErrorLike): boolean {
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  if (e.name === "ServerException" || e.name === "TimeoutError" || e.name === "RequestTimeout") return true;
  if (NETWORK_CODES.has(e.code ?? "") || NETWORK_CODES.has(e.name ?? "")) return true;
  // No HTTP status at all: the request never got an answer.
  return status === undefined && !e.name?.endsWith("Exception");
}

function describe(ctx: EcsCallContext, e: AwsErrorLike): string {
  return `(${ctx.operation} for runner '${ctx.runnerId}' answered ${e.name ?? "an error"}: ${e.message ?? "no message"})`;
}

/** Which configured role a PassRole/assume-role message is about (the task role only when named). */
function passRoleField(message: string, job: EcsCallContext["job"]): string {
  const named = [...message.matchAll(/arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+/g)].map((m) => m[0].replace(/\.$/, ""));
  const taskRole = job.task_role_arn;
  if (taskRole && taskRole !== job.execution_role_arn && named.includes(taskRole)) return FIELD.taskRole;
  return FIELD.executionRole;
}

/**
 * Maps an exception from an ECS call to a PorchError: throttling, 5xx and network errors are transient;
 * everything the user can fix names the runner configuration field (and, for IAM, the permission).
 */
export function classifyEcsException(err: unknown, ctx: EcsCallContext): PorchError {
  if (err instanceof PorchError) return err;
  const e = asAwsError(err);
  const message = e.message ?? "";
  const why = describe(ctx, e);

  if (isThrottling(err)) return new TransientError(`AWS throttled ${ctx.operation} ${why}`, "ecs_throttled", err);

  if (/iam:PassRole/i.test(message) || (/role/i.test(message) && /pass|assume|not valid|invalid/i.test(message) && /ClientException|InvalidParameter/i.test(e.name ?? ""))) {
    const field = passRoleField(message, ctx.job);
    return new RunnerFieldError(
      field,
      `the role porch assumes (${ctx.roleArn}) must be allowed iam:PassRole on this role to ecs-tasks.amazonaws.com (condition iam:PassedToService = ecs-tasks.amazonaws.com), and the role must trust ecs-tasks.amazonaws.com ${why}`,
      "ecs_pass_role_denied",
      err,
    );
  }
  if (isAccessDenied(err)) {
    const permission = /not authorized to perform:?\s*([a-z0-9-]+:[A-Za-z0-9]+)/i.exec(message)?.[1] ?? ctx.operation;
    return new RunnerFieldError(
      FIELD.roleArn,
      `the role ${ctx.roleArn} is missing the permission ${permission} (see the documented orchestrator policy; resources must match the cluster '${ctx.job.cluster}' and task-definition/humanitec_*) ${why}`,
      "ecs_access_denied",
      err,
    );
  }
  if (e.name === "ClusterNotFoundException" || /cluster.*not found|cluster.*does not exist/i.test(message)) {
    return new RunnerFieldError(FIELD.cluster, `ECS cluster '${ctx.job.cluster}' does not exist in region ${ctx.job.region} ${why}`, "ecs_cluster_not_found", err);
  }
  if (/security ?group/i.test(message)) {
    return new RunnerFieldError(
      FIELD.securityGroups,
      `a security group is invalid or not in the subnets' VPC: ${(ctx.job.security_groups ?? []).join(", ") || "(none set)"} ${why}`,
      "ecs_invalid_security_group",
      err,
    );
  }
  if (/subnet/i.test(message)) {
    return new RunnerFieldError(
      FIELD.subnets,
      `a subnet is invalid or not in region ${ctx.job.region}: ${ctx.job.subnets.join(", ")} ${why}`,
      "ecs_invalid_subnet",
      err,
    );
  }
  if (/CPU configuration is above your limit|cpu.*limit/i.test(message)) {
    return cpuLimitError(ctx, why, err);
  }
  if (/Fargate is not available|No Container Instances were found/i.test(message)) {
    return new RunnerFieldError(
      FIELD.cluster,
      `the cluster '${ctx.job.cluster}' has no Fargate capacity; enable the FARGATE capacity provider on it ${why}`,
      "ecs_cluster_without_fargate",
      err,
    );
  }
  if (/capacity ?provider/i.test(message)) {
    return new RunnerFieldError(
      FIELD.capacityProviders,
      `the cluster '${ctx.job.cluster}' must have the FARGATE / FARGATE_SPOT capacity providers attached to use a capacity provider strategy ${why}`,
      "ecs_invalid_capacity_provider",
      err,
    );
  }
  if (/Capacity is unavailable/i.test(message)) return capacityError(ctx, why, err);
  if (isTransientTransport(e)) return new TransientError(`AWS ECS could not be reached or failed ${why}`, "ecs_unavailable", err);

  return new ConfigError(`AWS ECS rejected the request for runner '${ctx.runnerId}' ${why}; check runner_configuration.job`, "ecs_request_rejected", err);
}

function cpuLimitError(ctx: EcsCallContext, why: string, cause?: unknown): PorchError {
  return new RunnerFieldError(
    FIELD.cpu,
    `the account's Fargate vCPU quota in ${ctx.job.region} is too low for cpu ${ctx.job.cpu ?? 512}; lower job.cpu or request a Fargate On-Demand vCPU quota increase ${why}`,
    "ecs_cpu_limit",
    cause,
  );
}

function capacityError(ctx: EcsCallContext, why: string, cause?: unknown): PorchError {
  return new TransientError(
    `Fargate capacity is unavailable right now in the runner's subnets ${why}; subnets in more availability zones (runner_configuration.job.subnets) make this less likely`,
    "ecs_capacity_unavailable",
    cause,
  );
}

/** Maps one entry of RunTask's `failures[]` (the call itself succeeded) to a PorchError. */
export function classifyRunTaskFailure(failure: { arn?: string; reason?: string; detail?: string }, ctx: EcsCallContext): PorchError {
  const reason = failure.reason ?? "unknown";
  const why = `(${ctx.operation} for runner '${ctx.runnerId}' returned failure: ${reason}${failure.detail ? ` — ${failure.detail}` : ""})`;
  if (/CPU configuration is above your limit/i.test(reason)) return cpuLimitError(ctx, why);
  if (/Capacity is unavailable/i.test(reason) || /^RESOURCE:/i.test(reason)) return capacityError(ctx, why);
  if (/network interface provisioning|Timeout waiting for network/i.test(reason)) {
    return new TransientError(`AWS timed out provisioning the task's network interface ${why}`, "ecs_eni_timeout");
  }
  if (/^AGENT|^MISSING/i.test(reason)) return new TransientError(`ECS could not place the task ${why}`, "ecs_placement_failed");
  return classifyEcsException({ name: "ClientException", message: `${reason}${failure.detail ? `: ${failure.detail}` : ""}`, $metadata: { httpStatusCode: 400 } }, ctx);
}
