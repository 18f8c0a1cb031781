import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { once } from "node:events";
import { ConfigError, InternalError } from "../errors/porch-error.js";

export interface TofuInvocation {
  binary: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Abort sends exactly one SIGINT, then waits for the process to exit. */
  signal?: AbortSignal;
  /** Called once if the abort sent SIGINT. */
  onInterrupt?: () => void;
  onStderrLine: (line: string) => void;
  /** Each stdout line as it arrives; leave out to collect stdout instead (e.g. `show -json`). */
  onStdoutLine?: (line: string) => void;
}

export interface TofuExit {
  exitCode: number | null;
  /** Set when the process died of a signal. */
  exitSignal: NodeJS.Signals | null;
  /** Collected stdout, when no onStdoutLine was given. */
  stdout: string;
}

/** Runs one tofu command; rejects only when the process cannot be started. */
export async function runTofu(inv: TofuInvocation): Promise<TofuExit> {
  const child = spawn(inv.binary, inv.args, { cwd: inv.cwd, env: inv.env, stdio: ["ignore", "pipe", "pipe"] });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", (err) => reject(spawnFailure(inv.binary, err)));
  });
  await spawned;
  // After a successful start, errors (e.g. a failed kill) are not fatal: "close" still reports the exit.
  child.on("error", () => undefined);

  let interrupted = false;
  const interrupt = () => {
    if (interrupted || child.exitCode !== null || child.signalCode !== null) return;
    interrupted = true;
    child.kill("SIGINT");
    inv.onInterrupt?.();
  };
  if (inv.signal?.aborted) interrupt();
  else inv.signal?.addEventListener("abort", interrupt, { once: true });

  const chunks: Buffer[] = [];
  const readers: Array<Promise<unknown>> = [];
  const stderr = createInterface({ input: child.stderr, crlfDelay: Infinity });
  stderr.on("line", inv.onStderrLine);
  readers.push(once(stderr, "close"));
  if (inv.onStdoutLine) {
    const stdout = createInterface({ input: child.stdout, crlfDelay: Infinity });
    stdout.on("line", inv.onStdoutLine);
    readers.push(once(stdout, "close"));
  } else {
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    readers.push(once(child.stdout, "end"));
  }

  try {
    const [exitCode, exitSignal] = (await once(child, "close")) as [number | null, NodeJS.Signals | null];
    await Promise.all(readers);
    return { exitCode, exitSignal, stdout: Buffer.concat(chunks).toString("utf8") };
  } finally {
    inv.signal?.removeEventListener("abort", interrupt);
  }
}

function spawnFailure(binary: string, err: NodeJS.ErrnoException) {
  if (err.code === "ENOENT") {
    return new ConfigError(`OpenTofu binary not found: '${binary}' does not exist; set PORCH_IAC_BINARY to an installed tofu`, "iac_binary_missing", err);
  }
  if (err.code === "EACCES") {
    return new ConfigError(`OpenTofu binary '${binary}' is not executable; fix its permissions or set PORCH_IAC_BINARY`, "iac_binary_not_executable", err);
  }
  return new InternalError(`could not start '${binary}': ${err.message}`, "iac_spawn_failed", err);
}
