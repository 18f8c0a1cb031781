import { spawn, type ChildProcess } from "node:child_process";
import { getPriority, setPriority } from "node:os";
import type { FromSpawner, ToSpawner } from "./spawner-protocol.js";

/** Entry point of the spawner helper process (see spawner-protocol.ts for why it exists). */
const children = new Map<string, ChildProcess>();
const send = (msg: FromSpawner) => process.send?.(msg);

function start(msg: Extract<ToSpawner, { type: "spawn" }>): void {
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (!line) continue;
      tail.push(line);
      if (tail.length > 20) tail.shift();
    }
  };
  // Its own process group: a Ctrl-C meant for `porch serve` must not also reach OpenTofu directly,
  // or OpenTofu would see two interrupts (the terminal's and the runner's) and abort hard.
  const child = spawn(msg.command, msg.args, { env: msg.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  child.once("error", (err) => send({ type: "spawn-failed", id: msg.id, message: err.message }));
  child.once("spawn", () => {
    children.set(msg.id, child);
    if (child.pid && msg.niceness > 0) {
      try {
        setPriority(child.pid, Math.min(19, getPriority(child.pid) + msg.niceness));
      } catch {
        // Not permitted here: jobs then share the CPU equally with the orchestrator.
      }
    }
    send({ type: "spawned", id: msg.id, pid: child.pid ?? -1 });
  });
  child.once("close", (code, signal) => {
    children.delete(msg.id);
    send({ type: "exit", id: msg.id, code, signal, tail });
  });
}

process.on("message", (msg: ToSpawner) => {
  if (msg.type === "spawn") start(msg);
  else if (msg.type === "kill") {
    try {
      children.get(msg.id)?.kill(msg.signal);
    } catch {
      // already gone
    }
  }
});
// The orchestrator went away: the jobs keep running (a restarted orchestrator re-attaches by pid).
process.on("disconnect", () => process.exit(0));
