import { randomUUID } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { toPorchError, UnauthorizedError } from "../errors/porch-error.js";
import type { JobResult, JobSpec } from "../jobs/protocol.js";
import { resolveIacBinary, runIac } from "../iac/index.js";
import { JobClient } from "./job-client.js";
import { LogShipper } from "./log-shipper.js";
import { SecretMasker } from "./secret-masker.js";
import { iacEnvironment, type RunnerSettings } from "./settings.js";
import { unpackBundle } from "./bundle.js";

export interface RunnerOutcome {
  reported: boolean;
  status?: JobResult["status"];
}

function failedResult(resultId: string, err: unknown): JobResult {
  const e = toPorchError(err);
  return {
    result_id: resultId,
    status: "failed",
    outputs: {},
    changes: null,
    planned_changes: [],
    no_changes: false,
    diagnostics: [],
    error: e.toJSON(),
  };
}

/**
 * One job, start to result: the same code whether a local child process or a Fargate task runs it.
 * Cancellation (heartbeat says so, or SIGTERM from the platform) interrupts OpenTofu gracefully
 * and the job reports `cancelled`.
 */
export async function runJob(settings: RunnerSettings, env: NodeJS.ProcessEnv, signals: { stop: AbortSignal }): Promise<RunnerOutcome> {
  const client = new JobClient(settings.apiUrl, settings.deploymentId, settings.jobToken);
  try {
    return await runWith(client, settings, env, signals);
  } finally {
    client.close();
  }
}

async function runWith(client: JobClient, settings: RunnerSettings, env: NodeJS.ProcessEnv, signals: { stop: AbortSignal }): Promise<RunnerOutcome> {
  const masker = new SecretMasker(settings.secretValues);
  const shipper = new LogShipper((lines) => client.logs(lines), masker, settings.logFlushMs);
  const resultId = randomUUID();
  const cancel = new AbortController();
  let cancelReason = "";
  const onStop = () => {
    if (!cancel.signal.aborted) {
      cancelReason = "the runner received SIGTERM (the job was stopped by its platform)";
      cancel.abort();
    }
  };
  signals.stop.addEventListener("abort", onStop, { once: true });

  let spec: JobSpec;
  try {
    spec = await client.start();
  } catch (err) {
    if (err instanceof UnauthorizedError) return { reported: false };
    throw err;
  }
  const heartbeat = setInterval(() => {
    client
      .heartbeat()
      .then((hb) => {
        if (hb.cancel_requested && !cancel.signal.aborted) {
          cancelReason = "cancel requested through porch";
          cancel.abort();
        }
      })
      .catch(() => undefined);
  }, settings.heartbeatMs);
  heartbeat.unref();

  const moduleDir = join(settings.workDir, "module");
  let result: JobResult;
  try {
    shipper.system(`porch runner: ${spec.mode} of ${spec.project_id}/${spec.env_id} (deployment ${spec.deployment_id}) on runner ${spec.runner_id}`);
    await rm(settings.workDir, { recursive: true, force: true });
    await mkdir(settings.workDir, { recursive: true });
    await unpackBundle(await client.bundle(), spec.bundle.digest, moduleDir);
    const binary = await resolveIacBinary({
      env,
      cacheDir: settings.tofuCacheDir,
      downloadBaseUrl: settings.tofuDownloadUrl,
      log: (t: string) => shipper.system(t),
    });
    if (cancel.signal.aborted) throw Object.assign(new Error(cancelReason), { cancelled: true });
    const iac = await runIac({
      binary,
      moduleDir,
      mode: spec.mode,
      inputs: spec.inputs,
      stateStorage: spec.state_storage,
      stateKey: { orgId: spec.org_id, projectId: spec.project_id, envId: spec.env_id },
      env: iacEnvironment(env),
      s3Endpoint: settings.s3Endpoint,
      signal: cancel.signal,
      log: (text, stream) => shipper.push(text, stream),
    });
    result = { result_id: resultId, ...iac };
    if (result.status === "cancelled") shipper.system(`porch runner: stopped (${cancelReason || "cancelled"})`);
  } catch (err) {
    if ((err as { cancelled?: boolean }).cancelled) {
      result = { ...failedResult(resultId, err), status: "cancelled", error: { category: "user", code: "cancelled", message: cancelReason } };
    } else {
      result = failedResult(resultId, err);
      shipper.system(`porch runner: ${result.error?.message ?? "failed"}`);
    }
  } finally {
    clearInterval(heartbeat);
    signals.stop.removeEventListener("abort", onStop);
  }

  result = masker.maskDeep(result);
  try {
    await shipper.close();
  } catch (err) {
    if (err instanceof UnauthorizedError) return { reported: false };
    throw err;
  }
  try {
    await client.result(result);
  } catch (err) {
    if (err instanceof UnauthorizedError) return { reported: false };
    throw err;
  } finally {
    await rm(settings.workDir, { recursive: true, force: true }).catch(() => undefined);
  }
  return { reported: true, status: result.status };
}
