import { runnerConfigurationInputSchema, stateStorageInputSchema } from "../../config/runner.js";
import { parseOrThrow } from "../../config/validate.js";
import { ValidationError } from "../../errors/porch-error.js";
import type { AwsClients } from "../aws-clients.js";
import type { CheckResult } from "./check-result.js";
import { checkCluster } from "./cluster-check.js";
import type { DoctorContext } from "./doctor-context.js";
import { checkIssuerUrl } from "./issuer-check.js";
import { checkSecurityGroups, checkSubnets } from "./network-checks.js";
import { checkAssumeRole, checkOidcProvider, checkTrustPolicy } from "./oidc-checks.js";
import { checkSecrets } from "./secrets-check.js";
import { checkStateBucketExists, checkTaskRoleWritesState } from "./state-bucket-checks.js";

export interface DoctorOptions {
  orgId: string;
  runnerId: string;
  issuerUrl: string;
  /** The runner as porch's API returns it. */
  runner: { runner_configuration: unknown; state_storage_configuration: unknown };
  /** The user's own clients in the runner's region (see runnerRegion). */
  clients: AwsClients;
  webIdentityToken?: (orgId: string, runnerId: string) => Promise<string>;
}

export interface DoctorReport {
  runnerId: string;
  checks: CheckResult[];
}

/** Checks a serverless-ecs runner's AWS set-up; every check ends pass, fail (with the fix) or skipped (with why). */
export async function runDoctor(opts: DoctorOptions): Promise<DoctorReport> {
  const ctx: DoctorContext = { ...parseRunner(opts.runnerId, opts.runner), orgId: opts.orgId, runnerId: opts.runnerId, issuerUrl: opts.issuerUrl, clients: opts.clients, webIdentityToken: opts.webIdentityToken };
  const checks: CheckResult[] = [];
  const issuer = checkIssuerUrl(opts.issuerUrl);
  checks.push(issuer);
  if (issuer.status === "fail") {
    // Every OIDC check derives the provider from the issuer URL: they would only repeat this failure.
    checks.push({ id: "oidc", title: "OIDC provider, trust policy and assume role", status: "skipped", detail: "the issuer URL must be fixed first" });
  } else {
    checks.push(...(await checkOidcProvider(ctx)));
    checks.push(...(await checkTrustPolicy(ctx)));
    checks.push(await checkAssumeRole(ctx));
  }
  checks.push(...(await checkCluster(ctx)));
  checks.push(...(await checkSubnets(ctx)));
  checks.push(...(await checkSecurityGroups(ctx)));
  checks.push(...(await checkSecrets(ctx)));
  checks.push(...(await checkStateBucketExists(ctx)));
  checks.push(...(await checkTaskRoleWritesState(ctx)));
  return { runnerId: opts.runnerId, checks };
}

/** The runner's region, for building the clients before running the doctor. */
export function runnerRegion(runnerId: string, runner: DoctorOptions["runner"]): string {
  return parseRunner(runnerId, runner).config.job.region;
}

function parseRunner(runnerId: string, runner: DoctorOptions["runner"]): Pick<DoctorContext, "config" | "state"> {
  const config = parseOrThrow(runnerConfigurationInputSchema, runner.runner_configuration, `runner '${runnerId}' configuration`, "runner_configuration");
  if (config.type !== "serverless-ecs") {
    throw new ValidationError(`runner '${runnerId}' is a '${config.type}' runner; porch aws doctor checks serverless-ecs runners`, [
      { path: "runner_configuration.type", message: "must be serverless-ecs for porch aws doctor" },
    ]);
  }
  const state = parseOrThrow(stateStorageInputSchema, runner.state_storage_configuration, `runner '${runnerId}' state storage`, "state_storage_configuration");
  if (state.type !== "s3") {
    throw new ValidationError(`runner '${runnerId}' keeps state in '${state.type}'; a serverless-ecs runner needs s3`, [{ path: "state_storage_configuration.type", message: "must be s3" }]);
  }
  return { config, state };
}
