import { createHash } from "node:crypto";
import type { KeyValuePair, RegisterTaskDefinitionCommandInput, Tag } from "@aws-sdk/client-ecs";
import { resolveFargateSize } from "../../config/fargate.js";
import type { ServerlessEcsConfiguration } from "../../config/runner-configuration.js";
import { ConfigError } from "../../errors/porch-error.js";
import { RUNNER_ENV } from "../../jobs/protocol.js";
import { ecsTagValue } from "./naming.js";

export const RUNNER_CONTAINER_NAME = "runner";
export const DEFINITION_HASH_TAG = "porch:definition-hash";
/** Seconds between SIGTERM and SIGKILL: the maximum, so OpenTofu can release its state lock. */
export const RUNNER_STOP_TIMEOUT_SECONDS = 120;

export interface RenderedTaskDefinition {
  family: string;
  /** Hash of the canonical JSON of `input`; equal hashes mean a registered revision can be reused. */
  hash: string;
  /** Complete RegisterTaskDefinition input, tags included (the hash tag too). */
  input: RegisterTaskDefinitionCommandInput;
}

export interface RenderTaskDefinitionArgs {
  family: string;
  job: ServerlessEcsConfiguration["job"];
  defaultImage: string;
  orgId: string;
  runnerId: string;
}

/**
 * The runner's task definition holds only what is the same for every deployment of the runner;
 * per-deployment values (deployment id, job token, API URL) travel as containerOverrides on RunTask,
 * so one revision serves all deployments until the runner's configuration changes.
 */
export function renderTaskDefinition(args: RenderTaskDefinitionArgs): RenderedTaskDefinition {
  const { job } = args;
  const size = resolveFargateSize(job.cpu, job.memory);
  if (!size.ok) {
    throw new ConfigError(`runner_configuration.job.${size.field}: ${size.message}`, "ecs_invalid_task_size");
  }
  const secretNames = Object.keys(job.secrets ?? {}).sort();
  const environment: Record<string, string> = { ...(job.environment ?? {}), AWS_REGION: job.region };
  if (secretNames.length > 0) environment[RUNNER_ENV.secretEnvNames] = secretNames.join(",");

  const body: RegisterTaskDefinitionCommandInput = {
    family: args.family,
    requiresCompatibilities: ["FARGATE"],
    networkMode: "awsvpc",
    cpu: String(size.cpu),
    memory: String(size.memory),
    executionRoleArn: job.execution_role_arn,
    // The documented setup promises the execution role is used inside the task when no task role is set.
    taskRoleArn: job.task_role_arn ?? job.execution_role_arn,
    containerDefinitions: [
      {
        name: RUNNER_CONTAINER_NAME,
        image: job.image ?? args.defaultImage,
        essential: true,
        environment: toKeyValuePairs(environment),
        secrets: secretNames.map((name) => ({ name, valueFrom: job.secrets![name]! })),
        stopTimeout: RUNNER_STOP_TIMEOUT_SECONDS,
        ...(job.log_group
          ? {
              logConfiguration: {
                logDriver: "awslogs",
                options: { "awslogs-group": job.log_group, "awslogs-region": job.region, "awslogs-stream-prefix": "porch" },
              },
            }
          : {}),
      },
    ],
    tags: [
      { key: "porch:managed-by", value: "porch" },
      { key: "porch:org", value: ecsTagValue(args.orgId) },
      { key: "porch:runner", value: ecsTagValue(args.runnerId) },
    ],
  };
  const hash = definitionHash(body);
  const tags: Tag[] = [...body.tags!, { key: DEFINITION_HASH_TAG, value: hash }];
  return { family: args.family, hash, input: { ...body, tags } };
}

export function definitionHash(input: RegisterTaskDefinitionCommandInput): string {
  return createHash("sha256").update(canonicalJson(input)).digest("hex").slice(0, 32);
}

/** JSON with object keys sorted at every level, so equal definitions hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function toKeyValuePairs(env: Record<string, string>): KeyValuePair[] {
  return Object.keys(env)
    .sort()
    .map((name) => ({ name, value: env[name]! }));
}
