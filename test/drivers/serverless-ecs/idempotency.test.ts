import { afterEach, describe, expect, it } from "vitest";
import { dispatchRequest, startHarness, type Harness } from "./support/harness.js";

let h: Harness;
afterEach(async () => h?.close());

describe("RunTask idempotency", () => {
  it("dispatching the same deployment again returns the task the first call started", async () => {
    h = await startHarness();
    const first = (await h.driver.dispatch(dispatchRequest("dep-x"))) as { taskArn: string };
    const again = (await h.driver.dispatch(dispatchRequest("dep-x"))) as { taskArn: string };
    expect(again.taskArn).toBe(first.taskArn);
    expect(h.aws.ecs.tasks()).toHaveLength(1);
    expect(h.callsOf("RunTask").map((c) => (c.request as { clientToken: string }).clientToken)).toEqual(["porch-dep-x", "porch-dep-x"]);
  });

  it("after a crash between RunTask and storing the handle, a restarted orchestrator attaches to the same task", async () => {
    h = await startHarness();
    const before = (await h.driver.dispatch(dispatchRequest("dep-crash"))) as { taskArn: string };
    // The restarted orchestrator has no revision cache: it registers again, so the repeated RunTask
    // differs (new revision) and ECS refuses the clientToken; the task is then found by startedBy.
    const restarted = h.restartDriver();
    const after = (await restarted.dispatch(dispatchRequest("dep-crash"))) as { taskArn: string };
    expect(after.taskArn).toBe(before.taskArn);
    expect(h.aws.ecs.tasks()).toHaveLength(1);
    expect(h.callsOf("ListTasks")).toHaveLength(1);
  });

  it("a deployment dispatched again after its task stopped gets that same task back, never a second one", async () => {
    h = await startHarness();
    const first = (await h.driver.dispatch(dispatchRequest("dep-retry"))) as { taskArn: string };
    h.aws.ecs.stopTaskWith(first.taskArn, { stopCode: "SpotInterruption", stoppedReason: "Your Spot Task was interrupted." });
    await h.aws.ecs.waitForStatus(first.taskArn, "STOPPED");
    await h.events.waitForExit("dep-retry");
    // E.g. a retried RunTask whose first answer was lost, for a task that finished very fast.
    const again = (await h.driver.dispatch(dispatchRequest("dep-retry"))) as { taskArn: string; attempt: number; clientToken: string };
    expect(again.taskArn).toBe(first.taskArn);
    expect(again).toMatchObject({ attempt: 1, clientToken: "porch-dep-retry" });
    expect(h.aws.ecs.tasks()).toHaveLength(1);
  });
});
