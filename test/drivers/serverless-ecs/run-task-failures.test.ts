import { DeregisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import { RunnerFieldError } from "../../../src/drivers/serverless-ecs/ecs-errors.js";
import type { IamPolicyDocument } from "../../fakes/aws/index.js";
import { dispatchRequest, EXEC_ROLE, runnerSnapshot, seedPolicy, startHarness, TASK_ROLE, type Harness } from "./support/harness.js";

let h: Harness;
afterEach(async () => h?.close());

async function dispatchError(id: string, runner = runnerSnapshot()): Promise<RunnerFieldError> {
  const err = await h.driver.dispatch(dispatchRequest(id, runner)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RunnerFieldError);
  return err as RunnerFieldError;
}

function withoutAction(policy: IamPolicyDocument, action: string): IamPolicyDocument {
  return {
    ...policy,
    Statement: policy.Statement.map((s) => ({ ...s, Action: (Array.isArray(s.Action) ? s.Action : [s.Action]).filter((a) => a !== action) })).filter(
      (s) => s.Action.length > 0,
    ),
  };
}

describe("RunTask failures", () => {
  it("retries capacity, RESOURCE and AGENT failures with backoff and starts exactly one task", async () => {
    h = await startHarness();
    h.aws.ecs.failNextRunTask({ reason: "Capacity is unavailable at this time. Please try again later or in a different availability zone" }, 2);
    h.aws.ecs.failNextRunTask({ reason: "RESOURCE:ENI" });
    h.aws.ecs.failNextRunTask({ reason: "AGENT" });
    await h.driver.dispatch(dispatchRequest("cap"));
    expect(h.callsOf("RunTask")).toHaveLength(5);
    expect(h.aws.ecs.tasks()).toHaveLength(1);
  });

  it("gives up with a transient error once the retry budget is spent", async () => {
    h = await startHarness({ driver: { retryBudgetMs: 300 } });
    h.aws.ecs.failNextRunTask({ reason: "Capacity is unavailable at this time." }, 1_000);
    const err = await h.driver.dispatch(dispatchRequest("no-cap")).catch((e: unknown) => e);
    expect(err).toMatchObject({ category: "transient", code: "ecs_capacity_unavailable" });
    expect((err as Error).message).toContain("runner_configuration.job.subnets");
    expect(h.aws.ecs.tasks()).toHaveLength(0);
  });

  it("fails at once on the CPU limit, naming job.cpu", async () => {
    h = await startHarness();
    h.aws.ecs.failNextRunTask({ reason: "The requested CPU configuration is above your limit" }, 5);
    const err = await dispatchError("cpu");
    expect(err.field).toBe("runner_configuration.job.cpu");
    expect(h.callsOf("RunTask")).toHaveLength(1);
  });

  it("names job.cluster for an unknown cluster", async () => {
    h = await startHarness();
    const err = await dispatchError("cl", runnerSnapshot({ cluster: "nope" }));
    expect(err.field).toBe("runner_configuration.job.cluster");
    expect(err.message).toContain("'nope'");
  });

  it("names job.subnets for an unknown subnet", async () => {
    h = await startHarness();
    const err = await dispatchError("sn", runnerSnapshot({ subnets: ["subnet-zzz"] }));
    expect(err.field).toBe("runner_configuration.job.subnets");
    expect(err.message).toContain("subnet-zzz");
    expect(h.callsOf("RunTask")).toHaveLength(1);
  });

  it("names the role and iam:PassRole when the orchestrator role may not pass it", async () => {
    h = await startHarness({ policy: withoutAction(seedPolicy(), "iam:PassRole") });
    const err = await dispatchError("pr");
    expect(err.field).toBe("runner_configuration.job.execution_role_arn");
    expect(err.message).toContain("iam:PassRole");
  });

  it("names the task role when ECS cannot assume it", async () => {
    // The fake account has the execution role but no task role.
    h = await startHarness({ ecs: { roles: [EXEC_ROLE] } });
    const err = await dispatchError("tr", runnerSnapshot({ task_role_arn: TASK_ROLE }));
    expect(err.field).toBe("runner_configuration.job.task_role_arn");
  });

  it("names auth.role_arn and the missing ECS permission", async () => {
    h = await startHarness({ policy: withoutAction(seedPolicy(), "ecs:RunTask") });
    const err = await dispatchError("perm");
    expect(err.field).toBe("runner_configuration.auth.role_arn");
    expect(err.message).toContain("ecs:RunTask");
    expect(err.category).toBe("user");
  });

  it("registers a fresh revision when ECS says the cached one is no longer active", async () => {
    h = await startHarness();
    const first = (await h.driver.dispatch(dispatchRequest("one"))) as { taskDefinitionArn: string };
    const client = await h.testEcsClient();
    await client.send(new DeregisterTaskDefinitionCommand({ taskDefinition: first.taskDefinitionArn }));
    const second = (await h.driver.dispatch(dispatchRequest("two"))) as { taskDefinitionArn: string };
    expect(second.taskDefinitionArn).not.toBe(first.taskDefinitionArn);
    expect(h.callsOf("RegisterTaskDefinition")).toHaveLength(2);
    expect(h.aws.ecs.tasks()).toHaveLength(2);
  });
});
