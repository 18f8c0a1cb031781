import { resolve } from "node:path";
import { ConfigError } from "../errors/porch-error.js";

/** Everything `porch serve` can be told, with the environment variable that sets each. */
export interface ServerSettings {
  /** PORCH_DATA_DIR; @default ./.porch */
  dataDir: string;
  /** PORCH_HOST; @default 127.0.0.1 (nothing is exposed unless asked) */
  host: string;
  /** PORCH_PORT; @default 8080; 0 picks a free port */
  port: number;
  /** DATABASE_URL: a real PostgreSQL instead of the embedded one */
  databaseUrl?: string;
  /** PORCH_PUBLIC_URL: how runner programs reach this server; @default http://<host>:<port> */
  publicUrl?: string;
  /** PORCH_OIDC_ISSUER_URL: public https URL of porch's OIDC issuer; needed by serverless-ecs runners */
  oidcIssuerUrl?: string;
  /** PORCH_RUNNER_IMAGE: default image of serverless-ecs tasks */
  runnerImage: string;
  /** PORCH_ECS_TASK_DEFINITION_PREFIX; @default humanitec (matches the documented IAM policy) */
  taskDefinitionPrefix: string;
  /** PORCH_ECS_RUN_TASK_RATE: RunTask calls per second per account and region; @default 20 */
  runTaskRatePerSecond: number;
  /** PORCH_AWS_ENDPOINT_URL: send ECS and STS calls here (LocalStack, tests); @default AWS's regional endpoints */
  awsEndpointUrl?: string;
  /** PORCH_DEPLOYMENT_TIMEOUT_SECONDS; @default 3600 */
  defaultTimeoutSeconds: number;
  /**
   * PORCH_LOCAL_STANDBY_RUNNERS: at most this many runner programs kept booted for the local runner
   * type (as many as the local runners' max_concurrent_jobs add up to); 0 turns standby off; @default 64
   */
  localStandbyRunners: number;
  logLevel: string;
}

export const DEFAULT_RUNNER_IMAGE = "ghcr.io/porch-dev/porch-runner:0.1.0";

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer between ${min} and ${max} (got '${raw}')`, "bad_setting");
  return n;
}

export function readServerSettings(env: NodeJS.ProcessEnv, flags: { dataDir?: string; host?: string; port?: number } = {}): ServerSettings {
  return {
    dataDir: resolve(flags.dataDir ?? env.PORCH_DATA_DIR ?? ".porch"),
    host: flags.host ?? env.PORCH_HOST ?? "127.0.0.1",
    port: flags.port ?? int(env, "PORCH_PORT", 8080, 0, 65535),
    databaseUrl: env.DATABASE_URL || undefined,
    publicUrl: env.PORCH_PUBLIC_URL || undefined,
    oidcIssuerUrl: env.PORCH_OIDC_ISSUER_URL || undefined,
    runnerImage: env.PORCH_RUNNER_IMAGE || DEFAULT_RUNNER_IMAGE,
    taskDefinitionPrefix: env.PORCH_ECS_TASK_DEFINITION_PREFIX || "humanitec",
    runTaskRatePerSecond: int(env, "PORCH_ECS_RUN_TASK_RATE", 20, 1, 1000),
    awsEndpointUrl: env.PORCH_AWS_ENDPOINT_URL || undefined,
    defaultTimeoutSeconds: int(env, "PORCH_DEPLOYMENT_TIMEOUT_SECONDS", 3600, 30, 86_400),
    localStandbyRunners: int(env, "PORCH_LOCAL_STANDBY_RUNNERS", 64, 0, 1000),
    logLevel: env.PORCH_LOG_LEVEL || "info",
  };
}
