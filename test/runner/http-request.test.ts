import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpClient } from "../../src/runner/http-request.js";

const CERT = resolve("test/fixtures/tls/test-only.crt");
const KEY = resolve("test/fixtures/tls/test-only.key");

/** Echoes method, path, auth header, body, and which connection served the request. */
function echo(req: IncomingMessage, res: ServerResponse): void {
  let body = "";
  req.on("data", (c: Buffer) => (body += c.toString("utf8")));
  req.on("end", () => {
    if (req.url === "/slow") return; // never answers
    const socket = req.socket as typeof req.socket & { porchId?: number };
    res.writeHead(req.url === "/missing" ? 404 : 200, { "content-type": "application/json" });
    res.end(JSON.stringify({ method: req.method, url: req.url, auth: req.headers.authorization ?? null, body, connection: socket.porchId }));
  });
}

let connections = 0;
const https = createHttpsServer({ cert: readFileSync(CERT), key: readFileSync(KEY) }, echo);
const http = createHttpServer(echo);
for (const s of [https, http]) s.on("connection", (sock: { porchId?: number }) => (sock.porchId = ++connections));
const url = (s: typeof http | typeof https, scheme: string) => `${scheme}://127.0.0.1:${(s.address() as AddressInfo).port}`;

beforeAll(async () => {
  await new Promise<void>((r) => https.listen(0, "127.0.0.1", () => r()));
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", () => r()));
});
afterAll(async () => {
  https.closeAllConnections();
  http.closeAllConnections();
  await new Promise((r) => https.close(r));
  await new Promise((r) => http.close(r));
});

describe("the runner program's HTTP client", () => {
  it("sends method, headers and body over http and keeps the connection for the next call", async () => {
    const client = new HttpClient();
    try {
      const first = await client.send({ method: "POST", url: `${url(http, "http")}/job/x`, headers: { authorization: "Bearer t" }, body: '{"a":1}', timeoutMs: 5000 });
      const second = await client.send({ method: "GET", url: `${url(http, "http")}/job/y`, timeoutMs: 5000 });
      const a = JSON.parse(first.body.toString("utf8"));
      const b = JSON.parse(second.body.toString("utf8"));
      expect(first.status).toBe(200);
      expect(a).toMatchObject({ method: "POST", url: "/job/x", auth: "Bearer t", body: '{"a":1}' });
      expect(b).toMatchObject({ method: "GET", url: "/job/y", body: "" });
      expect(b.connection).toBe(a.connection);
    } finally {
      client.close();
    }
  });

  it("returns error statuses to the caller and gives up on a server that does not answer in time", async () => {
    const client = new HttpClient();
    try {
      expect((await client.send({ method: "GET", url: `${url(http, "http")}/missing`, timeoutMs: 5000 })).status).toBe(404);
      await expect(client.send({ method: "GET", url: `${url(http, "http")}/slow`, timeoutMs: 200 })).rejects.toThrow(/no answer within 200 ms/);
      await expect(client.send({ method: "GET", url: "ftp://127.0.0.1/x", timeoutMs: 200 })).rejects.toThrow(/unsupported URL scheme/);
    } finally {
      client.close();
    }
  });

  it("speaks https (a Fargate task reaches porch by its public https URL), trusting NODE_EXTRA_CA_CERTS", async () => {
    // NODE_EXTRA_CA_CERTS is read when Node starts, so the client runs in its own process, as the runner does.
    const script = `
      const { HttpClient } = await import(${JSON.stringify(resolve("dist/runner/http-request.js"))});
      const c = new HttpClient();
      const r = await c.send({ method: "POST", url: process.argv[1] + "/job/tls", body: "hi", timeoutMs: 5000 });
      process.stdout.write(JSON.stringify({ status: r.status, body: r.body.toString("utf8") }));
      c.close();`;
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script, url(https, "https")], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: CERT },
    });
    const out = JSON.parse(stdout);
    expect(out.status).toBe(200);
    expect(JSON.parse(out.body)).toMatchObject({ method: "POST", url: "/job/tls", body: "hi" });
    // Without trusting the certificate the same call must fail: TLS is verified, not skipped.
    await expect(run(process.execPath, ["--input-type=module", "-e", script, url(https, "https")], { env: { ...process.env, NODE_EXTRA_CA_CERTS: "" } })).rejects.toThrow(
      /self-signed|self signed|certificate/i,
    );
  });
});
