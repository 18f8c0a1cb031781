import { afterEach, describe, expect, it } from "vitest";
import { nodeProcessLauncher } from "../../fakes/aws/index.js";
import { dispatchRequest, EXIT_SCRIPT, jobRef, runnerSnapshot, seedPolicyWithStopTask, startHarness, type Harness } from "./support/harness.js";

let h: Harness;
afterEach(async () => h?.close());

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

function field(err: unknown): string | undefined {
  return (err as { details?: Array<{ path: string }> }).details?.[0]?.path;
}

describe("task tracking", () => {
  it("reports a crash of the runner program with its exit code", async () => {
    h = await startHarness({ ecs: { launcher: nodeProcessLauncher(EXIT_SCRIPT) } });
    await h.driver.dispatch(dispatchRequest("crash", runnerSnapshot({ environment: { FAKE_EXIT_CODE: "3" } })));
    const exit = await h.events.waitForExit("crash");
    expect(exit.error).toMatchObject({ code: "runner_crashed", category: "internal" });
    expect(exit.error.message).toContain("exit code 3");
    expect(exit.lastKnown).toMatchObject({ lastStatus: "STOPPED", stopCode: "EssentialContainerExited", exitCode: 3 });
    expect(h.events.progress.map((p) => p.deploymentId)).toContain("crash");
  });

  it("does not report a task the core already heard a result for", async () => {
    h = await startHarness({ ecs: { launcher: nodeProcessLauncher(EXIT_SCRIPT) } });
    const handle = (await h.driver.dispatch(dispatchRequest("done", runnerSnapshot({ environment: { FAKE_RUN_MS: "150" } })))) as { taskArn: string };
    h.driver.runnerStarted?.("done");
    h.driver.finished("done");
    await h.aws.ecs.waitForStatus(handle.taskArn, "STOPPED");
    // A later deployment's exit is reported, so the loop would have seen the first one too.
    await h.driver.dispatch(dispatchRequest("later", runnerSnapshot({ environment: { FAKE_EXIT_CODE: "1" } })));
    await h.events.waitForExit("later");
    expect(h.events.exits.map((e) => e.deploymentId)).toEqual(["later"]);
  });

  it.each([
    { name: "image missing", how: { stopCode: "TaskFailedToStart", stoppedReason: "CannotPullContainerError: failed to resolve ref x: not found" }, code: "ecs_image_not_found", field: "runner_configuration.job.image" },
    {
      name: "secrets unreadable",
      how: { stopCode: "TaskFailedToStart", stoppedReason: "ResourceInitializationError: unable to pull secrets or registry auth: AccessDeniedException: not authorized" },
      code: "ecs_secrets_access_denied",
      field: "runner_configuration.job.execution_role_arn",
    },
    { name: "ENI timeout", how: { stopCode: "TaskFailedToStart", stoppedReason: "Timeout waiting for network interface provisioning to complete." }, code: "ecs_eni_timeout" },
    {
      name: "out of memory",
      how: { stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited", exitCode: 137, containerReason: "OutOfMemoryError: Container killed due to memory usage" },
      code: "ecs_out_of_memory",
      field: "runner_configuration.job.memory",
    },
    { name: "spot interruption", how: { stopCode: "SpotInterruption", stoppedReason: "Your Spot Task was interrupted." }, code: "ecs_spot_interruption" },
    { name: "stopped by a user", how: { stopCode: "UserInitiated", stoppedReason: "stopped in the console" }, code: "ecs_task_stopped_by_user" },
  ])("diagnoses a task stopped by AWS: $name", async ({ how, code, field: expectedField }) => {
    h = await startHarness();
    const handle = (await h.driver.dispatch(dispatchRequest("d"))) as { taskArn: string };
    await h.aws.ecs.waitForStatus(handle.taskArn, "RUNNING");
    h.aws.ecs.stopTaskWith(handle.taskArn, how);
    const exit = await h.events.waitForExit("d");
    expect(exit.error.code).toBe(code);
    if (expectedField) expect(field(exit.error)).toBe(expectedField);
  });

  it("diagnoses a start failure (image that cannot be pulled)", async () => {
    h = await startHarness({ ecs: { knownImages: (image) => image !== "registry.example/missing:1" } });
    await h.driver.dispatch(dispatchRequest("pull", runnerSnapshot({ image: "registry.example/missing:1" })));
    const exit = await h.events.waitForExit("pull");
    expect(exit.error.code).toBe("ecs_image_not_found");
    expect(exit.error.message).toContain("registry.example/missing:1");
    expect(exit.lastKnown).toMatchObject({ stopCode: "TaskFailedToStart", exitCode: null });
  });

  it("diagnoses secrets the execution role may not read", async () => {
    const secret = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:app/token-AbCdEf";
    h = await startHarness({ ecs: {} });
    await h.driver.dispatch(dispatchRequest("sec", runnerSnapshot({ secrets: { TOKEN: secret } })));
    const exit = await h.events.waitForExit("sec");
    expect(exit.error.code).toMatch(/^ecs_secret/);
    expect(exit.error.details.map((d) => d.path)).toContain("runner_configuration.job.secrets");
  });

  it("stops and fails a task stuck while starting, when ecs:StopTask is granted", async () => {
    h = await startHarness({ policy: seedPolicyWithStopTask(), ecs: { timings: { provisioningMs: 60_000 } }, driver: { provisioningTimeoutMs: 100 } });
    const handle = (await h.driver.dispatch(dispatchRequest("stuck"))) as { taskArn: string };
    const exit = await h.events.waitForExit("stuck");
    expect(exit.error).toMatchObject({ code: "ecs_task_stuck_starting", category: "transient" });
    expect(exit.error.message).toContain("was stopped");
    const stopped = await h.aws.ecs.waitForStatus(handle.taskArn, "STOPPED");
    expect(stopped.stopCode).toBe("UserInitiated");
  });

  it("fails a stuck task and says it could not be stopped without ecs:StopTask", async () => {
    h = await startHarness({ ecs: { timings: { provisioningMs: 60_000 } }, driver: { provisioningTimeoutMs: 100 } });
    await h.driver.dispatch(dispatchRequest("stuck2"));
    const exit = await h.events.waitForExit("stuck2");
    expect(exit.error.code).toBe("ecs_task_stuck_starting");
    expect(exit.error.message).toContain("lacks ecs:StopTask");
  });

  it("reports a task that vanished from DescribeTasks with its last known state", async () => {
    h = await startHarness();
    const handle = (await h.driver.dispatch(dispatchRequest("gone"))) as { taskArn: string };
    await h.aws.ecs.waitForStatus(handle.taskArn, "RUNNING");
    await waitFor(() => h.events.progress.some((p) => p.deploymentId === "gone")); // the tracker saw RUNNING
    h.aws.ecs.forget(handle.taskArn);
    const exit = await h.events.waitForExit("gone");
    expect(exit.error).toMatchObject({ code: "ecs_task_vanished", category: "transient" });
    expect(exit.error.message).toContain("Last known state: RUNNING");
  });

  it("polls all tasks of a cluster in one shared DescribeTasks loop", async () => {
    h = await startHarness({ driver: { pollFastMs: 50 } });
    await Promise.all(["s1", "s2", "s3"].map((id) => h.driver.dispatch(dispatchRequest(id))));
    await new Promise((r) => setTimeout(r, 100)); // polls that started before the last dispatch are done
    const before = h.callsOf("DescribeTasks").length;
    await new Promise((r) => setTimeout(r, 300));
    const polls = h.callsOf("DescribeTasks").slice(before);
    expect(polls.length).toBeGreaterThan(0);
    for (const call of polls) expect((call.request as { tasks: string[] }).tasks).toHaveLength(3);
  });

  it("polls less often once every runner program has called in", async () => {
    h = await startHarness({ driver: { pollFastMs: 20, pollSlowMs: 60_000 } });
    await h.driver.dispatch(dispatchRequest("slow"));
    h.driver.runnerStarted?.("slow");
    const atStart = h.callsOf("DescribeTasks").length;
    await new Promise((r) => setTimeout(r, 300));
    // At most the fast poll already scheduled; polling every 20 ms would have made about 15.
    expect(h.callsOf("DescribeTasks").length).toBeLessThanOrEqual(atStart + 1);
  });
});

describe("resume after a restart", () => {
  it("re-attaches to a task from its handle and reports how it ended", async () => {
    h = await startHarness();
    const handle = await h.driver.dispatch(dispatchRequest("r1"));
    await h.driver.close();
    const restarted = h.restartDriver();
    await restarted.resume([{ job: jobRef("r1"), runner: runnerSnapshot(), handle }]);
    h.aws.ecs.stopTaskWith(handle.taskArn as string, { stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited", exitCode: 2 });
    const exit = await h.events.waitForExit("r1");
    expect(exit.error.code).toBe("runner_crashed");
    // The handle re-seeded the revision cache: no new registration for the next deployment.
    await restarted.dispatch(dispatchRequest("r2"));
    expect(h.callsOf("RegisterTaskDefinition")).toHaveLength(1);
  });

  it("finds a task by startedBy when the handle has no task ARN", async () => {
    h = await startHarness();
    const handle = (await h.driver.dispatch(dispatchRequest("lost"))) as { taskArn: string };
    await h.driver.close();
    const restarted = h.restartDriver();
    await restarted.resume([{ job: jobRef("lost"), runner: runnerSnapshot(), handle: {} }]);
    expect(h.callsOf("ListTasks")).toHaveLength(1);
    h.aws.ecs.stopTaskWith(handle.taskArn, { stopCode: "SpotInterruption", stoppedReason: "interrupted" });
    const exit = await h.events.waitForExit("lost");
    expect(exit.error.code).toBe("ecs_spot_interruption");
    expect(exit.lastKnown).toMatchObject({ taskArn: handle.taskArn });
  });

  it("reports a job that never got a task as transient so it can be dispatched again", async () => {
    h = await startHarness();
    await h.driver.resume([{ job: jobRef("never"), runner: runnerSnapshot(), handle: {} }]);
    const exit = await h.events.waitForExit("never");
    expect(exit.error).toMatchObject({ code: "ecs_task_never_started", category: "transient" });
  });

  it("reports a task ECS forgot while porch was down", async () => {
    h = await startHarness();
    const handle = await h.driver.dispatch(dispatchRequest("old"));
    await h.driver.close();
    h.aws.ecs.forget(handle.taskArn as string);
    const restarted = h.restartDriver();
    await restarted.resume([{ job: jobRef("old"), runner: runnerSnapshot(), handle }]);
    const exit = await h.events.waitForExit("old");
    expect(exit.error.code).toBe("ecs_task_vanished");
  });
});
