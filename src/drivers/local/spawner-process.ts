import { spawn, type ChildProcess } from "node:child_process";
import { getPriority, setPriority } from "node:os";
import type { FromSpawner, ToSpawner } from "./spawner-protocol.js";

/** Entry point of the spawner helper process (see spawner-protocol.ts for why it exists). */
const children = new Map<string, ChildProcess>();
// The orchestrator may be gone (it exits, or closes the channel) while a job's exit is reported:
// nothing to tell then, and no reason to crash over it.
const send = (msg: FromSpawner) => {
  if (process.connected) process.send?.(msg, undefined, undefined, () => undefined);
};

interface Launched {
  child: ChildProcess;
  /** Epoch ms when spawn() returned: the program has been exec'd. */
  startedAt: number;
  tail: string[];
  /** Set once the process belongs to a job. */
  id?: string;
}

type StandbyConfig = Extract<ToSpawner, { type: "standby" }>;
let standbyConfig: StandbyConfig | null = null;
const idle: Launched[] = [];

function launch(command: string, args: string[], env: Record<string, string>, niceness: number, withStdin: boolean): Launched {
  const launched: Launched = { child: null as unknown as ChildProcess, startedAt: 0, tail: [] };
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (!line) continue;
      launched.tail.push(line);
      if (launched.tail.length > 20) launched.tail.shift();
    }
  };
  // Its own process group: a Ctrl-C meant for `porch serve` must not also reach OpenTofu directly,
  // or OpenTofu would see two interrupts (the terminal's and the runner's) and abort hard.
  const child = spawn(command, args, { env, stdio: [withStdin ? "pipe" : "ignore", "pipe", "pipe"], detached: true });
  launched.child = child;
  launched.startedAt = Date.now();
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  child.stdin?.on("error", () => undefined);
  child.once("spawn", () => {
    if (child.pid && niceness > 0) {
      try {
        setPriority(child.pid, Math.min(19, getPriority(child.pid) + niceness));
      } catch {
        // Not permitted here: jobs then share the CPU equally with the orchestrator.
      }
    }
  });
  child.once("close", (code, signal) => {
    const at = idle.indexOf(launched);
    if (at >= 0) idle.splice(at, 1);
    if (launched.id === undefined) return;
    children.delete(launched.id);
    send({ type: "exit", id: launched.id, code, signal, tail: launched.tail });
  });
  return launched;
}

/** Booting runners take CPU from running jobs and the server: a few at a time, then the next few. */
const REFILL_BATCH = 4;
const REFILL_PAUSE_MS = 150;

let refillTimer: NodeJS.Timeout | undefined;

function refillStandby(): void {
  const cfg = standbyConfig;
  if (!cfg) return;
  // Fewer wanted now: the surplus reads end-of-input and exits quietly.
  while (idle.length > cfg.count) idle.pop()!.child.stdin?.end();
  for (let n = 0; n < REFILL_BATCH && idle.length < cfg.count; n++) {
    const launched = launch(cfg.command, cfg.args, { ...cfg.env, PORCH_RUNNER_STANDBY: "1" }, cfg.niceness, true);
    launched.child.once("error", () => {
      const at = idle.indexOf(launched);
      if (at >= 0) idle.splice(at, 1);
    });
    idle.push(launched);
  }
  if (idle.length < cfg.count) scheduleRefill(REFILL_PAUSE_MS);
}

/**
 * Each start blocks this process for a fork (~2-30 ms, more under load); during a burst of jobs that
 * would delay handing the next job to a waiting runner, so refills wait until the burst has passed.
 */
function scheduleRefill(afterMs: number): void {
  if (refillTimer) clearTimeout(refillTimer);
  refillTimer = setTimeout(() => {
    refillTimer = undefined;
    refillStandby();
  }, afterMs);
}

function start(msg: Extract<ToSpawner, { type: "spawn" }>): void {
  const cfg = standbyConfig;
  const fits = cfg && cfg.command === msg.command && cfg.args.join("\0") === msg.args.join("\0");
  const ready = fits ? idle.find((l) => l.child.pid !== undefined && l.child.exitCode === null) : undefined;
  if (ready) {
    idle.splice(idle.indexOf(ready), 1);
    ready.id = msg.id;
    children.set(msg.id, ready.child);
    ready.child.stdin?.end(`${JSON.stringify(msg.jobEnv)}\n`);
    send({ type: "spawned", id: msg.id, pid: ready.child.pid!, startedAt: Date.now() });
    scheduleRefill(250);
    return;
  }
  const launched = launch(msg.command, msg.args, msg.env, msg.niceness, false);
  launched.child.once("error", (err) => send({ type: "spawn-failed", id: msg.id, message: err.message }));
  launched.child.once("spawn", () => {
    launched.id = msg.id;
    children.set(msg.id, launched.child);
    send({ type: "spawned", id: msg.id, pid: launched.child.pid ?? -1, startedAt: launched.startedAt });
  });
}

process.on("message", (msg: ToSpawner) => {
  if (msg.type === "standby") {
    standbyConfig = msg;
    refillStandby();
  } else if (msg.type === "spawn") start(msg);
  else if (msg.type === "kill") {
    try {
      children.get(msg.id)?.kill(msg.signal);
    } catch {
      // already gone
    }
  }
});
// The orchestrator went away: jobs keep running (a restarted orchestrator re-attaches by pid); standby
// runners see their stdin close and exit.
process.on("disconnect", () => {
  for (const l of idle) l.child.stdin?.end();
  process.exit(0);
});
