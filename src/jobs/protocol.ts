// zod/mini: the runner program is bundled and starts once per job; classic zod would add ~0.7 MB to
// every runner start. Both flavours share zod's core, so the API validates and documents these alike.
import * as z from "zod/mini";
import type { StateStorage } from "../config/state-storage.js";

/**
 * The job protocol between the orchestrator and the runner program, shared by both sides.
 * All endpoints live under /job/v1/deployments/{id} and take `Authorization: Bearer <job token>`.
 *
 *   POST  .../start      -> JobSpec        (idempotent; the first call marks the deployment running)
 *   GET   .../bundle     -> tar.gz bytes
 *   POST  .../logs       LogBatch -> { stored_through: seq }   (idempotent per seq)
 *   POST  .../heartbeat  -> { cancel_requested: boolean }
 *   POST  .../result     JobResult -> { recorded: true }       (idempotent per result_id)
 */
export const DEPLOYMENT_MODES = ["deploy", "plan_only", "destroy"] as const;
export type DeploymentMode = (typeof DEPLOYMENT_MODES)[number];

/** Environment variables every runner program gets, whichever driver starts it. */
export const RUNNER_ENV = {
  apiUrl: "PORCH_API_URL",
  deploymentId: "PORCH_DEPLOYMENT_ID",
  jobToken: "PORCH_JOB_TOKEN",
  /** Comma-separated names of environment variables whose values must never leave the runner. */
  secretEnvNames: "PORCH_SECRET_ENV_NAMES",
  /** Scratch directory for the module and OpenTofu's data; @default a temp dir. */
  workDir: "PORCH_WORK_DIR",
  /** OpenTofu (or Terraform) binary; @default `tofu` on PATH, else the pinned release downloaded. */
  iacBinary: "PORCH_IAC_BINARY",
  tofuCacheDir: "PORCH_TOFU_CACHE_DIR",
  tofuDownloadUrl: "PORCH_TOFU_DOWNLOAD_URL",
  /** S3-compatible endpoint for the state bucket (MinIO, tests); renders path-style addressing. */
  s3Endpoint: "PORCH_S3_ENDPOINT",
} as const;

/**
 * The runner's copy of the runner's validated state storage snapshot. The API validated every field
 * when the runner was created; here only the shape is checked, so a runner and an orchestrator of
 * different versions fail loudly instead of rendering a wrong backend.
 */
const jobStateStorageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("s3"), bucket: z.string().check(z.minLength(3)), path_prefix: z.optional(z.string()) }),
  z.object({ type: z.literal("local"), path: z.optional(z.string()) }),
]);
// The snapshot type and the checked shape must stay the same.
type SameShape<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const stateStorageShapesAgree: SameShape<z.infer<typeof jobStateStorageSchema>, StateStorage> = true;
void stateStorageShapesAgree;

const int = () => z.number().check(z.int());

export const jobSpecSchema = z.object({
  deployment_id: z.string(),
  org_id: z.string(),
  project_id: z.string(),
  env_id: z.string(),
  runner_id: z.string(),
  mode: z.enum(DEPLOYMENT_MODES),
  inputs: z.record(z.string(), z.unknown()),
  state_storage: jobStateStorageSchema,
  bundle: z.object({ digest: z.string(), size_bytes: int() }),
  timeout_seconds: int(),
  deadline_at: z.string(),
});
export type JobSpec = z.infer<typeof jobSpecSchema>;

export const logLineSchema = z.object({
  seq: z.number().check(z.int(), z.minimum(1)),
  ts: z.string(),
  stream: z.enum(["stdout", "stderr", "system"]),
  text: z.string().check(z.maxLength(65_536)),
});
export type LogLine = z.infer<typeof logLineSchema>;

export const logBatchSchema = z.object({ lines: z.array(logLineSchema).check(z.minLength(1), z.maxLength(1000)) });
export type LogBatch = z.infer<typeof logBatchSchema>;

export const outputValueSchema = z.object({
  value: z.unknown(),
  sensitive: z.boolean(),
  type: z.optional(z.unknown()),
});
export type OutputValue = z.infer<typeof outputValueSchema>;

export const changeCountsSchema = z.object({
  add: z.number().check(z.int(), z.minimum(0)),
  change: z.number().check(z.int(), z.minimum(0)),
  destroy: z.number().check(z.int(), z.minimum(0)),
});
export type ChangeCounts = z.infer<typeof changeCountsSchema>;

export const plannedChangeSchema = z.object({ address: z.string(), action: z.string() });
export type PlannedChange = z.infer<typeof plannedChangeSchema>;

export const diagnosticSchema = z.object({
  severity: z.enum(["error", "warning"]),
  summary: z.string(),
  detail: z.optional(z.string()),
  filename: z.optional(z.string()),
  line: z.optional(int()),
});
export type Diagnostic = z.infer<typeof diagnosticSchema>;

export const failureSchema = z.object({
  category: z.enum(["user", "transient", "internal"]),
  code: z.string(),
  message: z.string(),
});
export type Failure = z.infer<typeof failureSchema>;

export const JOB_RESULT_STATUSES = ["succeeded", "failed", "cancelled"] as const;

export const jobResultSchema = z.object({
  /** Chosen by the runner program once; a retried POST carries the same id. */
  result_id: z.string().check(z.minLength(8), z.maxLength(64)),
  status: z.enum(JOB_RESULT_STATUSES),
  outputs: z._default(z.record(z.string(), outputValueSchema), {}),
  changes: z._default(z.nullable(changeCountsSchema), null),
  planned_changes: z._default(z.array(plannedChangeSchema), []),
  no_changes: z._default(z.boolean(), false),
  diagnostics: z._default(z.array(diagnosticSchema), []),
  error: z._default(z.nullable(failureSchema), null),
});
export type JobResult = z.infer<typeof jobResultSchema>;
export type JobResultInput = z.input<typeof jobResultSchema>;

export const heartbeatResponseSchema = z.object({ cancel_requested: z.boolean() });
