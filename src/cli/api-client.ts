import type { ClientSettings } from "./client-settings.js";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Array<{ path: string; message: string }> = [],
  ) {
    super(message);
  }
}

/** Thin client of porch's HTTP API; errors keep the server's code and field paths. */
export class ApiClient {
  constructor(readonly settings: ClientSettings) {}

  orgPath(path: string): string {
    return `/orgs/${encodeURIComponent(this.settings.org)}${path}`;
  }

  async request<T>(method: string, path: string, body?: unknown, opts: { headers?: Record<string, string>; raw?: Buffer } = {}): Promise<T> {
    const res = await this.fetch(method, path, body, opts);
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async fetch(method: string, path: string, body?: unknown, opts: { headers?: Record<string, string>; raw?: Buffer; signal?: AbortSignal } = {}): Promise<Response> {
    const headers: Record<string, string> = { ...opts.headers };
    if (this.settings.token) headers.authorization = `Bearer ${this.settings.token}`;
    let payload: BodyInit | undefined;
    if (opts.raw) {
      headers["content-type"] = "application/gzip";
      payload = new Uint8Array(opts.raw);
    } else if (body !== undefined) {
      headers["content-type"] = "application/json";
      payload = JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await fetch(`${this.settings.url}${path}`, { method, headers, body: payload, signal: opts.signal });
    } catch (err) {
      throw new ApiError(0, "unreachable", `cannot reach porch at ${this.settings.url} (${(err as Error).cause ?? (err as Error).message}); is 'porch serve' running? Set --url or PORCH_URL`);
    }
    // HEAD 404 answers "does it exist?", not an error.
    if (!res.ok && !(method === "HEAD" && res.status === 404)) {
      const text = await res.text();
      let parsed: { error?: string; message?: string; details?: Array<{ path: string; message: string }> } = {};
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = { message: text };
      }
      const hint = res.status === 401 && !this.settings.token ? " (no token: set --token or PORCH_TOKEN, or run on the server's machine)" : "";
      throw new ApiError(res.status, parsed.error ?? `http_${res.status}`, `${parsed.message ?? res.statusText}${hint}`, parsed.details ?? []);
    }
    return res;
  }
}
