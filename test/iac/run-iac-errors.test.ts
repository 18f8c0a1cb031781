import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runIac } from "../../src/iac/index.js";
import { BASIC_MODULE, createWorkspace, type Workspace } from "./helpers.js";

const INPUTS = { name: "porch", api_key: "k" };

describe("runIac failures", () => {
  let ws: Workspace;
  afterEach(() => ws.cleanUp());

  it("reports an undeclared variable with the diagnostic's summary, file and line", async () => {
    const main = 'resource "terraform_data" "a" {\n  input = "x"\n}\n\noutput "typo" {\n  value = var.nmae\n}\n';
    ws = await createWorkspace({ "main.tf": main });

    const result = await runIac(ws.options());

    expect(result.status).toBe("failed");
    expect(result.error).toMatchObject({ category: "user", code: "iac_error" });
    expect(result.error?.message).toContain("Reference to undeclared input variable");
    expect(result.error?.message).toContain("main.tf line 6");
    expect(result.error?.message).toContain('An input variable with the name "nmae" has not been declared');
    expect(result.diagnostics).toContainEqual(
      expect.objectContaining({ severity: "error", summary: "Reference to undeclared input variable", filename: "main.tf", line: 6 }),
    );
    expect(ws.logText()).toContain("Error: Reference to undeclared input variable\n  on main.tf line 6:");
    expect(await ws.readState()).toBeNull();
  });

  it("reports a required variable without a value", async () => {
    ws = await createWorkspace({ "main.tf": BASIC_MODULE });

    const result = await runIac(ws.options({ inputs: { name: "only-name" } }));

    expect(result.status).toBe("failed");
    expect(result.error?.message).toMatch(/^No value for required variable \(main\.tf line 6\)/);
  });

  it("replaces a backend the module declares with porch's state storage, and says so", async () => {
    const ownBackend = 'terraform {\n  backend "local" {\n    path = "/nonexistent/own.tfstate"\n  }\n}\n';
    ws = await createWorkspace({ "main.tf": BASIC_MODULE, "backend.tf": ownBackend });

    const result = await runIac(ws.options({ inputs: INPUTS }));

    expect(result.error).toBeNull();
    expect(result.status).toBe("succeeded");
    expect(ws.logText()).toContain("The module declares its own backend (in backend.tf); porch replaces it");
    expect((await ws.readState())?.resources).toHaveLength(1);
    expect(await readFile(path.join(ws.moduleDir, "zz_porch_backend_override.tf"), "utf8")).toContain(ws.statePath);
  });

  it("keeps the state of what was applied when a resource fails, and reports the failure", async () => {
    const main = `${BASIC_MODULE}\nresource "terraform_data" "second" {\n  input = terraform_data.greeting.output\n}\n`;
    ws = await createWorkspace({ "main.tf": main });

    const result = await runIac(ws.options({ inputs: INPUTS, env: { ...ws.options().env, STAND_IN_TOFU_FAIL_APPLY: "terraform_data.second" } }));

    expect(result.status).toBe("failed");
    expect(result.error).toMatchObject({ category: "user", code: "iac_error" });
    expect(result.error?.message).toContain("Stand-in apply failure");
    expect(result.planned_changes.map((c) => c.address)).toEqual(["terraform_data.greeting", "terraform_data.second"]);
    expect(ws.logText()).toContain("terraform_data.second: Creation errored");
    const state = await ws.readState();
    expect(state?.resources).toEqual([expect.objectContaining({ type: "terraform_data", name: "greeting" })]);
  });

  it("runs init without -json on an OpenTofu older than 1.7 and reads its human-readable errors", async () => {
    ws = await createWorkspace({ "main.tf": 'resource "terraform_data" "a" {\n  input = \n}\n' });

    const result = await runIac(ws.options({ env: { ...ws.options().env, STAND_IN_TOFU_VERSION: "1.6.2" } }));

    expect(ws.logs).toContainEqual({ text: "$ tofu init -input=false -no-color -reconfigure", stream: "system" });
    expect(result.status).toBe("failed");
    expect(result.error?.message).toMatch(/^Invalid expression \(main\.tf line 2\): Expected the start of an expression/);
  });

  it("reports a missing binary as a user error naming the path", async () => {
    ws = await createWorkspace({ "main.tf": BASIC_MODULE });

    const result = await runIac(ws.options({ binary: path.join(ws.root, "no-such-tofu") }));

    expect(result.status).toBe("failed");
    expect(result.error).toMatchObject({ category: "user", code: "iac_binary_missing" });
    expect(result.error?.message).toContain(path.join(ws.root, "no-such-tofu"));
  });

  it("reports S3 state storage without a region as a user error naming AWS_REGION, before running tofu", async () => {
    ws = await createWorkspace({ "main.tf": BASIC_MODULE });

    const result = await runIac(ws.options({ stateStorage: { type: "s3", bucket: "porch-state" } }));

    expect(result.status).toBe("failed");
    expect(result.error).toMatchObject({ category: "user", code: "state_region_missing" });
    expect(result.error?.message).toContain("AWS_REGION");
    expect(ws.logs.some((l) => l.text.startsWith("$ tofu"))).toBe(false);
  });
});
