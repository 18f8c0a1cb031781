import { afterEach, describe, expect, it } from "vitest";
import { CLUSTER, DEFAULT_IMAGE, dispatchRequest, EXEC_ROLE, runnerSnapshot, startHarness, TASK_ROLE, type Harness } from "./support/harness.js";

let h: Harness;
afterEach(async () => h?.close());

describe("serverless-ecs dispatch", () => {
  it("registers the runner's definition and runs one Fargate task with per-deployment overrides and tags", async () => {
    h = await startHarness();
    const handle = await h.driver.dispatch(dispatchRequest("dep-1", runnerSnapshot({ environment: { TF_VAR_x: "1" }, is_public_ip_enabled: true, security_groups: ["sg-1"] })));

    const [definition] = h.aws.ecs.taskDefinitions();
    expect(definition).toMatchObject({ family: "humanitec_acme_ecs-runner", revision: 1, status: "ACTIVE" });
    expect(definition!.tags["porch:definition-hash"]).toMatch(/^[0-9a-f]{32}$/);
    const body = definition!.body as { taskRoleArn: string; containerDefinitions: Array<{ image: string; environment: Array<{ name: string; value: string }> }> };
    expect(body.taskRoleArn).toBe(EXEC_ROLE);
    expect(body.containerDefinitions[0]!.image).toBe(DEFAULT_IMAGE);
    expect(JSON.stringify(body)).not.toContain("PORCH_JOB_TOKEN");
    expect(body.containerDefinitions[0]!.environment).toContainEqual({ name: "TF_VAR_x", value: "1" });

    const [task] = h.aws.ecs.tasks();
    expect(task).toMatchObject({
      cluster: CLUSTER,
      taskDefinitionArn: definition!.arn,
      clientToken: "porch-dep-1",
      startedBy: "dep-1",
      launchType: "FARGATE",
      subnets: ["subnet-a"],
      securityGroups: ["sg-1"],
      assignPublicIp: "ENABLED",
      tags: {
        "porch:managed-by": "porch",
        "porch:org": "acme",
        "porch:project": "shop",
        "porch:env": "dev",
        "porch:runner": "ecs-runner",
        "porch:deployment": "dep-1",
      },
    });
    expect(task!.overrides).toEqual({
      containerOverrides: [
        {
          name: "runner",
          environment: [
            { name: "PORCH_API_URL", value: "https://porch.test" },
            { name: "PORCH_DEPLOYMENT_ID", value: "dep-1" },
            { name: "PORCH_JOB_TOKEN", value: "token-for-dep-1" },
          ],
        },
      ],
    });
    expect(handle).toMatchObject({ taskArn: task!.taskArn, cluster: CLUSTER, region: "eu-central-1", accountId: "123456789012", taskDefinitionArn: definition!.arn });
  });

  it("the container gets job environment, AWS_REGION, secret names and the overrides", async () => {
    h = await startHarness({
      ecs: {},
    });
    await h.driver.dispatch(dispatchRequest("dep-env", runnerSnapshot({ task_role_arn: TASK_ROLE, environment: { A: "a" } })));
    const [task] = h.aws.ecs.tasks();
    const running = await h.aws.ecs.waitForStatus(task!.taskArn, "RUNNING");
    expect(running.env).toMatchObject({ A: "a", AWS_REGION: "eu-central-1", PORCH_DEPLOYMENT_ID: "dep-env", PORCH_JOB_TOKEN: "token-for-dep-env" });
    expect((h.aws.ecs.taskDefinitions()[0]!.body as { taskRoleArn: string }).taskRoleArn).toBe(TASK_ROLE);
  });

  it("uses capacityProviderStrategy instead of launchType when configured", async () => {
    h = await startHarness();
    await h.driver.dispatch(dispatchRequest("dep-spot", runnerSnapshot({ capacity_provider_strategy: [{ capacity_provider: "FARGATE_SPOT", weight: 1 }] })));
    const [call] = h.callsOf("RunTask");
    expect(call!.request).toMatchObject({ capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] });
    expect((call!.request as Record<string, unknown>).launchType).toBeUndefined();
    expect(h.aws.ecs.tasks()[0]!.capacityProviderName).toBe("FARGATE_SPOT");
  });

  it("reuses the revision while the definition is unchanged and registers a new one when it changes", async () => {
    h = await startHarness();
    await h.driver.dispatch(dispatchRequest("d1"));
    await h.driver.dispatch(dispatchRequest("d2"));
    await h.driver.dispatch(dispatchRequest("d3"));
    expect(h.callsOf("RegisterTaskDefinition")).toHaveLength(1);
    await h.driver.dispatch(dispatchRequest("d4", runnerSnapshot({ cpu: 1024 })));
    expect(h.callsOf("RegisterTaskDefinition")).toHaveLength(2);
    const tasks = h.aws.ecs.tasks();
    expect(new Set(tasks.slice(0, 3).map((t) => t.taskDefinitionArn)).size).toBe(1);
    expect(tasks[3]!.taskDefinitionArn).toMatch(/:2$/);
  });

  it("registers once after a restart (no permission lets it read back an existing revision)", async () => {
    h = await startHarness();
    await h.driver.dispatch(dispatchRequest("before"));
    const restarted = h.restartDriver();
    await restarted.dispatch(dispatchRequest("after-1"));
    await restarted.dispatch(dispatchRequest("after-2"));
    expect(h.callsOf("RegisterTaskDefinition")).toHaveLength(2);
  });

  it("assumes the role once for many deployments and counts AWS calls by action", async () => {
    h = await startHarness();
    await Promise.all(["a", "b", "c", "d", "e"].map((id) => h.driver.dispatch(dispatchRequest(id))));
    expect(h.callsOf("AssumeRoleWithWebIdentity")).toHaveLength(1);
    expect(h.callsOf("RegisterTaskDefinition")).toHaveLength(1);
    await h.driver.idle();
    const stats = h.driver.stats();
    expect(stats).toMatchObject({ "sts:AssumeRoleWithWebIdentity": 1, "ecs:RegisterTaskDefinition": 1, "ecs:RunTask": 5 });
    expect(stats["ecs:ListTaskDefinitions"]).toBe(h.callsOf("ListTaskDefinitions").length);
  });

  it("refuses per-deployment values larger than ECS's 8192-byte override limit", async () => {
    h = await startHarness();
    const req = dispatchRequest("big");
    req.env.PORCH_EXTRA = "x".repeat(9000);
    await expect(h.driver.dispatch(req)).rejects.toMatchObject({ code: "ecs_overrides_too_large" });
    expect(h.callsOf("RunTask")).toHaveLength(0);
  });
});
