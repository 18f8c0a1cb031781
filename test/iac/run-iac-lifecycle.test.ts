import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runIac } from "../../src/iac/index.js";
import { BASIC_MODULE, createWorkspace, type Workspace } from "./helpers.js";

const SECRET = "s3cr3t-api-key-value";
const INPUTS = { name: "porch", api_key: SECRET };

describe("runIac with the stand-in tofu and local state: deploy, redeploy, plan only, destroy", () => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await createWorkspace({ "main.tf": BASIC_MODULE });
  });
  afterAll(() => ws.cleanUp());

  it("deploys, returns outputs with the sensitive one flagged, and never logs the sensitive value", async () => {
    const result = await runIac(ws.options({ inputs: INPUTS }));

    expect(result.error).toBeNull();
    expect(result.status).toBe("succeeded");
    expect(result.outputs).toEqual({
      greeting: { value: "hello porch", sensitive: false, type: "string" },
      api_key: { value: SECRET, sensitive: true, type: "string" },
    });
    expect(result.changes).toEqual({ add: 1, change: 0, destroy: 0 });
    expect(result.planned_changes).toEqual([{ address: "terraform_data.greeting", action: "create" }]);
    expect(result.no_changes).toBe(false);

    const text = ws.logText();
    expect(text).not.toContain(SECRET);
    expect(text).toContain("api_key = (sensitive value)");
    expect(text).toContain('greeting = "hello porch"');
    expect(text).toContain("terraform_data.greeting: Creation complete");
    expect(ws.logs.some((l) => l.stream === "system" && l.text.includes("init -input=false -no-color -reconfigure -json"))).toBe(true);

    const state = await ws.readState();
    expect(state?.resources).toHaveLength(1);
  });

  it("reports no_changes and skips apply on a redeploy, still returning the outputs", async () => {
    const before = await ws.readState();
    ws.logs.length = 0;

    const result = await runIac(ws.options({ inputs: INPUTS }));

    expect(result.status).toBe("succeeded");
    expect(result.no_changes).toBe(true);
    expect(result.changes).toEqual({ add: 0, change: 0, destroy: 0 });
    expect(result.planned_changes).toEqual([]);
    expect(result.outputs.greeting?.value).toBe("hello porch");
    expect(ws.logs.some((l) => l.stream === "system" && l.text.startsWith("$ tofu apply"))).toBe(false);
    expect((await ws.readState())?.serial).toBe(before?.serial);
  });

  it("plans only: reports the planned update and leaves the state untouched", async () => {
    const stateBefore = await readFile(ws.statePath, "utf8");

    const result = await runIac(ws.options({ mode: "plan_only", inputs: { ...INPUTS, name: "changed" } }));

    expect(result.status).toBe("succeeded");
    expect(result.no_changes).toBe(false);
    expect(result.planned_changes).toEqual([{ address: "terraform_data.greeting", action: "update" }]);
    expect(result.changes).toEqual({ add: 0, change: 1, destroy: 0 });
    expect(result.outputs).toEqual({});
    expect(await readFile(ws.statePath, "utf8")).toBe(stateBefore);
  });

  it("destroys everything, leaving an empty state", async () => {
    const result = await runIac(ws.options({ mode: "destroy", inputs: INPUTS }));

    expect(result.error).toBeNull();
    expect(result.status).toBe("succeeded");
    expect(result.planned_changes).toEqual([{ address: "terraform_data.greeting", action: "delete" }]);
    expect(result.changes).toEqual({ add: 0, change: 0, destroy: 1 });
    expect(result.outputs).toEqual({});
    const state = await ws.readState();
    expect(state?.resources).toEqual([]);
    expect(state?.outputs).toEqual({});
  });
});
