import { z } from "zod";
import { stateStorageSchema } from "../config/state-storage.js";

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

export const jobSpecSchema = z.object({
  deployment_id: z.string(),
  org_id: z.string(),
  project_id: z.string(),
  env_id: z.string(),
  runner_id: z.string(),
  mode: z.enum(DEPLOYMENT_MODES),
  inputs: z.record(z.string(), z.unknown()),
  state_storage: stateStorageSchema,
  bundle: z.object({ digest: z.string(), size_bytes: z.number().int() }),
  timeout_seconds: z.number().int(),
  deadline_at: z.string(),
});
export type JobSpec = z.infer<typeof jobSpecSchema>;

export const logLineSchema = z.object({
  seq: z.number().int().min(1),
  ts: z.string(),
  stream: z.enum(["stdout", "stderr", "system"]),
  text: z.string().max(65_536),
});
export type LogLine = z.infer<typeof logLineSchema>;

export const logBatchSchema = z.object({ lines: z.array(logLineSchema).min(1).max(1000) });
export type LogBatch = z.infer<typeof logBatchSchema>;

export const outputValueSchema = z.object({
  value: z.unknown(),
  sensitive: z.boolean(),
  type: z.unknown().optional(),
});
export type OutputValue = z.infer<typeof outputValueSchema>;

export const changeCountsSchema = z.object({
  add: z.number().int().min(0),
  change: z.number().int().min(0),
  destroy: z.number().int().min(0),
});
export type ChangeCounts = z.infer<typeof changeCountsSchema>;

export const plannedChangeSchema = z.object({ address: z.string(), action: z.string() });
export type PlannedChange = z.infer<typeof plannedChangeSchema>;

export const diagnosticSchema = z.object({
  severity: z.enum(["error", "warning"]),
  summary: z.string(),
  detail: z.string().optional(),
  filename: z.string().optional(),
  line: z.number().int().optional(),
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
  result_id: z.string().min(8).max(64),
  status: z.enum(JOB_RESULT_STATUSES),
  outputs: z.record(z.string(), outputValueSchema).default({}),
  changes: changeCountsSchema.nullable().default(null),
  planned_changes: z.array(plannedChangeSchema).default([]),
  no_changes: z.boolean().default(false),
  diagnostics: z.array(diagnosticSchema).default([]),
  error: failureSchema.nullable().default(null),
});
export type JobResult = z.infer<typeof jobResultSchema>;
export type JobResultInput = z.input<typeof jobResultSchema>;

export const heartbeatResponseSchema = z.object({ cancel_requested: z.boolean() });
