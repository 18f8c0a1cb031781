import { z } from "zod";
import { runnerIdSchema } from "./ids.js";
import {
  RUNNER_TYPES_NOT_YET_SUPPORTED,
  RUNNER_TYPES_SUPPORTED,
  localConfigurationSchema,
  serverlessEcsConfigurationSchema,
} from "./runner-configuration.js";
import {
  COMPATIBILITY,
  STATE_STORAGE_TYPES_NOT_YET_SUPPORTED,
  STATE_STORAGE_TYPES_SUPPORTED,
  flattenStateStorage,
  localStateStorageSchema,
  s3StateStorageSchema,
} from "./state-storage.js";

function unionError(kind: string, supported: readonly string[], notYet: readonly string[]) {
  return (issue: { input?: unknown }) => {
    const type = (issue.input as { type?: unknown } | undefined)?.type;
    if (typeof type === "string" && notYet.includes(type)) {
      return `${kind} type '${type}' is not supported by porch yet; supported types: ${supported.join(", ")}`;
    }
    if (type === undefined) return `'type' is required; one of: ${supported.join(", ")}`;
    return `unknown ${kind} type ${JSON.stringify(type)}; supported types: ${supported.join(", ")}`;
  };
}

export const runnerConfigurationInputSchema = z.discriminatedUnion("type", [serverlessEcsConfigurationSchema, localConfigurationSchema], {
  error: unionError("runner", RUNNER_TYPES_SUPPORTED, RUNNER_TYPES_NOT_YET_SUPPORTED),
});

export const stateStorageInputSchema = z.preprocess(
  flattenStateStorage,
  z.discriminatedUnion("type", [s3StateStorageSchema, localStateStorageSchema], {
    error: unionError("state storage", STATE_STORAGE_TYPES_SUPPORTED, STATE_STORAGE_TYPES_NOT_YET_SUPPORTED),
  }),
);

type Pair = { runner_configuration?: { type: string }; state_storage_configuration?: { type: string } };

function checkCompatibility(value: Pair, ctx: z.RefinementCtx): void {
  const runnerType = value.runner_configuration?.type;
  const storageType = value.state_storage_configuration?.type;
  if (!runnerType || !storageType) return;
  const allowed = COMPATIBILITY[runnerType] ?? [];
  if (!allowed.includes(storageType as never)) {
    ctx.addIssue({
      code: "custom",
      path: ["state_storage_configuration", "type"],
      message: `runner type '${runnerType}' cannot use state storage type '${storageType}'; it accepts: ${allowed.join(", ")}`,
    });
  }
}

export const runnerCreateSchema = z
  .strictObject({
    id: runnerIdSchema,
    description: z.string().max(200).optional(),
    runner_configuration: runnerConfigurationInputSchema,
    state_storage_configuration: stateStorageInputSchema,
  })
  .superRefine(checkCompatibility);

export const runnerUpdateSchema = z.strictObject({
  description: z.string().max(200).optional(),
  runner_configuration: runnerConfigurationInputSchema.optional(),
  state_storage_configuration: stateStorageInputSchema.optional(),
});

export type RunnerCreate = z.infer<typeof runnerCreateSchema>;
export type RunnerUpdate = z.infer<typeof runnerUpdateSchema>;

/** Re-checks the compatibility matrix after a PATCH merged new parts into the stored runner. */
export const runnerMergedSchema = z
  .object({
    runner_configuration: runnerConfigurationInputSchema,
    state_storage_configuration: stateStorageInputSchema,
  })
  .superRefine(checkCompatibility);
