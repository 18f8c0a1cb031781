import { z } from "zod";
import { DEPLOYMENT_MODES, changeCountsSchema, diagnosticSchema, failureSchema, plannedChangeSchema, type DeploymentMode, type Failure } from "../jobs/protocol.js";
import type { RunnerSnapshot, DriverHandle } from "../drivers/driver.js";
import { iso } from "../catalog/sql-errors.js";

export const DEPLOYMENT_STATUSES = ["queued", "dispatching", "running", "succeeded", "failed", "cancelled"] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];
export const TERMINAL_STATUSES: readonly DeploymentStatus[] = ["succeeded", "failed", "cancelled"];
export const ACTIVE_STATUSES: readonly DeploymentStatus[] = ["dispatching", "running"];

export function isTerminal(status: string): boolean {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/** A row of the deployments table, as the store returns it. */
export interface DeploymentRow {
  id: string;
  queue_seq: number;
  org_id: string;
  project_id: string;
  env_id: string;
  env_uuid: string;
  runner_id: string;
  runner_type: string;
  runner_snapshot: RunnerSnapshot;
  mode: DeploymentMode;
  bundle_digest: string;
  inputs: Record<string, unknown>;
  timeout_seconds: number;
  idempotency_key: string | null;
  request_hash: string | null;
  status: DeploymentStatus;
  error: Failure | null;
  outputs: Record<string, { value: unknown; sensitive: boolean; type?: unknown }> | null;
  changes: { add: number; change: number; destroy: number } | null;
  planned_changes: Array<{ address: string; action: string }> | null;
  diagnostics: unknown[] | null;
  result_id: string | null;
  cancel_requested_at: Date | null;
  cancel_note: string | null;
  job_token_hash: string | null;
  dispatch_nonce: string | null;
  driver_handle: DriverHandle | null;
  owner_replica: string | null;
  owner_instance: string | null;
  lease_expires_at: Date | null;
  created_at: Date;
  dispatched_at: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
  deadline_at: Date | null;
  updated_at: Date;
}

export const deploymentCreateSchema = z.strictObject({
  project_id: z.string().min(1).max(100),
  env_id: z.string().min(1).max(100),
  mode: z.enum(DEPLOYMENT_MODES).default("deploy"),
  bundle_digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, "must be 'sha256:' followed by 64 lowercase hex digits of an uploaded bundle"),
  inputs: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, "must be a valid OpenTofu variable name"), z.unknown()).default({}),
  /** @default 3600 */
  timeout_seconds: z.number().int().min(30).max(86_400).optional(),
});
export type DeploymentCreate = z.infer<typeof deploymentCreateSchema>;

const outputSchema = z.object({ value: z.unknown().optional(), sensitive: z.boolean(), type: z.unknown().optional() });

export const deploymentSchema = z.object({
  id: z.string(),
  project_id: z.string(),
  env_id: z.string(),
  runner_id: z.string(),
  runner_type: z.string(),
  runner_snapshot: z.record(z.string(), z.unknown()),
  mode: z.enum(DEPLOYMENT_MODES),
  bundle_digest: z.string(),
  inputs: z.record(z.string(), z.unknown()),
  timeout_seconds: z.number(),
  status: z.enum(DEPLOYMENT_STATUSES),
  error: z.nullable(failureSchema),
  outputs: z.record(z.string(), outputSchema).nullable(),
  changes: z.nullable(changeCountsSchema),
  planned_changes: z.array(plannedChangeSchema).nullable(),
  diagnostics: z.array(diagnosticSchema).nullable(),
  cancel_requested_at: z.string().nullable(),
  cancel_note: z.string().nullable(),
  created_at: z.string(),
  dispatched_at: z.string().nullable(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  updated_at: z.string(),
});
export type Deployment = z.infer<typeof deploymentSchema>;

const isoOrNull = (d: Date | null) => (d ? iso(d) : null);

/** The API view: sensitive output values are hidden unless explicitly asked for. */
export function toDeployment(row: DeploymentRow, opts: { includeSensitive?: boolean } = {}): Deployment {
  const outputs = row.outputs
    ? Object.fromEntries(
        Object.entries(row.outputs).map(([k, v]) => [k, v.sensitive && !opts.includeSensitive ? { sensitive: true, type: v.type } : v]),
      )
    : null;
  return {
    id: row.id,
    project_id: row.project_id,
    env_id: row.env_id,
    runner_id: row.runner_id,
    runner_type: row.runner_type,
    runner_snapshot: row.runner_snapshot as unknown as Record<string, unknown>,
    mode: row.mode,
    bundle_digest: row.bundle_digest,
    inputs: row.inputs,
    timeout_seconds: row.timeout_seconds,
    status: row.status,
    error: row.error,
    outputs,
    changes: row.changes,
    planned_changes: row.planned_changes,
    diagnostics: row.diagnostics as Deployment["diagnostics"],
    cancel_requested_at: isoOrNull(row.cancel_requested_at),
    cancel_note: row.cancel_note,
    created_at: iso(row.created_at),
    dispatched_at: isoOrNull(row.dispatched_at),
    started_at: isoOrNull(row.started_at),
    finished_at: isoOrNull(row.finished_at),
    updated_at: iso(row.updated_at),
  };
}
