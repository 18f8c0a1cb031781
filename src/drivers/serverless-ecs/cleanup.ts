import {
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  type ECSClient,
  type TaskDefinitionStatus,
} from "@aws-sdk/client-ecs";
import { parseTaskDefinitionArn } from "./naming.js";

/** DeleteTaskDefinitions accepts at most this many ARNs per call. */
const DELETE_BATCH = 10;

export interface CleanupResult {
  deregistered: string[];
  deleted: string[];
}

/**
 * Keeps the newest `keep` ACTIVE revisions of exactly `family`, deregisters older ones and deletes
 * INACTIVE ones. ListTaskDefinitions' familyPrefix matches prefixes (`humanitec_o_a` also lists
 * `humanitec_o_ab`), so every ARN is checked against the exact family before anything is touched.
 */
export async function cleanUpRevisions(client: ECSClient, family: string, keep: number): Promise<CleanupResult> {
  const active = await listFamilyRevisions(client, family, "ACTIVE");
  const retire = active.sort((a, b) => b.revision - a.revision).slice(Math.max(keep, 1));
  const deregistered: string[] = [];
  for (const { arn } of retire) {
    await client.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
    deregistered.push(arn);
  }

  const inactive = await listFamilyRevisions(client, family, "INACTIVE");
  const deleted: string[] = [];
  for (let i = 0; i < inactive.length; i += DELETE_BATCH) {
    const batch = inactive.slice(i, i + DELETE_BATCH).map((r) => r.arn);
    const out = await client.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: batch }));
    for (const td of out.taskDefinitions ?? []) if (td.taskDefinitionArn) deleted.push(td.taskDefinitionArn);
  }
  return { deregistered, deleted };
}

async function listFamilyRevisions(client: ECSClient, family: string, status: TaskDefinitionStatus): Promise<Array<{ arn: string; revision: number }>> {
  const found: Array<{ arn: string; revision: number }> = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListTaskDefinitionsCommand({ familyPrefix: family, status, sort: "DESC", nextToken }));
    for (const arn of page.taskDefinitionArns ?? []) {
      const parsed = parseTaskDefinitionArn(arn);
      if (parsed?.family === family) found.push({ arn, revision: parsed.revision });
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return found;
}
