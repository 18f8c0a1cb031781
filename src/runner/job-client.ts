import { PorchError, TransientError, UnauthorizedError, ConfigError } from "../errors/porch-error.js";
import { jobSpecSchema, type JobResult, type JobSpec, type LogLine } from "../jobs/protocol.js";
import { HttpClient, type HttpResponse } from "./http-request.js";

export interface RetryPolicy {
  attempts: number;
  baseMs: number;
  maxMs: number;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 12, baseMs: 100, maxMs: 5000 };

function json(res: HttpResponse): unknown {
  try {
    return JSON.parse(res.body.toString("utf8"));
  } catch (err) {
    throw new TransientError(`the orchestrator answered with invalid JSON (HTTP ${res.status})`, "job_protocol_unavailable", err);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * The runner program's side of the job protocol. Every call is idempotent on the server, so any
 * failure that might be the network (connection errors, timeouts, 5xx, 429) is retried with
 * exponential backoff and full jitter; 401 means the deployment ended and is final.
 */
export class JobClient {
  private readonly http = new HttpClient();

  constructor(
    private readonly apiUrl: string,
    private readonly deploymentId: string,
    private readonly token: string,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
    private readonly requestTimeoutMs = 15_000,
  ) {}

  private url(path: string): string {
    return `${this.apiUrl}/job/v1/deployments/${this.deploymentId}/${path}`;
  }

  private async call(method: "GET" | "POST", path: string, body?: unknown): Promise<HttpResponse> {
    let lastError: unknown;
    for (let attempt = 0; attempt < this.retry.attempts; attempt++) {
      if (attempt > 0) {
        const cap = Math.min(this.retry.maxMs, this.retry.baseMs * 2 ** attempt);
        await sleep(Math.random() * cap);
      }
      try {
        const res = await this.http.send({
          method,
          url: this.url(path),
          headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
          body: body !== undefined ? JSON.stringify(body) : undefined,
          timeoutMs: this.requestTimeoutMs,
        });
        if (res.status >= 200 && res.status < 300) return res;
        const text = res.body.toString("utf8");
        if (res.status === 401) throw new UnauthorizedError(`the orchestrator rejected the job token: ${text}`);
        if (res.status >= 500 || res.status === 429 || res.status === 408) {
          lastError = new TransientError(`${method} ${path}: HTTP ${res.status} ${text}`, "job_protocol_unavailable");
          continue;
        }
        throw new ConfigError(`${method} ${path} was refused: HTTP ${res.status} ${text}`, "job_protocol_refused");
      } catch (err) {
        if (err instanceof PorchError && !err.retryable) throw err;
        lastError = err;
      }
    }
    throw new TransientError(
      `could not reach the orchestrator at ${this.apiUrl} after ${this.retry.attempts} attempts: ${(lastError as Error)?.message ?? lastError}`,
      "orchestrator_unreachable",
      lastError,
    );
  }

  async start(): Promise<JobSpec> {
    const res = await this.call("POST", "start", {});
    return jobSpecSchema.parse(json(res));
  }

  async bundle(): Promise<Buffer> {
    const res = await this.call("GET", "bundle");
    return res.body;
  }

  async logs(lines: LogLine[]): Promise<number> {
    const res = await this.call("POST", "logs", { lines });
    return (json(res) as { stored_through: number }).stored_through;
  }

  async heartbeat(): Promise<{ cancel_requested: boolean }> {
    const res = await this.call("POST", "heartbeat", {});
    return json(res) as { cancel_requested: boolean };
  }

  async result(result: JobResult): Promise<void> {
    await this.call("POST", "result", result);
  }

  /** Idle keep-alive connections would otherwise hold the process open. */
  close(): void {
    this.http.close();
  }
}
