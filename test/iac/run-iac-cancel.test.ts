import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runIac } from "../../src/iac/index.js";
import { createWorkspace, type Workspace } from "./helpers.js";

const SLOW_MODULE = `
resource "terraform_data" "first" {
  input = "one"
}

resource "time_sleep" "wait" {
  create_duration = "60s"
  triggers = { after = terraform_data.first.output }
}

resource "terraform_data" "last" {
  input = time_sleep.wait.id
}
`;

describe("runIac cancellation", () => {
  let ws: Workspace;
  afterEach(() => ws.cleanUp());

  it("sends exactly one SIGINT during a time_sleep; tofu saves what it finished and releases the lock", async () => {
    ws = await createWorkspace({ "main.tf": SLOW_MODULE });
    const signalLog = path.join(ws.root, "signals.log");
    const controller = new AbortController();
    // The stop delay leaves a window in which a second SIGINT would make tofu exit at once, keeping the lock.
    const env = { ...ws.options().env, STAND_IN_TOFU_SIGNAL_LOG: signalLog, STAND_IN_TOFU_STOP_DELAY_MS: "700" };
    const options = ws.options({ signal: controller.signal, env });
    const log = options.log;
    options.log = (text, stream) => {
      log(text, stream);
      if (text.startsWith("time_sleep.wait: Creating...")) controller.abort();
    };

    const result = await runIac(options);

    expect(result.status).toBe("cancelled");
    expect(result.error).toBeNull();
    expect(await readFile(signalLog, "utf8")).toBe("SIGINT\n");
    expect(ws.logText()).toContain("Interrupt received.");
    const state = await ws.readState();
    expect(state?.resources).toEqual([expect.objectContaining({ type: "terraform_data", name: "first" })]);
    const stateDirFiles = await readdir(path.dirname(ws.statePath));
    expect(stateDirFiles).toEqual(["terraform.tfstate"]);
    expect(ws.logs.some((l) => l.text.startsWith("$ tofu output"))).toBe(false);
  });

  it("does not start another step once cancelled", async () => {
    ws = await createWorkspace({ "main.tf": SLOW_MODULE });
    const controller = new AbortController();
    const options = ws.options({ signal: controller.signal });
    const log = options.log;
    options.log = (text, stream) => {
      log(text, stream);
      // The plan's last line: its process is about to exit, or has, when the abort arrives.
      if (text.startsWith("Plan: 3 to add")) controller.abort();
    };

    const result = await runIac(options);

    expect(result.status).toBe("cancelled");
    expect(ws.logs.some((l) => l.text.startsWith("$ tofu show"))).toBe(false);
    expect(ws.logs.some((l) => l.text.startsWith("$ tofu apply"))).toBe(false);
    expect(await ws.readState()).toBeNull();
  });

  it("does nothing when cancelled before it starts", async () => {
    ws = await createWorkspace({ "main.tf": SLOW_MODULE });

    const result = await runIac(ws.options({ signal: AbortSignal.abort() }));

    expect(result.status).toBe("cancelled");
    expect(ws.logs.some((l) => l.text.startsWith("$ tofu"))).toBe(false);
  });
});
