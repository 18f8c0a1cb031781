import { readRunnerSettings } from "./settings.js";
import { runJob } from "./program.js";

/**
 * Entry point of the runner program (bundled into `dist/runner-bundle/porch-runner.mjs`: the local
 * runner starts it per job and it is the runner image's entrypoint).
 * Exit code 0 means a result was reported (whatever the deployment's outcome); anything else tells
 * the driver that the orchestrator must decide the outcome itself.
 */
/**
 * Standby (PORCH_RUNNER_STANDBY=1): the local driver starts runner programs ahead of time; the job's
 * variables arrive as one JSON line on stdin, which also keeps the job token out of the process's
 * initial environment. A closed stdin means "not needed": exit quietly.
 */
async function jobVariablesFromStdin(): Promise<Record<string, string> | null> {
  let buf = "";
  for await (const chunk of process.stdin) {
    buf += String(chunk);
    const nl = buf.indexOf("\n");
    if (nl >= 0) return JSON.parse(buf.slice(0, nl)) as Record<string, string>;
  }
  return buf.trim() ? (JSON.parse(buf) as Record<string, string>) : null;
}

async function main(): Promise<number> {
  if (process.env.PORCH_RUNNER_STANDBY === "1") {
    delete process.env.PORCH_RUNNER_STANDBY;
    const vars = await jobVariablesFromStdin();
    if (!vars) return 0;
    Object.assign(process.env, vars);
  }
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
