import { EventEmitter } from "node:events";
import type { DeploymentStatus } from "./model.js";

/**
 * In-process notifications so the scheduler and log followers react at once instead of polling.
 * Other replicas learn the same facts from the database on their next tick.
 */
export class DeploymentEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  statusChanged(id: string, status: DeploymentStatus): void {
    this.emitter.emit("status", id, status);
    this.emitter.emit(`status:${id}`, status);
  }

  logsAppended(id: string): void {
    this.emitter.emit(`logs:${id}`);
  }

  onStatus(listener: (id: string, status: DeploymentStatus) => void): () => void {
    this.emitter.on("status", listener);
    return () => this.emitter.off("status", listener);
  }

  /** Resolves on the next log append or status change of `id`, or after `timeoutMs`. */
  waitForActivity(id: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.emitter.off(`logs:${id}`, done);
        this.emitter.off(`status:${id}`, done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.emitter.on(`logs:${id}`, done);
      this.emitter.on(`status:${id}`, done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }
}
