import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPorch } from "../src/server/porch-server.js";
import { readServerSettings } from "../src/server/settings.js";
import { silentLogger } from "../src/util/logger.js";
import { fmt, summary } from "./stats.js";

/** Issue 2: create + get runner, 50 concurrent clients, embedded store. */
export async function benchApi(opts: { clients: number; perClient: number }): Promise<string[]> {
  const dataDir = mkdtempSync(join(tmpdir(), "porch-bench-api-"));
  const server = await startPorch({ settings: { ...readServerSettings({}, { dataDir, port: 0 }), databaseUrl: undefined }, logger: silentLogger });
  const token = readFileSync(server.adminTokenPath, "utf8").trim();
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  await fetch(`${server.url}/orgs`, { method: "POST", headers, body: JSON.stringify({ id: "bench" }) });
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: opts.clients }, async (_, c) => {
      for (let i = 0; i < opts.perClient; i++) {
        const id = `runner-${c}-${i}`;
        const t0 = performance.now();
        const created = await fetch(`${server.url}/orgs/bench/runners`, {
          method: "POST",
          headers,
          body: JSON.stringify({
            id,
            runner_configuration: {
              type: "serverless-ecs",
              auth: { role_arn: "arn:aws:iam::123456789012:role/orch" },
              job: { region: "eu-central-1", cluster: "c", subnets: ["subnet-1"], execution_role_arn: "arn:aws:iam::123456789012:role/exec" },
            },
            state_storage_configuration: { type: "s3", bucket: "state-bucket" },
          }),
        });
        if (created.status !== 201) throw new Error(`create failed: ${created.status} ${await created.text()}`);
        await created.arrayBuffer();
        const got = await fetch(`${server.url}/orgs/bench/runners/${id}`, { headers });
        if (got.status !== 200) throw new Error(`get failed: ${got.status}`);
        await got.arrayBuffer();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
  const s = summary(latencies);
  return [
    `API create+get runner (${opts.clients} concurrent clients, ${s.n} pairs, embedded store):`,
    `  latency per create+get pair: p50 ${fmt(s.p50)}, p99 ${fmt(s.p99)}, max ${fmt(s.max)}`,
    `  throughput: ${(s.n / elapsed).toFixed(0)} create+get pairs/s (${((2 * s.n) / elapsed).toFixed(0)} requests/s)`,
  ];
}
