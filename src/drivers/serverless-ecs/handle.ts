import type { DriverHandle } from "../driver.js";

/**
 * What the serverless-ecs driver stores on a deployment to re-attach after a restart. JSON only.
 * `taskArn` is absent when porch stopped between RunTask and storing the handle.
 */
export interface EcsTaskHandle {
  driver: "serverless-ecs";
  region: string;
  cluster: string;
  accountId: string;
  taskArn?: string;
  clientToken: string;
  startedBy: string;
  /** Which clientToken generation started the task (a retried deployment uses the next). */
  attempt: number;
  family: string;
  taskDefinitionArn?: string;
  definitionHash?: string;
  image: string;
  lastStatus?: string;
}

export function toDriverHandle(handle: EcsTaskHandle): DriverHandle {
  return { ...handle };
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** Tolerant: handles written by older versions or cut short by a crash still yield what they have. */
export function readHandle(handle: DriverHandle | null | undefined): Partial<EcsTaskHandle> {
  if (!handle) return {};
  const out: Partial<EcsTaskHandle> = {};
  const fields = ["region", "cluster", "accountId", "taskArn", "clientToken", "startedBy", "family", "taskDefinitionArn", "definitionHash", "image", "lastStatus"] as const;
  for (const field of fields) {
    const value = str(handle[field]);
    if (value) out[field] = value;
  }
  if (typeof handle.attempt === "number" && Number.isInteger(handle.attempt) && handle.attempt > 0) out.attempt = handle.attempt;
  return out;
}
