/**
 * A launcher for the fake ECS that runs a task's container as a local Node.js process:
 * `node <scriptPath>` with the task's environment. Useful to run porch's runner program
 * (`dist/runner-bundle/porch-runner.mjs`, the runner image's entrypoint) or a small test script as if Fargate had started it.
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";
import type { FakeProcess, FakeProcessExit, FakeTaskLaunch } from "./types.js";

/** Host variables a process needs to run at all; a Fargate container gets its own, nothing else leaks in. */
const INHERITED_HOST_VARIABLES = ["PATH", "HOME", "TMPDIR", "TMP", "TEMP", "LANG", "LC_ALL", "TZ", "SystemRoot", "NODE_EXTRA_CA_CERTS"];
const MAX_KEPT_OUTPUT = 64 * 1024;

export interface NodeFakeProcess extends FakeProcess {
  /** The last 64 KiB of the process's stdout and stderr, interleaved, for test diagnostics. */
  output(): string;
}

/**
 * @param extraEnv added after the task's environment (so a test can point the process at other fakes).
 */
export function nodeProcessLauncher(scriptPath: string, extraEnv: Record<string, string> = {}): (task: FakeTaskLaunch) => NodeFakeProcess {
  return (task) => {
    const host = Object.fromEntries(INHERITED_HOST_VARIABLES.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]]])));
    const child = spawn(process.execPath, [scriptPath], { env: { ...host, ...task.env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-MAX_KEPT_OUTPUT);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const exited = new Promise<FakeProcessExit>((resolve) => {
      child.once("error", (err) => resolve({ exitCode: 127, reason: `CannotStartContainerError: ${err.message}` }));
      child.once("close", (code, signal) => resolve({ exitCode: code ?? signalExitCode(signal) }));
    });
    return {
      exited,
      stop(signal) {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      },
      output: () => output,
    };
  };
}

/** Like a container runtime reports a process killed by a signal: 128 + the signal number. */
function signalExitCode(signal: NodeJS.Signals | null): number {
  return signal ? 128 + (constants.signals[signal] ?? 0) : 1;
}
