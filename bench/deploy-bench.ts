import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { get as httpGet } from "node:http";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startPorch } from "../src/server/porch-server.js";
import { readServerSettings } from "../src/server/settings.js";
import { silentLogger } from "../src/util/logger.js";
import { bundleDirectory } from "../src/cli/bundle-dir.js";
import { fmt, summary } from "./stats.js";

/** A dedicated connection per stream: fetch's shared pool would queue the next requests behind them. */
function follow(url: string, authorization: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const req = httpGet(url, { agent: false, headers: { authorization } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolvePromise(body));
    });
    req.on("error", reject);
  });
}

/**
 * Issue 3: 50 environments deploying at once on the local runner, with an instant stand-in tofu so the
 * figures are porch's own: dispatch latency (create -> runner program spawned), result-to-visible
 * latency (result recorded -> a following client sees the end), runner overhead (spawn -> tofu init).
 */
export async function benchDeployments(opts: { envs: number; standbyCap?: number; databaseUrl?: string }): Promise<string[]> {
  const defaults = readServerSettings({});
  const cap = opts.standbyCap ?? defaults.localStandbyRunners;
  // The server keeps as many runner programs ready as the local runner may run at once (capped).
  const standby = Math.min(cap, opts.envs);
  const dataDir = mkdtempSync(join(tmpdir(), "porch-bench-deploy-"));
  const marks = join(dataDir, "tofu-marks.txt");
  const server = await startPorch({
    settings: { ...readServerSettings({}, { dataDir, port: 0 }), databaseUrl: opts.databaseUrl, localStandbyRunners: cap },
    logger: silentLogger,
    extraJobEnv: { PORCH_IAC_BINARY: resolve("bench/fixtures/tofu"), PORCH_BENCH_MARKS: marks },
    localJobBaseEnv: { PATH: process.env.PATH, HOME: process.env.HOME },
  });
  const token = readFileSync(server.adminTokenPath, "utf8").trim();
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const post = (path: string, body: unknown) => fetch(`${server.url}${path}`, { method: "POST", headers, body: JSON.stringify(body) }).then((r) => r.json());
  await post("/orgs", { id: "bench" });
  await post("/orgs/bench/runners", { id: "local", runner_configuration: { type: "local", max_concurrent_jobs: opts.envs }, state_storage_configuration: { type: "local" } });
  await post("/orgs/bench/runner-rules", { runner_id: "local" });
  await post("/orgs/bench/env-types", { id: "dev" });
  await post("/orgs/bench/projects", { id: "app" });
  for (let i = 0; i < opts.envs; i++) await post("/orgs/bench/projects/app/envs", { id: `env-${i}`, env_type_id: "dev" });
  // Let the standby runners finish booting, as they would have long before on a running server.
  await new Promise((r) => setTimeout(r, 200 * standby));
  const bundle = await bundleDirectory(resolve("examples/hello"));
  await fetch(`${server.url}/orgs/bench/bundles/${bundle.digest}`, { method: "PUT", headers: { ...headers, "content-type": "application/gzip" }, body: new Uint8Array(bundle.content) });

  const created = new Map<string, number>();
  const visibleAt = new Map<string, number>();
  await Promise.all(
    Array.from({ length: opts.envs }, async (_, i) => {
      const t0 = Date.now();
      const dep = (await post("/orgs/bench/deployments", { project_id: "app", env_id: `env-${i}`, bundle_digest: bundle.digest })) as { id: string };
      created.set(dep.id, t0);
      // Follow the logs like `porch deploy` does (each on its own connection, as separate CLI processes
      // would be); the end record is when the result became visible.
      const text = await follow(`${server.url}/orgs/bench/deployments/${dep.id}/logs?follow=true`, headers.authorization);
      visibleAt.set(dep.id, Date.now());
      if (!text.includes('"type":"end"')) throw new Error("log stream ended without an end record");
    }),
  );
  const concurrentIds = new Set(created.keys());
  // The same figures one deployment at a time: porch's own cost without 50 processes fighting for 2 cores.
  for (let i = 0; i < 10; i++) {
    const t0 = Date.now();
    const dep = (await post("/orgs/bench/deployments", { project_id: "app", env_id: "env-0", bundle_digest: bundle.digest })) as { id: string };
    created.set(dep.id, t0);
    await follow(`${server.url}/orgs/bench/deployments/${dep.id}/logs?follow=true`, headers.authorization);
    visibleAt.set(dep.id, Date.now());
  }
  const rows = await server.db.query<{ id: string; status: string; driver_handle: { started_at?: string }; finished_at: Date; created_at: Date; dispatched_at: Date }>(
    "SELECT id, status, error, driver_handle, finished_at, created_at, dispatched_at FROM deployments",
  );

  const tofuStart = new Map<string, number>();
  if (existsSync(marks)) {
    for (const line of readFileSync(marks, "utf8").trim().split("\n")) {
      const [cwd, ts] = line.split(" ");
      const id = /jobs\/([0-9a-f-]{36})\//.exec(cwd ?? "")?.[1];
      if (id && !tofuStart.has(id)) tofuStart.set(id, Number(ts));
    }
  }
  const figures = (ids: (id: string) => boolean) => {
    const dispatch: number[] = [];
    const visible: number[] = [];
    const overhead: number[] = [];
    const claim: number[] = [];
    for (const r of rows.rows.filter((row) => ids(row.id))) {
      if (r.status !== "succeeded") throw new Error(`bench deployment ${r.id} ended ${r.status}: ${JSON.stringify((r as { error?: unknown }).error)}`);
      const spawned = Date.parse(r.driver_handle.started_at ?? "");
      // From the moment the deployment exists (its row is written) to the runner process running.
      dispatch.push(spawned - new Date(r.created_at).getTime());
      claim.push(new Date(r.dispatched_at).getTime() - new Date(r.created_at).getTime());
      visible.push(visibleAt.get(r.id)! - new Date(r.finished_at).getTime());
      if (tofuStart.has(r.id)) overhead.push(tofuStart.get(r.id)! - spawned);
    }
    return { d: summary(dispatch), c: summary(claim), v: summary(visible), o: summary(overhead) };
  };
  const all = figures((id) => concurrentIds.has(id));
  const one = figures((id) => !concurrentIds.has(id));
  await server.close({ killJobs: true });
  rmSync(dataDir, { recursive: true, force: true });
  const lines = (f: typeof all) => [
    `  dispatch latency (deployment created -> runner program spawned): p50 ${fmt(f.d.p50)}, p99 ${fmt(f.d.p99)} (target p99 < 100 ms)`,
    `    of which created -> claimed by the scheduler: p50 ${fmt(f.c.p50)}, p99 ${fmt(f.c.p99)}`,
    `  result-to-visible (result recorded -> following client sees the end): p50 ${fmt(f.v.p50)}, p99 ${fmt(f.v.p99)} (target < 1 s)`,
    `  runner overhead (spawn -> tofu init starts): p50 ${fmt(f.o.p50)}, p99 ${fmt(f.o.p99)}, n=${f.o.n} (target < 500 ms)`,
  ];
  return [
    `Deployments on the local runner, ${opts.databaseUrl ? "PostgreSQL (DATABASE_URL)" : "embedded store"}, instant stand-in tofu (bench/fixtures/tofu), ${cpus().length} CPUs, PORCH_LOCAL_STANDBY_RUNNERS=${cap} (${standby} runner programs ready):`,
    ` ${opts.envs} environments deploying at once:`,
    ...lines(all),
    " one deployment at a time (10 in a row):",
    ...lines(one),
  ];
}
