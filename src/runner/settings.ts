import { tmpdir, homedir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../errors/porch-error.js";
import { RUNNER_ENV } from "../jobs/protocol.js";

export interface RunnerSettings {
  apiUrl: string;
  deploymentId: string;
  jobToken: string;
  workDir: string;
  secretValues: string[];
  iacBinary?: string;
  tofuCacheDir: string;
  tofuDownloadUrl?: string;
  s3Endpoint?: string;
  heartbeatMs: number;
  logFlushMs: number;
}

/** The runner program is configured only through its environment: the same contract everywhere. */
export function readRunnerSettings(env: NodeJS.ProcessEnv): RunnerSettings {
  const missing = [RUNNER_ENV.apiUrl, RUNNER_ENV.deploymentId, RUNNER_ENV.jobToken].filter((k) => !env[k]);
  if (missing.length > 0) {
    throw new ConfigError(`the runner program needs ${missing.join(", ")} in its environment; it is started by porch, not by hand`, "runner_env_missing");
  }
  const deploymentId = env[RUNNER_ENV.deploymentId]!;
  const secretNames = (env[RUNNER_ENV.secretEnvNames] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    apiUrl: env[RUNNER_ENV.apiUrl]!.replace(/\/+$/, ""),
    deploymentId,
    jobToken: env[RUNNER_ENV.jobToken]!,
    workDir: env[RUNNER_ENV.workDir] || join(tmpdir(), `porch-job-${deploymentId}`),
    secretValues: secretNames.map((n) => env[n]).filter((v): v is string => typeof v === "string" && v.length > 0),
    iacBinary: env[RUNNER_ENV.iacBinary] || undefined,
    tofuCacheDir: env[RUNNER_ENV.tofuCacheDir] || join(env.HOME ? homedir() : tmpdir(), ".cache", "porch", "opentofu"),
    tofuDownloadUrl: env[RUNNER_ENV.tofuDownloadUrl] || undefined,
    s3Endpoint: env[RUNNER_ENV.s3Endpoint] || undefined,
    heartbeatMs: Number(env.PORCH_HEARTBEAT_MS ?? 2000),
    logFlushMs: Number(env.PORCH_LOG_FLUSH_MS ?? 200),
  };
}

/** What OpenTofu sees: the job's environment without porch's own credentials. */
export function iacEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  delete out[RUNNER_ENV.jobToken];
  return out;
}
