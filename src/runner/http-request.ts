import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from "node:http";
import type { Agent as HttpsAgent } from "node:https";

export interface HttpResponse {
  status: number;
  body: Buffer;
}

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

/**
 * The runner program's HTTP client: node:http(s) with keep-alive. Not `fetch`, whose first use loads
 * undici (~60 ms of CPU per process on a small machine); fifty runners starting together would pay
 * that fifty times over for nothing fetch does better here (no redirects, no streaming bodies).
 */
export class HttpClient {
  private readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 4 });
  private httpsAgent: HttpsAgent | undefined;
  private httpsRequest: typeof httpRequest | undefined;

  async send(req: HttpRequest): Promise<HttpResponse> {
    const url = new URL(req.url);
    const secure = url.protocol === "https:";
    if (!secure && url.protocol !== "http:") throw new Error(`unsupported URL scheme ${url.protocol} in ${req.url}`);
    const send = secure ? await this.https() : httpRequest;
    const headers: Record<string, string> = { ...req.headers };
    if (req.body !== undefined) headers["content-length"] = String(Buffer.byteLength(req.body));
    const options: RequestOptions = { method: req.method, headers, agent: secure ? this.httpsAgent : this.httpAgent };
    return new Promise<HttpResponse>((resolve, reject) => {
      const r = send(url, options, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on("error", reject);
        res.on("aborted", () => reject(new Error(`${req.method} ${url.pathname}: the connection closed mid-response`)));
      });
      r.setTimeout(req.timeoutMs, () => r.destroy(new Error(`${req.method} ${url.pathname}: no answer within ${req.timeoutMs} ms`)));
      r.on("error", reject);
      r.end(req.body);
    });
  }

  private async https(): Promise<typeof httpRequest> {
    if (!this.httpsRequest) {
      const https = await import("node:https");
      this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 4 });
      this.httpsRequest = https.request as unknown as typeof httpRequest;
    }
    return this.httpsRequest;
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent?.destroy();
  }
}
