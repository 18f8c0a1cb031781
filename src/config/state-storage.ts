import { z } from "zod";

export const S3_BUCKET_PATTERN = /^[a-z0-9][a-z0-9-]*[a-z0-9]$/;
export const PATH_PREFIX_PATTERN = /^[a-zA-Z0-9._-]+(?:\/[a-zA-Z0-9._-]+)*\/?$/;

export const STATE_STORAGE_TYPES_SUPPORTED = ["s3", "local"] as const;
export const STATE_STORAGE_TYPES_NOT_YET_SUPPORTED = ["gcs", "azurerm", "kubernetes"] as const;

export const s3StateStorageSchema = z.strictObject({
  type: z.literal("s3"),
  bucket: z.string().min(3).max(63).regex(S3_BUCKET_PATTERN, "must be an S3 bucket name (lowercase letters, digits and '-')"),
  path_prefix: z.string().max(1024).regex(PATH_PREFIX_PATTERN, "must be a path like 'state-files' or 'a/b/' (letters, digits, '.', '_', '-')").optional(),
});

export const localStateStorageSchema = z.strictObject({
  type: z.literal("local"),
  /** Directory on the orchestrator's machine; @default `<data-dir>/state` */
  path: z.string().min(1).max(4096).optional(),
});

export const stateStorageSchema = z.discriminatedUnion("type", [s3StateStorageSchema, localStateStorageSchema]);

export type S3StateStorage = z.infer<typeof s3StateStorageSchema>;
export type LocalStateStorage = z.infer<typeof localStateStorageSchema>;
export type StateStorage = z.infer<typeof stateStorageSchema>;
export type StateStorageType = StateStorage["type"];

/**
 * The Terraform provider sends `{ type, s3_configuration: {...} }`; the API uses the flat form.
 * Both become the flat form; giving both at once is ambiguous and left for validation to reject.
 */
export function flattenStateStorage(input: unknown): unknown {
  if (!input || typeof input !== "object" || Array.isArray(input)) return input;
  const obj = input as Record<string, unknown>;
  const type = obj.type;
  if (typeof type !== "string") return input;
  const nestedKey = `${type}_configuration`;
  const nested = obj[nestedKey];
  if (nested === undefined || nested === null) {
    if (nestedKey in obj) {
      const { [nestedKey]: _drop, ...rest } = obj;
      return rest;
    }
    return input;
  }
  if (typeof nested !== "object" || Array.isArray(nested)) return input;
  const { [nestedKey]: _nested, ...rest } = obj;
  const clash = Object.keys(nested).filter((k) => k in rest && k !== "type");
  if (clash.length > 0) return input;
  return { ...rest, ...(nested as Record<string, unknown>) };
}

/** Which state storage types each runner type can use. */
export const COMPATIBILITY: Record<string, readonly StateStorageType[]> = {
  "serverless-ecs": ["s3"],
  local: ["local", "s3"],
};
