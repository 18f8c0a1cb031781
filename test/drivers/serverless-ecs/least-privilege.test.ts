import { afterEach, describe, expect, it } from "vitest";
import { ORCHESTRATOR_AWS_ACTIONS } from "../../../src/drivers/serverless-ecs/aws-actions.js";
import { evaluatePolicy, nodeProcessLauncher } from "../../fakes/aws/index.js";
import { ACCOUNT, CLUSTER, dispatchRequest, EXEC_ROLE, EXIT_SCRIPT, jobRef, REGION, runnerSnapshot, seedPolicy, startHarness, type Harness } from "./support/harness.js";

let h: Harness;
afterEach(async () => h?.close());

const declared = new Map(ORCHESTRATOR_AWS_ACTIONS.map((a) => [a.action, a]));

describe("least privilege: a runner set up exactly as documented", () => {
  it("deploys, tracks, cleans up, re-attaches and cancels using only declared actions the documented policy allows", async () => {
    h = await startHarness({ policy: seedPolicy(), ecs: { launcher: nodeProcessLauncher(EXIT_SCRIPT) }, driver: { keepRevisions: 1 } });

    // Three revisions (configuration changes) so that clean-up deregisters and deletes.
    for (const [i, code] of ["0", "1", "2"].entries()) {
      await h.driver.dispatch(dispatchRequest(`lp-${i}`, runnerSnapshot({ environment: { FAKE_EXIT_CODE: code, FAKE_RUN_MS: "50" } })));
      await h.driver.idle();
    }
    await Promise.all(["lp-0", "lp-1", "lp-2"].map((id) => h.events.waitForExit(id)));

    // A long-running deployment: re-attached by startedBy after a restart, then cancelled.
    await h.driver.dispatch(dispatchRequest("lp-long", runnerSnapshot({ environment: { FAKE_EXIT_CODE: "2", FAKE_RUN_MS: "60000" } })));
    const restarted = h.restartDriver();
    await restarted.resume([{ job: jobRef("lp-long"), runner: runnerSnapshot(), handle: {} }]);
    const cancel = await restarted.cancel(jobRef("lp-long"), runnerSnapshot(), null, "cancelled by test");
    expect(cancel.signalled).toBe(false);
    await restarted.idle();

    const used = new Set(h.aws.calls.map((c) => `${c.service}:${c.action}`));
    for (const action of ["ecs:RegisterTaskDefinition", "ecs:RunTask", "ecs:DescribeTasks", "ecs:ListTasks", "ecs:ListTaskDefinitions", "ecs:DeregisterTaskDefinition", "ecs:DeleteTaskDefinitions"]) {
      expect(used, `${action} was exercised`).toContain(action);
    }
    for (const action of used) expect(declared.has(action), `${action} is declared in aws-actions.ts`).toBe(true);

    const refused = h.aws.calls.filter((c) => c.error);
    // Only the optional StopTask may be refused; everything required was allowed.
    expect(refused.map((c) => `${c.service}:${c.action} ${c.error}`)).toEqual(["ecs:StopTask AccessDeniedException"]);
    expect(declared.get("ecs:StopTask")!.required).toBe(false);
    expect(h.aws.ecs.taskDefinitions().filter((d) => d.status === "ACTIVE")).toHaveLength(1);
  });

  it("every required action in aws-actions.ts is granted by the documented policy", () => {
    const resourceFor = {
      "task-definition": `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/humanitec_acme_ecs-runner:1`,
      cluster: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`,
      task: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/0123456789abcdef`,
      role: EXEC_ROLE,
      any: "*",
    } as const;
    for (const use of ORCHESTRATOR_AWS_ACTIONS) {
      if (use.action.startsWith("sts:")) continue; // granted by the role's trust policy, not its permissions
      const decision = evaluatePolicy(seedPolicy(), use.action, resourceFor[use.resource], { "iam:PassedToService": "ecs-tasks.amazonaws.com" });
      expect(`${use.action}: ${decision}`).toBe(`${use.action}: ${use.required ? "allow" : "implicit-deny"}`);
    }
  });
});
