/**
 * Fake ECS actions (AWS JSON 1.1, target prefix `AmazonEC2ContainerServiceV20141113`). Each action
 * authorizes the caller against the resource ARN(s) ECS authorizes it on, then answers like ECS.
 */
import { AwsWireError, unknownOperation } from "../aws-error.js";
import { authorize } from "../authorize.js";
import type { IssuedCredentials } from "../credential-store.js";
import type { EcsState } from "./ecs-state.js";
import { paginate } from "./pagination.js";
import { runTask } from "./run-task.js";
import { readTags, wireTags } from "./tags.js";
import { STATUS_ORDER, isDescribable, taskToWire } from "./task.js";
import { readFamily } from "./task-definitions.js";

type Input = Record<string, unknown>;
type Action = (state: EcsState, input: Input, caller: IssuedCredentials) => unknown;

const ECS_TASKS_SERVICE = "ecs-tasks.amazonaws.com";
const MAX_STOP_REASON = 255;

const ACTIONS: Record<string, Action> = {
  RegisterTaskDefinition: registerTaskDefinition,
  DescribeTaskDefinition: describeTaskDefinition,
  ListTaskDefinitions: listTaskDefinitions,
  DeregisterTaskDefinition: deregisterTaskDefinition,
  DeleteTaskDefinitions: deleteTaskDefinitions,
  RunTask: runTask,
  DescribeTasks: describeTasks,
  ListTasks: listTasks,
  StopTask: stopTask,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
  DescribeClusters: describeClusters,
};

export function handleEcs(state: EcsState, action: string, input: Input, caller: IssuedCredentials): unknown {
  const handler = ACTIONS[action];
  if (!handler) throw unknownOperation("ECS", action, Object.keys(ACTIONS).join(", "));
  return handler(state, input, caller);
}

function registerTaskDefinition(state: EcsState, input: Input, caller: IssuedCredentials): unknown {
  const family = readFamily(input.family);
  authorize(caller, "ecs:RegisterTaskDefinition", state.definitions.nextArn(family));
  for (const role of new Set([input.executionRoleArn, input.taskRoleArn])) {
    if (typeof role === "string") authorize(caller, "iam:PassRole", role, { "iam:PassedToService": ECS_TASKS_SERVICE });
  }
  if (Array.isArray(input.tags) && input.tags.length > 0) authorize(caller, "ecs:TagResource", state.definitions.nextArn(family));
  const record = state.definitions.register(input, caller.assumedRoleArn);
  return { taskDefinition: state.definitions.toWire(record), tags: state.definitions.wireTags(record) };
}

function describeTaskDefinition(state: EcsState, input: Input, caller: IssuedCredentials): unknown {
  const record = typeof input.taskDefinition === "string" ? state.definitions.find(input.taskDefinition) : undefined;
  authorize(caller, "ecs:DescribeTaskDefinition", record?.arn ?? "*");
  const found = state.definitions.get(input.taskDefinition);
  return { taskDefinition: state.definitions.toWire(found), tags: includes(input, "TAGS") ? state.definitions.wireTags(found) : undefined };
}

function listTaskDefinitions(state: EcsState, input: Input, caller: IssuedCredentials): unknown {
  authorize(caller, "ecs:ListTaskDefinitions", "*");
  return state.definitions.list(input);
}

function deregisterTaskDefinition(state: EcsState, input: Input, caller: IssuedCredentials): unknown {
  const record = typeof input.taskDefinition === "string" ? state.definitions.find(input.taskDefinition) : undefined;
  authorize(caller, "ecs:DeregisterTaskDefinition", record?.arn ?? "*");
  return { taskDefinition: state.definitions.toWire(state.definitions.deregister(input.taskDefinition)) };
}

function deleteTaskDefinitions(state: EcsState, input: Input, caller: IssuedCredentials): unknown {
  const refs = Array.isArray(input.taskDefinitions) ? (input.taskDefinitions as unknown[]) : [];
  for (const ref of refs) {
    const record = typeof ref === "string" ? state.definitions.find(ref) : undefined;
    authorize(caller, "ecs:DeleteTaskDefinitions", record?.arn ?? String(ref));
  }
  const { taskDefinitions, failures } = state.definitions.delete(input.taskDefinitions);
  return { taskDefinitions: taskDefinitions.map((record) => state.definitions.toWire(record)), failures };
}

function describeTasks(state: EcsState, input: Input, caller: IssuedCredentials): unknown {
  const refs = Array.isArray(input.tasks) ? (input.tasks as unknown[]).map(String) : [];
  if (refs.length === 0) throw new AwsWireError("InvalidParameterException", "Tasks cannot be empty.");
  if (refs.length > 100) throw new AwsWireError("InvalidParameterException", `Tasks can have at most 100 items; got ${refs.length}.`);
  const { name, arn: clusterArn } = state.clusterRef(input.cluster);
  const arns = refs.map((ref) => state.arns.task(name, state.arns.taskId(ref)));
  for (const arn of arns) authorize(caller, "ecs:DescribeTasks", arn, { "ecs:cluster": clusterArn });
  const cluster = state.requireCluster(input.cluster, { allowInactive: true });
  const tasks: unknown[] = [];
  const failures: Array<{ arn: string; reason: string }> = [];
  refs.forEach((ref, i) => {
    const task = state.describableTask(cluster.name, ref);
    if (task) tasks.push(taskToWire(task, includes(input, "TAGS")));
    else failures.push({ arn: arns[i] ?? ref, reason: "MISSING" });
  });
  return { tasks, failures };
}

function listTasks(state: EcsState, input: Input, caller: IssuedCredentials): unknown {
  const { arn: clusterArn } = state.clusterRef(input.cluster);
  authorize(caller, "ecs:ListTasks", clusterArn, { "ecs:cluster": clusterArn });
  const cluster = state.requireCluster(input.cluster, { allowInactive: true });
  const desired = input.desiredStatus ?? "RUNNING";
  if (desired !== "RUNNING" && desired !== "PENDING" && desired !== "STOPPED") throw new AwsWireError("InvalidParameterException", "desiredStatus must be RUNNING, PENDING or STOPPED.");
  const matching = [...state.tasks.values()].filter((task) => {
    if (task.cluster !== cluster.name || !isDescribable(task, state.retentionMs)) return false;
    if (input.startedBy !== undefined && task.startedBy !== input.startedBy) return false;
    if (input.family !== undefined && task.definition.family !== input.family) return false;
    if (input.launchType !== undefined && task.launchType !== input.launchType) return false;
    if (desired === "PENDING") return task.desiredStatus === "RUNNING" && STATUS_ORDER.indexOf(task.lastStatus) < STATUS_ORDER.indexOf("RUNNING");
    return task.desiredStatus === desired;
  });
  const { page, nextToken } = paginate(matching, input.maxResults, input.nextToken);
  return { taskArns: page.map((task) => task.taskArn), nextToken };
}

function stopTask(state: EcsState, input: Input, caller: IssuedCredentials): unknown {
  if (typeof input.task !== "string" || input.task === "") throw new AwsWireError("InvalidParameterException", "task can not be blank.");
  const { name, arn: clusterArn } = state.clusterRef(input.cluster);
  authorize(caller, "ecs:StopTask", state.arns.task(name, state.arns.taskId(input.task)), { "ecs:cluster": clusterArn });
  const cluster = state.requireCluster(input.cluster, { allowInactive: true });
  const reason = input.reason;
  if (reason !== undefined && (typeof reason !== "string" || reason.length > MAX_STOP_REASON)) {
    throw new AwsWireError("InvalidParameterException", `Reason is too long; it can be at most ${MAX_STOP_REASON} characters.`);
  }
  const task = state.describableTask(cluster.name, input.task);
  if (!task) throw new AwsWireError("InvalidParameterException", "The referenced task was not found.");
  state.lifecycle.stop(task, { stopCode: "UserInitiated", stoppedReason: (reason as string | undefined) ?? "Task stopped by user" });
  return { task: taskToWire(task, false) };
}

function tagResource(state: EcsState, input: Input, caller: IssuedCredentials): unknown {
  const target = taggable(state, input.resourceArn);
  authorize(caller, "ecs:TagResource", String(input.resourceArn));
  if (!Array.isArray(input.tags) || input.tags.length === 0) throw new AwsWireError("InvalidParameterException", "tags can not be empty.");
  target.setTags(readTags(input.tags, target.tags));
  return {};
}

function untagResource(state: EcsState, input: Input, caller: IssuedCredentials): unknown {
  const target = taggable(state, input.resourceArn);
  authorize(caller, "ecs:UntagResource", String(input.resourceArn));
  const keys = Array.isArray(input.tagKeys) ? (input.tagKeys as unknown[]).map(String) : [];
  target.setTags(Object.fromEntries(Object.entries(target.tags).filter(([key]) => !keys.includes(key))));
  return {};
}

function listTagsForResource(state: EcsState, input: Input, caller: IssuedCredentials): unknown {
  const target = taggable(state, input.resourceArn);
  authorize(caller, "ecs:ListTagsForResource", String(input.resourceArn));
  return { tags: wireTags(target.tags) };
}

function describeClusters(state: EcsState, input: Input, caller: IssuedCredentials): unknown {
  const refs = Array.isArray(input.clusters) && input.clusters.length > 0 ? (input.clusters as unknown[]).map(String) : ["default"];
  const clusters: unknown[] = [];
  const failures: Array<{ arn: string; reason: string }> = [];
  for (const ref of refs) {
    const name = state.clusterName(ref);
    const arn = name === undefined ? ref : state.arns.cluster(name);
    authorize(caller, "ecs:DescribeClusters", arn);
    const cluster = name === undefined ? undefined : state.clusters.get(name);
    if (!cluster) {
      failures.push({ arn, reason: "MISSING" });
      continue;
    }
    const tasks = [...state.tasks.values()].filter((task) => task.cluster === cluster.name && task.lastStatus !== "STOPPED");
    clusters.push({
      clusterArn: arn,
      clusterName: cluster.name,
      status: cluster.status,
      capacityProviders: cluster.fargate ? ["FARGATE", "FARGATE_SPOT"] : [],
      defaultCapacityProviderStrategy: cluster.fargate ? [{ capacityProvider: "FARGATE", weight: 1, base: 0 }] : [],
      registeredContainerInstancesCount: 0,
      runningTasksCount: tasks.filter((task) => task.lastStatus === "RUNNING").length,
      pendingTasksCount: tasks.filter((task) => task.lastStatus !== "RUNNING").length,
      activeServicesCount: 0,
    });
  }
  return { clusters, failures };
}

/** The task, task definition or cluster a tagging call names. */
function taggable(state: EcsState, resourceArn: unknown): { tags: Record<string, string>; setTags(tags: Record<string, string>): void } {
  const arn = typeof resourceArn === "string" ? resourceArn : "";
  const task = arn.includes(":task/") ? state.taskByArn(arn) : undefined;
  if (task) return { tags: task.tags, setTags: (tags) => (task.tags = tags) };
  const definition = arn.includes(":task-definition/") ? state.definitions.find(arn) : undefined;
  if (definition) return { tags: definition.tags, setTags: (tags) => (definition.tags = tags) };
  if (arn.includes(":cluster/") && state.clusterName(arn) !== undefined && state.clusters.has(state.clusterName(arn)!)) {
    throw new AwsWireError("InvalidParameterException", "The fake ECS does not keep tags on clusters.");
  }
  throw new AwsWireError("ResourceNotFoundException", `The specified resource could not be found: ${arn}`);
}

function includes(input: Input, what: string): boolean {
  return Array.isArray(input.include) && input.include.includes(what);
}
