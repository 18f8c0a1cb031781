import { afterEach, describe, expect, it } from "vitest";
import { dispatchRequest, jobRef, runnerSnapshot, seedPolicyWithStopTask, startHarness, type Harness } from "./support/harness.js";

let h: Harness;
afterEach(async () => h?.close());

describe("cancel", () => {
  it("stops the task with the reason when the role may call ecs:StopTask", async () => {
    h = await startHarness({ policy: seedPolicyWithStopTask() });
    const handle = await h.driver.dispatch(dispatchRequest("c1"));
    const outcome = await h.driver.cancel(jobRef("c1"), runnerSnapshot(), handle, `cancelled by alice: ${"x".repeat(300)}`);
    expect(outcome).toEqual({ signalled: true });
    const stopped = await h.aws.ecs.waitForStatus(handle.taskArn as string, "STOPPED");
    expect(stopped.stopCode).toBe("UserInitiated");
    expect(stopped.stoppedReason).toMatch(/^cancelled by alice: x+$/);
    expect(stopped.stoppedReason!.length).toBe(255);
  });

  it("without ecs:StopTask it says which permission would make cancel immediate", async () => {
    h = await startHarness();
    const handle = await h.driver.dispatch(dispatchRequest("c2"));
    const outcome = await h.driver.cancel(jobRef("c2"), runnerSnapshot(), handle, "cancelled");
    expect(outcome.signalled).toBe(false);
    expect(outcome.note).toContain("grant ecs:StopTask on arn:aws:ecs:eu-central-1:123456789012:task/porch/*");
    expect(outcome.note).toContain("the runner will stop at its next check-in");
    expect(h.aws.ecs.tasks()[0]!.desiredStatus).toBe("RUNNING");
  });

  it("finds the task by startedBy when there is no handle", async () => {
    h = await startHarness({ policy: seedPolicyWithStopTask() });
    const handle = await h.driver.dispatch(dispatchRequest("c3"));
    const restarted = h.restartDriver();
    expect(await restarted.cancel(jobRef("c3"), runnerSnapshot(), null, "cancelled")).toEqual({ signalled: true });
    await h.aws.ecs.waitForStatus(handle.taskArn as string, "STOPPED");
  });

  it("says so when no task runs for the deployment", async () => {
    h = await startHarness({ policy: seedPolicyWithStopTask() });
    const outcome = await h.driver.cancel(jobRef("none"), runnerSnapshot(), null, "cancelled");
    expect(outcome.signalled).toBe(false);
    expect(outcome.note).toContain("no running ECS task");
  });
});
