/**
 * Task definition revisions of the fake account: registration with the Fargate rules ECS enforces,
 * lookup by family / family:revision / ARN, listing, deregistration and deletion.
 */
import { AwsWireError } from "../aws-error.js";
import { epochSeconds } from "../wire-protocols.js";
import type { EcsArns } from "./arns.js";
import { cpuUnits, isValidFargateSize, memoryMiB } from "./fargate-sizes.js";
import { paginate } from "./pagination.js";
import { readTags, wireTags } from "./tags.js";

export type TaskDefinitionStatus = "ACTIVE" | "INACTIVE" | "DELETE_IN_PROGRESS";

export interface KeyValue {
  name?: string;
  value?: string;
}

export interface ContainerSecret {
  name?: string;
  valueFrom?: string;
}

export interface ContainerDefinition {
  name: string;
  image: string;
  essential?: boolean;
  command?: string[];
  environment?: KeyValue[];
  secrets?: ContainerSecret[];
  stopTimeout?: number;
  logConfiguration?: { logDriver?: string };
  [other: string]: unknown;
}

export interface TaskDefinitionRecord {
  arn: string;
  family: string;
  revision: number;
  status: TaskDefinitionStatus;
  tags: Record<string, string>;
  /** The RegisterTaskDefinition input without `tags`. */
  body: Record<string, unknown>;
  containers: ContainerDefinition[];
  cpu?: string;
  memory?: string;
  networkMode?: string;
  requiresCompatibilities: string[];
  fargateCompatible: boolean;
  executionRoleArn?: string;
  taskRoleArn?: string;
  registeredAt: Date;
  registeredBy: string;
  deregisteredAt?: Date;
  deleteRequestedAt?: Date;
}

const FAMILY_PATTERN = /^[a-zA-Z0-9_-]{1,255}$/;
const COMPATIBILITIES = ["EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"];
const ECR_IMAGE = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//;

export class TaskDefinitionRegistry {
  private readonly families = new Map<string, TaskDefinitionRecord[]>();

  constructor(private readonly arns: EcsArns) {}

  /** The ARN the next revision of `family` will get (what RegisterTaskDefinition is authorized against). */
  nextArn(family: string): string {
    return this.arns.taskDefinition(family, (this.families.get(family)?.length ?? 0) + 1);
  }

  register(input: Record<string, unknown>, registeredBy: string): TaskDefinitionRecord {
    const family = readFamily(input.family);
    const containers = readContainers(input.containerDefinitions);
    const requiresCompatibilities = readCompatibilities(input.requiresCompatibilities);
    const cpu = optionalString(input.cpu, "cpu");
    const memory = optionalString(input.memory, "memory");
    const networkMode = optionalString(input.networkMode, "networkMode");
    const executionRoleArn = optionalString(input.executionRoleArn, "executionRoleArn");
    const taskRoleArn = optionalString(input.taskRoleArn, "taskRoleArn");

    const usesSecrets = containers.some((container) => (container.secrets?.length ?? 0) > 0);
    if (usesSecrets && !executionRoleArn) {
      throw new AwsWireError("ClientException", "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.");
    }
    if (requiresCompatibilities.includes("FARGATE")) {
      checkFargateRules({ cpu, memory, networkMode, executionRoleArn, containers });
    }
    const tags = readTags(input.tags);

    const revisions = this.families.get(family) ?? [];
    const { tags: _tags, ...body } = input;
    const record: TaskDefinitionRecord = {
      arn: this.arns.taskDefinition(family, revisions.length + 1),
      family,
      revision: revisions.length + 1,
      status: "ACTIVE",
      tags,
      body,
      containers,
      cpu,
      memory,
      networkMode,
      requiresCompatibilities,
      fargateCompatible: networkMode === "awsvpc" && fargateSizeOk(cpu, memory),
      executionRoleArn,
      taskRoleArn,
      registeredAt: new Date(),
      registeredBy,
    };
    revisions.push(record);
    this.families.set(family, revisions);
    return record;
  }

  /** `family` (latest ACTIVE revision), `family:revision` or an ARN; undefined when there is no such revision. */
  find(ref: string): TaskDefinitionRecord | undefined {
    const parsed = this.arns.taskDefinitionRef(ref);
    if (!parsed) return undefined;
    const revisions = this.families.get(parsed.family) ?? [];
    if (parsed.revision === undefined) return revisions.filter((r) => r.status === "ACTIVE").at(-1);
    return revisions[parsed.revision - 1];
  }

  /** Like `find`, but an unknown reference is the ClientException ECS answers. */
  get(ref: unknown, message = "Unable to describe task definition."): TaskDefinitionRecord {
    if (typeof ref !== "string" || ref === "") throw new AwsWireError("ClientException", "taskDefinition can not be blank.");
    const record = this.find(ref);
    if (!record) throw new AwsWireError("ClientException", message);
    return record;
  }

  list(input: Record<string, unknown>): { taskDefinitionArns: string[]; nextToken?: string } {
    const status = input.status ?? "ACTIVE";
    if (status !== "ACTIVE" && status !== "INACTIVE" && status !== "DELETE_IN_PROGRESS") {
      throw new AwsWireError("InvalidParameterException", `status must be ACTIVE, INACTIVE or DELETE_IN_PROGRESS; got '${String(status)}'.`);
    }
    const sort = input.sort ?? "ASC";
    // familyPrefix is the *full* family name (ECS docs), not a prefix.
    const matching = this.all().filter((r) => r.status === status && (input.familyPrefix === undefined || r.family === input.familyPrefix));
    matching.sort((a, b) => (a.family === b.family ? a.revision - b.revision : a.family < b.family ? -1 : 1));
    if (sort === "DESC") matching.reverse();
    const { page, nextToken } = paginate(matching, input.maxResults, input.nextToken);
    return nextToken === undefined ? { taskDefinitionArns: page.map((r) => r.arn) } : { taskDefinitionArns: page.map((r) => r.arn), nextToken };
  }

  deregister(ref: unknown): TaskDefinitionRecord {
    const record = this.requireRevision(ref);
    if (record.status === "ACTIVE") {
      record.status = "INACTIVE";
      record.deregisteredAt = new Date();
    }
    return record;
  }

  /** At most 10 revisions; only INACTIVE ones move to DELETE_IN_PROGRESS, the rest come back as failures. */
  delete(refs: unknown): { taskDefinitions: TaskDefinitionRecord[]; failures: Array<{ arn: string; reason: string; detail?: string }> } {
    if (!Array.isArray(refs) || refs.length === 0) throw new AwsWireError("InvalidParameterException", "taskDefinitions can not be empty.");
    if (refs.length > 10) throw new AwsWireError("InvalidParameterException", `taskDefinitions can have at most 10 items; got ${refs.length}.`);
    const taskDefinitions: TaskDefinitionRecord[] = [];
    const failures: Array<{ arn: string; reason: string; detail?: string }> = [];
    for (const ref of refs as unknown[]) {
      const parsed = typeof ref === "string" ? this.arns.taskDefinitionRef(ref) : undefined;
      const record = parsed?.revision === undefined ? undefined : this.find(ref as string);
      if (!parsed || parsed.revision === undefined) {
        failures.push({ arn: String(ref), reason: "The specified task definition identifier is invalid. Specify a valid name or ARN and try again." });
      } else if (!record) {
        failures.push({ arn: String(ref), reason: "The specified task definition does not exist. Specify a valid account, family, revision and try again." });
      } else if (record.status === "ACTIVE") {
        failures.push({ arn: record.arn, reason: "The specified task definition is still in ACTIVE status. Please deregister the target and try again." });
      } else {
        if (record.status === "INACTIVE") {
          record.status = "DELETE_IN_PROGRESS";
          record.deleteRequestedAt = new Date();
        }
        taskDefinitions.push(record);
      }
    }
    return { taskDefinitions, failures };
  }

  all(): TaskDefinitionRecord[] {
    return [...this.families.values()].flat();
  }

  toWire(record: TaskDefinitionRecord): Record<string, unknown> {
    return {
      ...record.body,
      taskDefinitionArn: record.arn,
      family: record.family,
      revision: record.revision,
      status: record.status,
      containerDefinitions: record.containers,
      requiresCompatibilities: record.requiresCompatibilities,
      compatibilities: record.fargateCompatible ? ["EC2", "FARGATE"] : ["EC2"],
      registeredAt: epochSeconds(record.registeredAt),
      registeredBy: record.registeredBy,
      deregisteredAt: epochSeconds(record.deregisteredAt),
      deleteRequestedAt: epochSeconds(record.deleteRequestedAt),
    };
  }

  wireTags(record: TaskDefinitionRecord): Array<{ key?: string; value?: string }> {
    return wireTags(record.tags);
  }

  private requireRevision(ref: unknown): TaskDefinitionRecord {
    const parsed = typeof ref === "string" ? this.arns.taskDefinitionRef(ref) : undefined;
    if (!parsed || parsed.revision === undefined) {
      throw new AwsWireError("ClientException", "The specified task definition identifier is invalid: give family:revision or the full ARN, including the revision.");
    }
    const record = this.find(ref as string);
    if (!record) throw new AwsWireError("ClientException", "The specified task definition does not exist.");
    return record;
  }
}

function checkFargateRules(td: { cpu?: string; memory?: string; networkMode?: string; executionRoleArn?: string; containers: ContainerDefinition[] }): void {
  if (td.networkMode !== "awsvpc") throw new AwsWireError("ClientException", "Fargate only supports network mode 'awsvpc'.");
  if (td.cpu === undefined) throw new AwsWireError("ClientException", "Fargate requires that 'cpu' be defined at the task level.");
  if (td.memory === undefined) throw new AwsWireError("ClientException", "Fargate requires that 'memory' be defined at the task level.");
  if (!fargateSizeOk(td.cpu, td.memory)) {
    throw new AwsWireError("ClientException", `No Fargate configuration exists for given values: ${td.cpu} CPU, ${td.memory} memory. See the Amazon ECS documentation for the valid values.`);
  }
  if (!td.executionRoleArn) {
    if (td.containers.some((c) => c.logConfiguration?.logDriver === "awslogs")) {
      throw new AwsWireError("ClientException", "Fargate requires task definition to have execution role ARN to support log driver awslogs.");
    }
    if (td.containers.some((c) => ECR_IMAGE.test(c.image))) {
      throw new AwsWireError("ClientException", "Fargate requires task definition to have execution role ARN to support ECR images.");
    }
  }
}

function fargateSizeOk(cpu: string | undefined, memory: string | undefined): boolean {
  const units = cpu === undefined ? undefined : cpuUnits(cpu);
  const mib = memory === undefined ? undefined : memoryMiB(memory);
  return units !== undefined && mib !== undefined && isValidFargateSize(units, mib);
}

export function readFamily(raw: unknown): string {
  if (typeof raw !== "string" || !FAMILY_PATTERN.test(raw)) {
    throw new AwsWireError("ClientException", "Family name can be up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores.");
  }
  return raw;
}

function readContainers(raw: unknown): ContainerDefinition[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new AwsWireError("ClientException", "Container list cannot be empty.");
  const names = new Set<string>();
  const containers = (raw as Array<Record<string, unknown>>).map((container) => {
    const name = container?.name;
    if (typeof name !== "string" || !FAMILY_PATTERN.test(name)) {
      throw new AwsWireError("ClientException", "Container name can be up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores.");
    }
    if (names.has(name)) throw new AwsWireError("ClientException", `Container names must be unique; '${name}' appears twice.`);
    names.add(name);
    if (typeof container.image !== "string" || container.image === "") throw new AwsWireError("ClientException", "Container.image should not be null or empty.");
    for (const secret of (container.secrets ?? []) as ContainerSecret[]) {
      if (!secret?.name || !secret.valueFrom) throw new AwsWireError("ClientException", `Container '${name}': each secret needs a name and a valueFrom.`);
    }
    for (const variable of (container.environment ?? []) as KeyValue[]) {
      if (!variable?.name) throw new AwsWireError("ClientException", `Container '${name}': each environment variable needs a name.`);
    }
    return { ...container, essential: container.essential !== false } as ContainerDefinition;
  });
  if (!containers.some((container) => container.essential)) {
    throw new AwsWireError("ClientException", "Task definition does not have any essential container.");
  }
  return containers;
}

function readCompatibilities(raw: unknown): string[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw) || raw.some((value) => !COMPATIBILITIES.includes(value as string))) {
    throw new AwsWireError("InvalidParameterException", `requiresCompatibilities may only contain ${COMPATIBILITIES.join(", ")}.`);
  }
  return raw as string[];
}

function optionalString(raw: unknown, field: string): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "string") throw new AwsWireError("InvalidParameterException", `${field} must be a string.`);
  return raw;
}
