import * as z from "zod/mini";
import type { ChangeCounts, PlannedChange } from "../jobs/protocol.js";
import { InternalError } from "../errors/porch-error.js";

const showPlanSchema = z.object({
  resource_changes: z.optional(z.array(z.object({ address: z.string(), change: z.object({ actions: z.array(z.string()) }) }))),
  output_changes: z.optional(z.record(z.string(), z.object({ actions: z.array(z.string()) }))),
});

export interface PlanSummary {
  planned_changes: PlannedChange[];
  counts: ChangeCounts;
  /** Neither resources nor outputs change: applying would do nothing. */
  no_changes: boolean;
}

/** Summarizes `tofu show -json PLANFILE`. */
export function summarizePlan(showJsonText: string): PlanSummary {
  const parsed = showPlanSchema.safeParse(parseJson(showJsonText));
  if (!parsed.success) {
    throw new InternalError(`'tofu show -json' returned a plan in an unexpected shape: ${parsed.error.message}`, "iac_output_invalid");
  }
  const planned_changes: PlannedChange[] = [];
  const counts: ChangeCounts = { add: 0, change: 0, destroy: 0 };
  for (const rc of parsed.data.resource_changes ?? []) {
    const action = actionOf(rc.change.actions);
    if (action === "no-op") continue;
    planned_changes.push({ address: rc.address, action });
    if (action === "create" || action === "replace") counts.add++;
    if (action === "update") counts.change++;
    if (action === "delete" || action === "replace") counts.destroy++;
  }
  const outputsChange = Object.values(parsed.data.output_changes ?? {}).some((o) => actionOf(o.actions) !== "no-op");
  return { planned_changes, counts, no_changes: planned_changes.length === 0 && !outputsChange };
}

/** OpenTofu's action lists: ["no-op"], ["create"], ["delete", "create"] (replace), ["read"], ["forget"]... */
function actionOf(actions: string[]): string {
  if (actions.length === 0) return "no-op";
  if (actions.length === 2 && actions.includes("create") && actions.includes("delete")) return "replace";
  return actions.join("-");
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InternalError(`'tofu show -json' did not return JSON: ${(err as Error).message}`, "iac_output_invalid", err);
  }
}
