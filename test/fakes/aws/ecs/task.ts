/** One ECS task of the fake: its state, and how it looks on the wire and to tests. */
import { epochSeconds } from "../wire-protocols.js";
import type { FakeTaskStatus, FakeTaskView } from "../types.js";
import type { ContainerDefinition, TaskDefinitionRecord } from "./task-definitions.js";
import { wireTags } from "./tags.js";

export const STATUS_ORDER: readonly FakeTaskStatus[] = ["PROVISIONING", "PENDING", "ACTIVATING", "RUNNING", "DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"];

export interface FakeTask {
  taskArn: string;
  taskId: string;
  cluster: string;
  clusterArn: string;
  definition: TaskDefinitionRecord;
  /** The container the fake runs (the first essential one); the others are only reported. */
  essential: ContainerDefinition;
  containerArns: Record<string, string>;
  launchType?: string;
  capacityProviderName?: string;
  overrides: Record<string, unknown>;
  tags: Record<string, string>;
  clientToken?: string;
  startedBy?: string;
  group: string;
  subnets: string[];
  securityGroups: string[];
  assignPublicIp: "ENABLED" | "DISABLED";
  availabilityZone: string;
  cpu: string;
  memory: string;
  executionRoleArn?: string;
  taskRoleArn?: string;
  lastStatus: FakeTaskStatus;
  desiredStatus: "RUNNING" | "STOPPED";
  statusHistory: FakeTaskStatus[];
  stopCode?: string;
  stoppedReason?: string;
  exitCode: number | null;
  containerReason?: string;
  /** Set by stopTaskWith: the exit the container is reported with, whatever the process does. */
  forcedExit?: { exitCode: number | null; containerReason?: string };
  /** Set by failNextStartWith: the task fails when its start reaches the image pull. */
  startFailure?: { stoppedReason: string; containerReason?: string };
  env?: Record<string, string>;
  startedByPrincipal: string;
  version: number;
  createdAt: Date;
  pullStartedAt?: Date;
  pullStoppedAt?: Date;
  startedAt?: Date;
  stoppingAt?: Date;
  stoppedAt?: Date;
  forgotten: boolean;
}

export function isDescribable(task: FakeTask, retentionMs: number): boolean {
  if (task.forgotten) return false;
  return task.stoppedAt === undefined || Date.now() - task.stoppedAt.getTime() < retentionMs;
}

export function taskToWire(task: FakeTask, includeTags: boolean): Record<string, unknown> {
  const eni = {
    id: `eni-attachment-${task.taskId.slice(0, 8)}`,
    type: "ElasticNetworkInterface",
    status: task.lastStatus === "STOPPED" ? "DELETED" : task.lastStatus === "PROVISIONING" ? "PRECREATED" : "ATTACHED",
    details: [
      { name: "subnetId", value: task.subnets[0] },
      { name: "networkInterfaceId", value: `eni-${task.taskId.slice(0, 17)}` },
      { name: "privateIPv4Address", value: `10.0.${parseInt(task.taskId.slice(0, 2), 16)}.${parseInt(task.taskId.slice(2, 4), 16)}` },
    ],
  };
  return {
    taskArn: task.taskArn,
    clusterArn: task.clusterArn,
    taskDefinitionArn: task.definition.arn,
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    launchType: task.launchType,
    capacityProviderName: task.capacityProviderName,
    platformVersion: "1.4.0",
    platformFamily: "Linux",
    availabilityZone: task.availabilityZone,
    cpu: task.cpu,
    memory: task.memory,
    group: task.group,
    startedBy: task.startedBy,
    version: task.version,
    overrides: { containerOverrides: [], inferenceAcceleratorOverrides: [], ...task.overrides },
    containers: task.definition.containers.map((container) => containerToWire(task, container)),
    attachments: [eni],
    connectivity: task.lastStatus === "PROVISIONING" ? undefined : "CONNECTED",
    createdAt: epochSeconds(task.createdAt),
    pullStartedAt: epochSeconds(task.pullStartedAt),
    pullStoppedAt: epochSeconds(task.pullStoppedAt),
    startedAt: epochSeconds(task.startedAt),
    stoppingAt: epochSeconds(task.stoppingAt),
    stoppedAt: epochSeconds(task.stoppedAt),
    executionStoppedAt: epochSeconds(task.stoppedAt),
    stopCode: task.stopCode,
    stoppedReason: task.stoppedReason,
    enableExecuteCommand: false,
    ephemeralStorage: { sizeInGiB: 20 },
    tags: includeTags ? wireTags(task.tags) : undefined,
  };
}

function containerToWire(task: FakeTask, container: ContainerDefinition): Record<string, unknown> {
  const isRun = container === task.essential;
  const lastStatus = task.lastStatus === "STOPPED" ? "STOPPED" : task.lastStatus === "RUNNING" ? "RUNNING" : "PENDING";
  return {
    containerArn: task.containerArns[container.name],
    taskArn: task.taskArn,
    name: container.name,
    image: container.image,
    lastStatus,
    // An exit code only exists for a container that ran; the fake runs only the essential one.
    exitCode: isRun && task.exitCode !== null ? task.exitCode : undefined,
    reason: isRun ? task.containerReason : undefined,
    cpu: container.cpu === undefined ? "0" : String(container.cpu),
    memory: container.memory === undefined ? undefined : String(container.memory),
    networkInterfaces: [{ attachmentId: `eni-attachment-${task.taskId.slice(0, 8)}` }],
  };
}

export function taskToView(task: FakeTask, describable: boolean): FakeTaskView {
  return {
    taskArn: task.taskArn,
    taskId: task.taskId,
    cluster: task.cluster,
    taskDefinitionArn: task.definition.arn,
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    statusHistory: [...task.statusHistory],
    stopCode: task.stopCode,
    stoppedReason: task.stoppedReason,
    exitCode: task.exitCode,
    containerReason: task.containerReason,
    overrides: structuredClone(task.overrides),
    tags: { ...task.tags },
    clientToken: task.clientToken,
    startedBy: task.startedBy,
    launchType: task.launchType,
    capacityProviderName: task.capacityProviderName,
    subnets: [...task.subnets],
    securityGroups: [...task.securityGroups],
    assignPublicIp: task.assignPublicIp,
    startedByPrincipal: task.startedByPrincipal,
    env: task.env === undefined ? undefined : { ...task.env },
    createdAt: task.createdAt,
    stoppedAt: task.stoppedAt,
    describable,
  };
}
