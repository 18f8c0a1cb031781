import { fork, type ChildProcess } from "node:child_process";
import type { FromSpawner, ToSpawner } from "./spawner-protocol.js";
import { spawnerProcessPath } from "./runner-program-path.js";

export interface Started {
  pid: number;
  /** Epoch ms, as the spawner saw it (the orchestrator may hear of it later when busy). */
  startedAt: number;
}

export interface SpawnerEvents {
  exited(id: string, code: number | null, signal: NodeJS.Signals | null, tail: string[]): void;
  /** The helper died: exits of the jobs it started will not be reported by it any more. */
  lost(): void;
}

/** The orchestrator's side of the spawner helper process; started on first use, restarted if it dies. */
export class Spawner {
  private proc: ChildProcess | null = null;
  private everStarted = false;
  private readonly pending = new Map<string, { resolve(started: Started): void; reject(err: Error): void }>();

  constructor(private readonly events: SpawnerEvents) {}

  /** Starts the helper ahead of the first job, so that job does not wait for a Node.js boot. */
  warm(): void {
    try {
      this.ensure();
    } catch {
      // Reported with its cause by the first spawn() instead.
    }
  }

  /** A restarted helper must be told about standby runners again. */
  onRestart?: () => void;

  private ensure(): ChildProcess {
    if (this.proc && this.proc.connected) return this.proc;
    const restarted = this.everStarted;
    this.everStarted = true;
    const proc = fork(spawnerProcessPath(), [], { stdio: ["ignore", "inherit", "inherit", "ipc"], serialization: "json" });
    proc.on("message", (msg: FromSpawner) => this.onMessage(msg));
    proc.once("exit", () => {
      if (this.proc !== proc) return;
      this.proc = null;
      for (const [id, p] of this.pending) {
        p.reject(new Error("the local runner's spawner process exited"));
        this.pending.delete(id);
      }
      this.events.lost();
    });
    // Never keep the orchestrator alive just for its helper.
    proc.unref();
    proc.channel?.unref();
    this.proc = proc;
    if (restarted) queueMicrotask(() => this.onRestart?.());
    return proc;
  }

  private onMessage(msg: FromSpawner): void {
    if (msg.type === "exit") {
      this.events.exited(msg.id, msg.code, msg.signal, msg.tail);
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.type === "spawned") p.resolve({ pid: msg.pid, startedAt: msg.startedAt });
    else p.reject(new Error(msg.message));
  }

  /** Keeps `count` runner programs booted and waiting (see spawner-protocol.ts). */
  standby(count: number, command: string, args: string[], env: Record<string, string>, niceness: number): void {
    try {
      const msg: ToSpawner = { type: "standby", count, command, args, env, niceness };
      this.ensure().send(msg);
    } catch {
      // Jobs then start cold; spawn() reports any real problem.
    }
  }

  spawn(id: string, command: string, args: string[], env: Record<string, string>, jobEnv: Record<string, string>, niceness: number): Promise<Started> {
    const proc = this.ensure();
    return new Promise<Started>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const msg: ToSpawner = { type: "spawn", id, command, args, env, jobEnv, niceness };
      proc.send(msg, (err) => {
        if (err) {
          this.pending.delete(id);
          reject(err);
        }
      });
    });
  }

  close(): void {
    const proc = this.proc;
    this.proc = null;
    if (proc?.connected) proc.disconnect();
  }
}
