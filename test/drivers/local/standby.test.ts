import { existsSync, readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalDriver } from "../../../src/drivers/local/local-driver.js";
import { startPorchHarness, type PorchHarness } from "../../helpers/porch-harness.js";

/** Processes whose parent is `ppid`, with their command lines (Linux /proc). */
function childrenOf(ppid: number): Array<{ pid: number; cmd: string }> {
  const out: Array<{ pid: number; cmd: string }> = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (parent === ppid) out.push({ pid: Number(entry), cmd: readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ") });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

function idleRunnerPids(): number[] {
  const spawner = childrenOf(process.pid).find((p) => p.cmd.includes("spawner-process"));
  if (!spawner) return [];
  return childrenOf(spawner.pid)
    .filter((p) => p.cmd.includes("porch-runner.mjs"))
    .map((p) => p.pid);
}

async function until<T>(what: string, read: () => T | Promise<T>, ok: (v: T) => boolean): Promise<T> {
  let last: T = await read();
  for (let i = 0; i < 300 && !ok(last); i++) {
    await new Promise((r) => setTimeout(r, 50));
    last = await read();
  }
  if (!ok(last)) throw new Error(`${what}: still ${JSON.stringify(last)}`);
  return last;
}

let h: PorchHarness;
let driver: LocalDriver;
beforeAll(async () => {
  h = await startPorchHarness({ settings: { localStandbyRunners: 12 } as never });
  driver = h.server.drivers.get("local") as LocalDriver;
});
afterAll(() => h.close());

describe("standby runner programs of the local runner type", () => {
  it("keeps as many ready as the local runners may run at once, capped by PORCH_LOCAL_STANDBY_RUNNERS", async () => {
    expect(driver.standbyCount).toBe(0);
    await h.setup();
    // One runner at the default of 4 concurrent jobs.
    await until("standby after the first runner", () => driver.standbyCount, (n) => n === 4);
    await h.api("POST", "/orgs/acme/runners", { id: "wide", runner_configuration: { type: "local", max_concurrent_jobs: 10 }, state_storage_configuration: { type: "local" } });
    await until("standby capped at 12", () => driver.standbyCount, (n) => n === 12);
    await h.api("PATCH", "/orgs/acme/runners/wide", { runner_configuration: { type: "local", max_concurrent_jobs: 2 } });
    await until("standby after narrowing", () => driver.standbyCount, (n) => n === 6);
    await h.api("DELETE", "/orgs/acme/runners/wide");
    await until("standby after deleting", () => driver.standbyCount, (n) => n === 4);
  });

  it.skipIf(!existsSync("/proc/self/stat"))("hands a job to a runner program booted before the deployment existed", async () => {
    const ready = await until("four booted standby runners", idleRunnerPids, (pids) => pids.length === 4);
    const dep = await h.deploy("dev", "hello");
    const done = await h.waitFor(dep.id);
    expect(done.status).toBe("succeeded");
    const { rows } = await h.server.db.query<{ driver_handle: { pid: number } }>("SELECT driver_handle FROM deployments WHERE id = $1", [dep.id]);
    expect(ready).toContain(rows[0]!.driver_handle.pid);
    // The pool is refilled after the job took one.
    await until("pool refilled", idleRunnerPids, (pids) => pids.length === 4 && !pids.includes(rows[0]!.driver_handle.pid));
  });

  it.skipIf(!existsSync("/proc/self/stat"))("ends surplus standby runners when fewer are wanted", async () => {
    await until("four standby runners", idleRunnerPids, (pids) => pids.length === 4);
    // No local runner left that could use them (the rule goes first: it references the runner).
    const rules = await h.api<{ items: Array<{ id: string }> }>("GET", "/orgs/acme/runner-rules");
    for (const r of rules.body.items) await h.api("DELETE", `/orgs/acme/runner-rules/${r.id}`);
    expect((await h.api("DELETE", "/orgs/acme/runners/local")).status).toBeLessThan(300);
    await until("no standby runners", idleRunnerPids, (pids) => pids.length === 0);
    expect(driver.standbyCount).toBe(0);
  });
});
