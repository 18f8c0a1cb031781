import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPorchHarness, type PorchHarness } from "../helpers/porch-harness.js";

let h: PorchHarness;
beforeAll(async () => {
  h = await startPorchHarness();
  await h.setup({ envs: ["one", "two"] });
});
afterAll(() => h.close());

const ms = (s: string) => new Date(s).getTime();

describe("scheduling", () => {
  it("never runs two deployments of one environment together, in order; different environments run concurrently", async () => {
    const a1 = await h.deploy("one", "sleepy", { inputs: { seconds: "1s" } });
    const a2 = await h.deploy("one", "sleepy", { inputs: { seconds: "1s" } });
    const a3 = await h.deploy("one", "hello");
    const b1 = await h.deploy("two", "sleepy", { inputs: { seconds: "1s" } });
    const [d1, d2, d3, e1] = await Promise.all([a1, a2, a3, b1].map((d) => h.waitFor(d.id)));
    for (const d of [d1, d2, d3, e1]) expect(d.status, JSON.stringify(d.error)).toBe("succeeded");
    // Same environment: strictly one after the other, in creation order.
    expect(ms(d2.dispatched_at)).toBeGreaterThanOrEqual(ms(d1.finished_at));
    expect(ms(d3.dispatched_at)).toBeGreaterThanOrEqual(ms(d2.finished_at));
    // Other environment: started while the first one was still running.
    expect(ms(e1.started_at)).toBeLessThan(ms(d1.finished_at));
  });

  it("records the resolved runner and a snapshot of its configuration", async () => {
    const d = await h.deploy("two", "hello");
    expect(d.runner_id).toBe("local");
    expect(d.runner_snapshot).toEqual({ runner_configuration: { type: "local" }, state_storage_configuration: { type: "local" } });
    await h.waitFor(d.id);
  });

  it("claims a deployment to an idle environment in its create request; one to a busy environment waits in the queue", async () => {
    await h.api("POST", "/orgs/acme/projects/app/envs", { id: "idle", env_type_id: "development" });
    const first = await h.deploy("idle", "sleepy", { inputs: { seconds: "1s" } });
    expect(first.status).toBe("dispatching");
    expect(first.dispatched_at).not.toBeNull();
    const second = await h.deploy("idle", "hello");
    expect(second.status).toBe("queued");
    const [d1, d2] = await Promise.all([h.waitFor(first.id), h.waitFor(second.id)]);
    expect(d1.status).toBe("succeeded");
    expect(d2.status).toBe("succeeded");
    expect(ms(d2.dispatched_at)).toBeGreaterThanOrEqual(ms(d1.finished_at));
  });

  it("keeps the runner's concurrency limit", async () => {
    await h.api("POST", "/orgs/acme/runners", { id: "single", runner_configuration: { type: "local", max_concurrent_jobs: 1 }, state_storage_configuration: { type: "local" } });
    await h.api("POST", "/orgs/acme/env-types", { id: "narrow" });
    await h.api("POST", "/orgs/acme/runner-rules", { runner_id: "single", env_type_id: "narrow" });
    await h.api("POST", "/orgs/acme/projects/app/envs", { id: "n1", env_type_id: "narrow" });
    await h.api("POST", "/orgs/acme/projects/app/envs", { id: "n2", env_type_id: "narrow" });
    const x = await h.deploy("n1", "sleepy", { inputs: { seconds: "1s" } });
    const y = await h.deploy("n2", "sleepy", { inputs: { seconds: "1s" } });
    const [dx, dy] = await Promise.all([h.waitFor(x.id), h.waitFor(y.id)]);
    const [first, second] = ms(dx.dispatched_at) <= ms(dy.dispatched_at) ? [dx, dy] : [dy, dx];
    expect(ms(second.dispatched_at)).toBeGreaterThanOrEqual(ms(first.finished_at));
  });

  it("returns the same deployment for a retried create with the same Idempotency-Key", async () => {
    const digest = await h.upload("hello");
    const body = { project_id: "app", env_id: "two", bundle_digest: digest };
    const first = await h.api("POST", "/orgs/acme/deployments", body, { "idempotency-key": "retry-me" });
    const again = await h.api("POST", "/orgs/acme/deployments", body, { "idempotency-key": "retry-me" });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const other = await h.api("POST", "/orgs/acme/deployments", { ...body, mode: "plan_only" }, { "idempotency-key": "retry-me" });
    expect(other.status).toBe(409);
    await h.waitFor(first.body.id);
  });

  it("stores an uploaded bundle once", async () => {
    await h.upload("hello");
    await h.upload("hello");
    const rows = await h.server.db.query("SELECT count(*)::int AS n FROM bundles WHERE org_id = 'acme'");
    const distinct = await h.server.db.query("SELECT count(DISTINCT digest)::int AS n FROM bundles WHERE org_id = 'acme'");
    expect(rows.rows[0]).toEqual(distinct.rows[0]);
  });

  it("rejects deployments to an environment no rule covers, or with a bundle that was never uploaded, naming the field", async () => {
    const missing = await h.api("POST", "/orgs/acme/deployments", { project_id: "app", env_id: "two", bundle_digest: `sha256:${"0".repeat(64)}` });
    expect(missing.status).toBe(400);
    expect(missing.body.details[0].path).toBe("bundle_digest");
    const noEnv = await h.api("POST", "/orgs/acme/deployments", { project_id: "app", env_id: "nope", bundle_digest: `sha256:${"0".repeat(64)}` });
    expect(noEnv.body.details[0].path).toBe("env_id");
  });

  it("fails a deployment that runs past its timeout with a clear reason", async () => {
    const d = await h.deploy("one", "sleepy", { inputs: { seconds: "60s" }, timeout_seconds: 30 });
    await h.waitFor(d.id, ["running"]);
    await h.server.db.query("UPDATE deployments SET deadline_at = now() - interval '1 second' WHERE id = $1", [d.id]);
    const done = await h.waitFor(d.id);
    expect(done.status).toBe("failed");
    expect(done.error.code).toBe("deployment_timeout");
    expect(done.error.message).toMatch(/timeout of 30 s/);
  });
});
