/**
 * RunTask as ECS documents it for Fargate: rate limit, authorization against the resolved task
 * definition revision (plus iam:PassRole and ecs:TagResource), clientToken idempotency, cluster and
 * capacity checks, network configuration, override limits, and `tasks[]` + `failures[]` answers.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { AwsWireError } from "../aws-error.js";
import { authorize } from "../authorize.js";
import type { IssuedCredentials } from "../credential-store.js";
import type { EcsState, FakeCluster } from "./ecs-state.js";
import { cpuUnits, isValidFargateSize, memoryMiB } from "./fargate-sizes.js";
import { readTags } from "./tags.js";
import { taskToWire, type FakeTask } from "./task.js";
import type { TaskDefinitionRecord } from "./task-definitions.js";

const MAX_OVERRIDES_BYTES = 8192;
const FARGATE_PROVIDERS = ["FARGATE", "FARGATE_SPOT"];
const ECS_TASKS_SERVICE = "ecs-tasks.amazonaws.com";

interface Placement {
  launchType: string;
  capacityProviderName?: string;
}

interface Network {
  subnets: string[];
  securityGroups: string[];
  assignPublicIp: "ENABLED" | "DISABLED";
}

export function runTask(state: EcsState, input: Record<string, unknown>, caller: IssuedCredentials): unknown {
  if (!state.runTaskRate.tryTake()) throw new AwsWireError("ThrottlingException", "Rate exceeded");

  const { arn: clusterArn } = state.clusterRef(input.cluster);
  const definition = typeof input.taskDefinition === "string" ? state.definitions.find(input.taskDefinition) : undefined;
  // Since March 2024 ECS authorizes RunTask against the resolved revision.
  authorize(caller, "ecs:RunTask", definition?.arn ?? authorizationArnFor(state, input.taskDefinition), { "ecs:cluster": clusterArn });
  if (!definition) throw new AwsWireError("ClientException", "TaskDefinition not found.");
  if (definition.status !== "ACTIVE") throw new AwsWireError("ClientException", "TaskDefinition is inactive");

  const clientToken = readClientToken(input.clientToken);
  if (clientToken !== undefined) {
    const previous = state.clientTokens.get(clientToken);
    if (previous) return repeatOf(state, input, previous);
  }

  const cluster = state.requireCluster(input.cluster);
  const placement = readPlacement(input, cluster);
  if (!definition.requiresCompatibilities.includes("FARGATE") || !definition.fargateCompatible) {
    throw new AwsWireError("ClientException", "Task definition does not support launch_type FARGATE.");
  }
  const network = readNetwork(state, input.networkConfiguration, definition);
  const count = readCount(input.count);
  const overrides = readOverrides(input.overrides, definition);
  const startedBy = readStartedBy(input.startedBy);
  if (input.propagateTags === "SERVICE") throw new AwsWireError("InvalidParameterException", "The SERVICE option of propagateTags is not supported when running a task.");
  const tags = readTags(input.tags, input.propagateTags === "TASK_DEFINITION" ? definition.tags : {});

  const executionRoleArn = stringOr(overrides.executionRoleArn, definition.executionRoleArn);
  const taskRoleArn = stringOr(overrides.taskRoleArn, definition.taskRoleArn);
  for (const role of new Set([executionRoleArn, taskRoleArn])) {
    if (role === undefined) continue;
    authorize(caller, "iam:PassRole", role, { "iam:PassedToService": ECS_TASKS_SERVICE });
    if (state.options?.roles && !state.options.roles.includes(role)) {
      throw new AwsWireError(
        "ClientException",
        `ECS was unable to assume the role '${role}' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.`,
      );
    }
  }

  const taskIds = Array.from({ length: count }, () => randomBytes(16).toString("hex"));
  if (Object.keys(tags).length > 0) {
    for (const taskId of taskIds) authorize(caller, "ecs:TagResource", state.arns.task(cluster.name, taskId), { "ecs:cluster": clusterArn });
  }

  const failure = state.runTaskFailures.shift();
  if (failure) return { tasks: [], failures: [failure] };

  const tasks = taskIds.map((taskId, index) => {
    const essential = definition.containers.find((container) => container.essential) ?? definition.containers[0]!;
    const taskArn = state.arns.task(cluster.name, taskId);
    const task: FakeTask = {
      taskArn,
      taskId,
      cluster: cluster.name,
      clusterArn: state.arns.cluster(cluster.name),
      definition,
      essential,
      containerArns: Object.fromEntries(definition.containers.map((container) => [container.name, state.arns.container(cluster.name, taskId, randomUUID())])),
      launchType: placement.launchType,
      capacityProviderName: placement.capacityProviderName,
      overrides,
      tags,
      clientToken,
      startedBy,
      group: typeof input.group === "string" ? input.group : `family:${definition.family}`,
      ...network,
      availabilityZone: `${state.region}${"abc"[(index + network.subnets.length) % 3]}`,
      cpu: stringOr(overrides.cpu, definition.cpu) ?? "256",
      memory: stringOr(overrides.memory, definition.memory) ?? "512",
      executionRoleArn,
      taskRoleArn,
      lastStatus: "PROVISIONING",
      desiredStatus: "RUNNING",
      statusHistory: ["PROVISIONING"],
      exitCode: null,
      startFailure: state.startFailures.shift(),
      startedByPrincipal: caller.assumedRoleArn,
      version: 1,
      createdAt: new Date(),
      forgotten: false,
    };
    state.tasks.set(taskArn, task);
    state.lifecycle.start(task);
    return task;
  });

  if (clientToken !== undefined) state.clientTokens.set(clientToken, { fingerprint: fingerprint(input), taskArns: tasks.map((task) => task.taskArn) });
  return { tasks: tasks.map((task) => taskToWire(task, true)), failures: [] };
}

/** A retried RunTask with a known clientToken: the same tasks again, or ConflictException for different parameters. */
function repeatOf(state: EcsState, input: Record<string, unknown>, previous: { fingerprint: string; taskArns: string[] }): unknown {
  if (previous.fingerprint !== fingerprint(input)) {
    throw new AwsWireError("ConflictException", "The clientToken is already in use with a different RunTask request.", 400, { resourceIds: previous.taskArns });
  }
  const tasks = previous.taskArns.flatMap((arn) => {
    const task = state.tasks.get(arn);
    return task ? [taskToWire(task, true)] : [];
  });
  return { tasks, failures: [] };
}

function authorizationArnFor(state: EcsState, ref: unknown): string {
  if (typeof ref !== "string") return "*";
  const parsed = state.arns.taskDefinitionRef(ref);
  if (!parsed) return ref;
  return state.arns.taskDefinition(parsed.family, parsed.revision ?? "*");
}

function readClientToken(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== "string" || raw.length < 1 || raw.length > 64 || !/^[\x21-\x7e]+$/.test(raw)) {
    throw new AwsWireError("InvalidParameterException", "clientToken must be 1 to 64 characters in the range 33-126.");
  }
  return raw;
}

function readPlacement(input: Record<string, unknown>, cluster: FakeCluster): Placement {
  const strategy = input.capacityProviderStrategy as Array<{ capacityProvider?: string; weight?: number; base?: number }> | undefined;
  const hasStrategy = Array.isArray(strategy) && strategy.length > 0;
  if (input.launchType !== undefined && hasStrategy) {
    throw new AwsWireError("InvalidParameterException", "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.");
  }
  if (input.launchType !== undefined) {
    if (input.launchType !== "FARGATE") throw new AwsWireError("InvalidParameterException", "No Container Instances were found in your cluster.");
    if (!cluster.fargate) throw new AwsWireError("InvalidParameterException", `Fargate is not available in cluster '${cluster.name}' (fake AWS: the cluster was configured with fargate: false).`);
    return { launchType: "FARGATE" };
  }
  if (!hasStrategy) {
    // The cluster's default capacity provider strategy; the fake's Fargate clusters default to FARGATE.
    if (!cluster.fargate) throw new AwsWireError("InvalidParameterException", "No Container Instances were found in your cluster.");
    return { launchType: "FARGATE", capacityProviderName: "FARGATE" };
  }
  for (const item of strategy) {
    if (!item.capacityProvider || !FARGATE_PROVIDERS.includes(item.capacityProvider) || !cluster.fargate) {
      throw new AwsWireError(
        "InvalidParameterException",
        "The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.",
      );
    }
  }
  const chosen = strategy.find((item) => (item.base ?? 0) > 0) ?? strategy.find((item) => (item.weight ?? 0) > 0);
  if (!chosen) throw new AwsWireError("InvalidParameterException", "The capacity provider strategy must give at least one capacity provider a weight greater than 0.");
  return { launchType: "FARGATE", capacityProviderName: chosen.capacityProvider };
}

function readNetwork(state: EcsState, raw: unknown, definition: TaskDefinitionRecord): Network {
  const config = (raw as { awsvpcConfiguration?: { subnets?: unknown; securityGroups?: unknown; assignPublicIp?: unknown } } | undefined)?.awsvpcConfiguration;
  if (definition.networkMode === "awsvpc" && !config) {
    throw new AwsWireError("InvalidParameterException", "Network Configuration must be provided when networkMode 'awsvpc' is specified.");
  }
  const subnets = Array.isArray(config?.subnets) ? (config.subnets as string[]) : [];
  const securityGroups = Array.isArray(config?.securityGroups) ? (config.securityGroups as string[]) : [];
  if (subnets.length === 0) throw new AwsWireError("InvalidParameterException", "subnets can not be empty.");
  if (subnets.length > 16) throw new AwsWireError("InvalidParameterException", "subnets can have at most 16 items.");
  if (securityGroups.length > 5) throw new AwsWireError("InvalidParameterException", "securityGroups can have at most 5 items.");
  const known = state.options?.knownSubnets;
  const unknown = known ? subnets.filter((subnet) => !known.includes(subnet)) : [];
  if (unknown.length > 0) {
    throw new AwsWireError(
      "InvalidParameterException",
      `Error retrieving subnet information for [${unknown.join(", ")}]: The subnet ID '${unknown[0]}' does not exist (Service: AmazonEC2; Status Code: 400; Error Code: InvalidSubnetID.NotFound)`,
    );
  }
  const assignPublicIp = config?.assignPublicIp ?? "DISABLED";
  if (assignPublicIp !== "ENABLED" && assignPublicIp !== "DISABLED") throw new AwsWireError("InvalidParameterException", "assignPublicIp must be ENABLED or DISABLED.");
  return { subnets, securityGroups, assignPublicIp };
}

function readCount(raw: unknown): number {
  if (raw === undefined) return 1;
  if (!Number.isInteger(raw) || (raw as number) < 1 || (raw as number) > 10) throw new AwsWireError("InvalidParameterException", "count must be between 1 and 10.");
  return raw as number;
}

function readOverrides(raw: unknown, definition: TaskDefinitionRecord): Record<string, unknown> {
  if (raw === undefined) return {};
  const overrides = raw as Record<string, unknown>;
  const containerOverrides = (overrides.containerOverrides ?? []) as Array<{ name?: string }>;
  // The limit counts the JSON of the container overrides, formatting characters included.
  if (Buffer.byteLength(JSON.stringify(containerOverrides), "utf8") > MAX_OVERRIDES_BYTES) {
    throw new AwsWireError("InvalidParameterException", `Container Overrides length must be at most ${MAX_OVERRIDES_BYTES}`);
  }
  for (const override of containerOverrides) {
    if (!definition.containers.some((container) => container.name === override.name)) {
      throw new AwsWireError("InvalidParameterException", `Override for container named ${String(override.name)} is not a container in the TaskDefinition.`);
    }
  }
  if (overrides.cpu !== undefined || overrides.memory !== undefined) {
    const cpu = cpuUnits(String(overrides.cpu ?? definition.cpu ?? ""));
    const memory = memoryMiB(String(overrides.memory ?? definition.memory ?? ""));
    if (cpu === undefined || memory === undefined || !isValidFargateSize(cpu, memory)) {
      throw new AwsWireError("ClientException", `No Fargate configuration exists for given values: ${String(overrides.cpu ?? definition.cpu)} CPU, ${String(overrides.memory ?? definition.memory)} memory. See the Amazon ECS documentation for the valid values.`);
    }
  }
  return structuredClone(overrides);
}

function readStartedBy(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== "string" || raw.length > 128 || !/^[a-zA-Z0-9_/-]+$/.test(raw)) {
    throw new AwsWireError("InvalidParameterException", "startedBy may contain up to 128 letters (uppercase and lowercase), numbers, hyphens, forward slashes and underscores.");
  }
  return raw;
}

function stringOr(value: unknown, fallback: string | undefined): string | undefined {
  return typeof value === "string" ? value : fallback;
}

/** The request's parameters apart from the token, in a key order that does not matter. */
function fingerprint(input: Record<string, unknown>): string {
  const { clientToken: _token, ...rest } = input;
  return stableJson(rest);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
