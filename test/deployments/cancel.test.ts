import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPorchHarness, type PorchHarness } from "../helpers/porch-harness.js";

let h: PorchHarness;
beforeAll(async () => {
  h = await startPorchHarness();
  await h.setup({ envs: ["dev", "qa"] });
});
afterAll(() => h.close());

describe("cancel", () => {
  it("interrupts OpenTofu while it runs, ends as cancelled and leaves no state lock", async () => {
    const d = await h.deploy("dev", "sleepy", { inputs: { seconds: "60s" } });
    await h.waitFor(d.id, ["running"]);
    // Wait until apply is under way (the sleep has started).
    for (let i = 0; i < 400; i++) {
      const lines = await h.logs(d.id);
      if (lines.some((l) => /time_sleep\.wait: Creating/.test(l.text))) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const cancelled = await h.api("POST", `/orgs/acme/deployments/${d.id}/actions/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.cancel_requested_at).not.toBeNull();
    const done = await h.waitFor(d.id);
    expect(done.status).toBe("cancelled");
    const text = (await h.logs(d.id)).map((l) => l.text).join("\n");
    expect(text).toMatch(/interrupt/i);
    const stateDir = join(h.dataDir, "state", "acme", "app", "dev");
    expect(existsSync(join(stateDir, ".terraform.tfstate.lock.info"))).toBe(false);
    // The next deployment of the environment runs normally: nothing was left locked.
    const next = await h.deploy("dev", "hello");
    expect((await h.waitFor(next.id)).status).toBe("succeeded");
    expect(JSON.parse(readFileSync(join(stateDir, "terraform.tfstate"), "utf8")).resources.length).toBeGreaterThan(0);
  });

  it("cancels a queued deployment at once", async () => {
    const running = await h.deploy("qa", "sleepy", { inputs: { seconds: "2s" } });
    const queued = await h.deploy("qa", "hello");
    const res = await h.api("POST", `/orgs/acme/deployments/${queued.id}/actions/cancel`);
    expect(res.body.status).toBe("cancelled");
    expect(res.body.started_at).toBeNull();
    expect((await h.waitFor(running.id)).status).toBe("succeeded");
  });

  it("is a no-op on a finished deployment", async () => {
    const d = await h.deploy("qa", "hello");
    await h.waitFor(d.id);
    const res = await h.api("POST", `/orgs/acme/deployments/${d.id}/actions/cancel`);
    expect(res.body.status).toBe("succeeded");
  });
});
