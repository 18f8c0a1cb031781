import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ORCHESTRATOR_AWS_ACTIONS } from "../../src/drivers/serverless-ecs/aws-actions.js";
import { BUCKET, SECRET_VALUE, startEcsHarness, type EcsHarness } from "./ecs-harness.js";

let h: EcsHarness;
beforeAll(async () => {
  h = await startEcsHarness();
});
afterAll(() => h.close());

describe("serverless-ecs end to end through the AWS fakes", () => {
  it("deploys with outputs and live logs, state in S3, secrets masked", async () => {
    const d = await h.porch.deploy("dev", "secret-echo");
    expect(d.runner_id).toBe("ecs");
    const done = await h.porch.waitFor(d.id);
    expect(done.status, JSON.stringify(done.error)).toBe("succeeded");
    expect(done.outputs.leaked.value).toBe("the password is ***");
    const logs = (await h.porch.logs(d.id)).map((l) => l.text).join("\n");
    expect(logs).toContain("tofu apply");
    expect(logs).not.toContain(SECRET_VALUE);
    const keys = await h.s3.listKeys(BUCKET);
    expect(keys).toContain("state-files/acme/app/dev.tfstate");
    expect(keys.some((k) => k.endsWith(".tflock"))).toBe(false);
    // The state itself (in the user's bucket) holds what the module computed, as OpenTofu's always does.
    const state = JSON.parse((await h.s3.getObjectText(BUCKET, "state-files/acme/app/dev.tfstate"))!);
    expect(state.resources.length).toBe(1);

    const task = h.aws.ecs.tasks().find((t) => t.tags?.["porch:deployment"] === d.id || JSON.stringify(t).includes(d.id));
    expect(task).toBeDefined();
  });

  it("uses only actions porch declares, all allowed by the documented policy", async () => {
    const declared = new Set(ORCHESTRATOR_AWS_ACTIONS.map((a) => a.action));
    const porchCalls = h.aws.calls.filter((c) => c.service === "ecs" || c.service === "sts");
    expect(porchCalls.length).toBeGreaterThan(0);
    for (const c of porchCalls) {
      const action = `${c.service}:${c.action}`;
      expect(declared.has(action), action).toBe(true);
      expect(c.error, `${action}: ${c.error}`).toBeUndefined();
    }
  });

  it("fails a task whose image cannot be pulled with a message naming job.image", async () => {
    const bad = await h.porch.api("PATCH", "/orgs/acme/runners/ecs", {
      runner_configuration: {
        type: "serverless-ecs",
        auth: { role_arn: "arn:aws:iam::123456789012:role/porch-orchestrator" },
        job: {
          region: "eu-central-1",
          cluster: "runners",
          subnets: ["subnet-1"],
          execution_role_arn: "arn:aws:iam::123456789012:role/porch-exec",
          image: "registry.example.com/does-not-exist:1",
        },
      },
    });
    expect(bad.status).toBe(200);
    h.aws.ecs.failNextStartWith({ stopCode: "TaskFailedToStart", stoppedReason: "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref registry.example.com/does-not-exist:1: not found", containerReason: "CannotPullContainerError: not found" });
    const d = await h.porch.deploy("qa", "hello");
    const done = await h.porch.waitFor(d.id);
    expect(done.status).toBe("failed");
    expect(done.error.message).toMatch(/job\.image/);
  });
});
