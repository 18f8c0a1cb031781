import type { ChangeCounts, Diagnostic, Failure, OutputValue, PlannedChange } from "../jobs/protocol.js";
import type { StateStorage } from "../config/state-storage.js";

export type IacMode = "deploy" | "plan_only" | "destroy";
export type IacLogStream = "stdout" | "stderr" | "system";
export type IacLog = (text: string, stream: IacLogStream) => void;

export interface StateKey {
  orgId: string;
  projectId: string;
  envId: string;
}

export interface IacRunOptions {
  /** Path of the `tofu` (or `terraform`) binary, e.g. from resolveIacBinary. */
  binary: string;
  /** The user's root module, already extracted; porch writes its generated files into it. */
  moduleDir: string;
  mode: IacMode;
  /** OpenTofu input variables, written to a `*.auto.tfvars.json` file (JSON keeps their types). */
  inputs: Record<string, unknown>;
  /** For `local`, `path` is an absolute directory (always set by the orchestrator). */
  stateStorage: StateStorage;
  stateKey: StateKey;
  /** Environment of the tofu process; TF_IN_AUTOMATION=1 and TF_INPUT=0 are added. */
  env: NodeJS.ProcessEnv;
  /** S3-compatible endpoint (MinIO, tests): rendered as `endpoints.s3` with path-style addressing. */
  s3Endpoint?: string;
  /** Abort = interrupt gracefully: exactly one SIGINT to tofu, then wait for it to exit. */
  signal?: AbortSignal;
  /** Human-readable lines, one call per line. Values of sensitive outputs never reach it. */
  log: IacLog;
  /** `-lock-timeout`; @default "120s" */
  lockTimeout?: string;
}

export interface IacRunResult {
  status: "succeeded" | "failed" | "cancelled";
  /** From `tofu output -json`; sensitive values are kept (flagged) for the caller to hide. */
  outputs: Record<string, OutputValue>;
  /** Applied counts (deploy/destroy) or planned counts (plan_only); null when the run stopped before knowing. */
  changes: ChangeCounts | null;
  /** From the saved plan's resource changes, no-ops left out. */
  planned_changes: PlannedChange[];
  /** The plan had nothing to do, so apply was skipped. */
  no_changes: boolean;
  diagnostics: Diagnostic[];
  /** User-facing: for an OpenTofu error, the diagnostic's summary, location and detail. */
  error: Failure | null;
}
