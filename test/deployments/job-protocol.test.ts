import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPorchHarness, type PorchHarness } from "../helpers/porch-harness.js";
import { JobTokens } from "../../src/jobs/job-tokens.js";

let h: PorchHarness;
beforeAll(async () => {
  h = await startPorchHarness();
  await h.setup({ envs: ["dev", "qa"] });
});
afterAll(() => h.close());

async function job(method: string, id: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${h.server.url}/job/v1/deployments/${id}/${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return res.status;
}

describe("job tokens", () => {
  it("open only their own deployment, only while it runs", async () => {
    // Capture the token the local driver hands to the runner program.
    const tokens = new Map<string, string>();
    const local = h.server.drivers.get("local")!;
    const dispatch = local.dispatch.bind(local);
    local.dispatch = async (req) => {
      tokens.set(req.job.deploymentId, req.env.PORCH_JOB_TOKEN!);
      return dispatch(req);
    };
    const a = await h.deploy("dev", "sleepy", { inputs: { seconds: "2s" } });
    const b = await h.deploy("qa", "sleepy", { inputs: { seconds: "2s" } });
    await h.waitFor(a.id, ["running"]);
    await h.waitFor(b.id, ["running"]);
    const ta = tokens.get(a.id)!;
    expect(await job("POST", a.id, "heartbeat", ta)).toBe(200);
    expect(await job("POST", b.id, "heartbeat", ta)).toBe(401);
    expect(await job("GET", b.id, "bundle", ta)).toBe(401);
    expect(await job("POST", a.id, "heartbeat", "porch_job_forged")).toBe(401);
    // An API token is not a job token.
    expect(await job("POST", a.id, "heartbeat", h.token)).toBe(401);
    await h.waitFor(a.id);
    expect(await job("POST", a.id, "heartbeat", ta)).toBe(401);
    expect(await job("GET", a.id, "bundle", ta)).toBe(401);
    expect(await job("POST", a.id, "logs", ta, { lines: [{ seq: 9999, ts: new Date().toISOString(), stream: "stdout", text: "late" }] })).toBe(401);
    expect(await job("POST", a.id, "result", ta, { result_id: "another-result", status: "failed" })).toBe(409);
    await h.waitFor(b.id);
    expect((await h.logs(a.id)).some((l) => l.text === "late")).toBe(false);
  });

  it("are stored only as hashes", async () => {
    const rows = await h.server.db.query<{ job_token_hash: string }>("SELECT job_token_hash FROM deployments WHERE job_token_hash IS NOT NULL");
    for (const r of rows.rows) expect(r.job_token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("derive the same token for the same dispatch, a different one for another", () => {
    const t = new JobTokens(Buffer.alloc(32, 7));
    expect(t.tokenFor("d1", "n1")).toBe(t.tokenFor("d1", "n1"));
    expect(t.tokenFor("d1", "n2")).not.toBe(t.tokenFor("d1", "n1"));
    expect(new JobTokens(Buffer.alloc(32, 8)).tokenFor("d1", "n1")).not.toBe(t.tokenFor("d1", "n1"));
  });
});
