import type { LogLine } from "../jobs/protocol.js";
import type { SecretMasker } from "./secret-masker.js";

const MAX_LINE = 16_384;
const MAX_BATCH = 500;

/**
 * Numbers every line once, masks it, and ships batches strictly one after another. A batch is
 * retried with the same sequence numbers until the orchestrator acknowledges it, so a flaky network
 * neither loses nor duplicates lines, and order is kept.
 */
export class LogShipper {
  private seq = 0;
  private queue: LogLine[] = [];
  private sending: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private failed: unknown;

  constructor(
    private readonly send: (lines: LogLine[]) => Promise<unknown>,
    private readonly masker: SecretMasker,
    private readonly flushMs: number,
    private readonly echo?: (line: LogLine) => void,
  ) {}

  push(text: string, stream: LogLine["stream"] = "stdout"): void {
    for (const raw of text.split(/\r?\n/)) {
      const masked = this.masker.mask(raw);
      const line: LogLine = { seq: ++this.seq, ts: new Date().toISOString(), stream, text: masked.length > MAX_LINE ? `${masked.slice(0, MAX_LINE)}…` : masked };
      this.queue.push(line);
      this.echo?.(line);
    }
    if (this.queue.length >= MAX_BATCH) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.flushMs);
  }

  system(text: string): void {
    this.push(text, "system");
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.queue.length === 0) return;
    const batch = this.queue.splice(0, MAX_BATCH);
    this.sending = this.sending.then(async () => {
      if (this.failed) return;
      try {
        await this.send(batch);
      } catch (err) {
        this.failed = err;
      }
    });
    if (this.queue.length > 0) this.flush();
  }

  /** Sends everything still queued; throws if any batch could not be delivered. */
  async close(): Promise<void> {
    this.flush();
    await this.sending;
    if (this.failed) throw this.failed;
  }
}
