import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES, startPorchHarness, type PorchHarness } from "../helpers/porch-harness.js";

const run = promisify(execFile);
let h: PorchHarness;

beforeAll(async () => {
  h = await startPorchHarness();
  await h.setup({ envs: ["dev"] });
});
afterAll(() => h.close());

async function porch(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["bin/porch.js", "--url", h.server.url, "--token", h.token, "--org", "acme", ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const statePath = () => join(h.dataDir, "state", "acme", "app", "dev", "terraform.tfstate");
const stateResources = () => (JSON.parse(readFileSync(statePath(), "utf8")) as { resources: unknown[] }).resources;

describe("porch deploy, end to end on the local runner (stand-in tofu)", () => {
  it("deploys and prints outputs", async () => {
    const res = await porch("deploy", "--project", "app", "--env", "dev", "--var", "name=porch", "-o", "json", join(FIXTURES, "hello"));
    expect(res.code, res.stderr).toBe(0);
    const dep = JSON.parse(res.stdout);
    expect(dep.status).toBe("succeeded");
    expect(dep.outputs.greeting.value).toBe("hello porch");
    expect(dep.changes).toEqual({ add: 1, change: 0, destroy: 0 });
    expect(res.stderr).toContain("terraform_data.greeting");
    expect(stateResources()).toHaveLength(1);
  });

  it("reports no changes on a redeploy of the same module and inputs", async () => {
    const res = await porch("deploy", "--project", "app", "--env", "dev", "--var", "name=porch", join(FIXTURES, "hello"));
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain("No changes");
    expect(res.stdout).toContain('greeting = "hello porch"');
  });

  it("plan_only reports the planned change and leaves the state untouched", async () => {
    const before = readFileSync(statePath(), "utf8");
    const res = await porch("deploy", "--project", "app", "--env", "dev", "--mode", "plan_only", "--var", "name=changed", "-o", "json", join(FIXTURES, "hello"));
    expect(res.code, res.stderr).toBe(0);
    const dep = JSON.parse(res.stdout);
    expect(dep.planned_changes.map((c: { address: string }) => c.address)).toContain("terraform_data.greeting");
    expect(readFileSync(statePath(), "utf8")).toBe(before);
  });

  it("destroy empties the state", async () => {
    const res = await porch("deploy", "--project", "app", "--env", "dev", "--mode", "destroy", "-o", "json", join(FIXTURES, "hello"));
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout).changes.destroy).toBe(1);
    expect(existsSync(statePath())).toBe(true);
    expect(stateResources()).toHaveLength(0);
  });

  it("exits non-zero with the diagnostic's summary and location when OpenTofu fails", async () => {
    const res = await porch("deploy", "--project", "app", "--env", "dev", "-o", "json", join(FIXTURES, "broken"));
    expect(res.code).toBe(1);
    const dep = JSON.parse(res.stdout);
    expect(dep.status).toBe("failed");
    expect(dep.error.category).toBe("user");
    expect(dep.error.message).toMatch(/undeclared input variable/i);
    expect(dep.error.message).toMatch(/main\.tf line 6/);
  });

  it("lists deployments and prints logs", async () => {
    const list = await porch("get", "deployments", "--env", "dev", "-o", "json");
    expect(JSON.parse(list.stdout).items.length).toBe(5);
    const id = JSON.parse(list.stdout).items[0].id;
    const logs = await porch("logs", id);
    expect(logs.stdout).toContain("tofu init");
  });

  it("prints the server's field paths and exits non-zero on bad input", async () => {
    const res = await porch("create", "runner", "Bad_ID", "--config", '{"runner_configuration":{"type":"serverless-ecs","auth":{},"job":{}},"state_storage_configuration":{"type":"s3"}}');
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("runner_configuration.auth.role_arn");
    expect(res.stderr).toContain("state_storage_configuration.bucket");
  });
});
