import { createServer, request, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPorchHarness, type PorchHarness } from "../helpers/porch-harness.js";

/**
 * A proxy between the runner program and porch that loses 30 % of job-protocol exchanges: half of
 * them before porch sees the request, half after porch handled it (the response is lost), which is
 * the case idempotency has to survive.
 */
function lossyProxy(target: () => string, lossRate: number, seed = 42): Promise<{ server: Server; url: string; dropped: () => number }> {
  let state = seed;
  const rnd = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  let dropped = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const lose = req.url?.startsWith("/job/") && rnd() < lossRate;
      const before = lose && rnd() < 0.5;
      if (before) {
        dropped++;
        req.socket.destroy();
        return;
      }
      const up = new URL(target());
      const fwd = request({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
        const body: Buffer[] = [];
        upRes.on("data", (c: Buffer) => body.push(c));
        upRes.on("end", () => {
          if (lose) {
            dropped++;
            res.socket?.destroy();
            return;
          }
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          res.end(Buffer.concat(body));
        });
      });
      fwd.on("error", () => res.socket?.destroy());
      fwd.end(Buffer.concat(chunks));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      resolve({ server, url: `http://127.0.0.1:${port}`, dropped: () => dropped });
    }),
  );
}

let h: PorchHarness;
let proxy: Awaited<ReturnType<typeof lossyProxy>>;
beforeAll(async () => {
  proxy = await lossyProxy(() => h.server.url, 0.3);
  h = await startPorchHarness({ publicUrl: proxy.url });
  await h.setup({ envs: ["dev"] });
});
afterAll(async () => {
  await h.close();
  proxy.server.close();
});

describe("job protocol over a lossy network", () => {
  it("delivers the result and every log line exactly once, in order, with 30 % of requests lost", async () => {
    const d = await h.deploy("dev", "hello", { inputs: { name: "flaky" } });
    const done = await h.waitFor(d.id);
    expect(done.status, JSON.stringify(done.error)).toBe("succeeded");
    expect(done.outputs.greeting.value).toBe("hello flaky");
    expect(proxy.dropped()).toBeGreaterThan(0);
    const lines = await h.logs(d.id);
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1));
    const texts = lines.map((l) => l.text);
    expect(texts.filter((t) => t.startsWith("$ tofu init")).length).toBe(1);
    expect(texts.filter((t) => t.startsWith("$ tofu apply")).length).toBe(1);
    expect(texts.findIndex((t) => t.startsWith("$ tofu init"))).toBeLessThan(texts.findIndex((t) => t.startsWith("$ tofu apply")));
  });
});
