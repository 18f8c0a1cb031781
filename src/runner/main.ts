import { readRunnerSettings } from "./settings.js";
import { runJob } from "./program.js";

/**
 * Entry point of the runner program (`node dist/runner/main.js`, the runner image's entrypoint).
 * Exit code 0 means a result was reported (whatever the deployment's outcome); anything else tells
 * the driver that the orchestrator must decide the outcome itself.
 */
async function main(): Promise<number> {
  const stop = new AbortController();
  for (const sig of ["SIGTERM", "SIGINT"] as const) process.on(sig, () => stop.abort());
  const settings = readRunnerSettings(process.env);
  const outcome = await runJob(settings, process.env, { stop: stop.signal });
  if (!outcome.reported) {
    process.stderr.write("porch runner: the orchestrator no longer accepts this job (it ended or its token is invalid)\n");
    return 3;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`porch runner: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
