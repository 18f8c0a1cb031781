import { DescribeTasksCommand, ListTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, type ECSClient, type RunTaskCommandInput } from "@aws-sdk/client-ecs";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FakeAws, FakeAwsOptions } from "../fakes/aws/index.js";
import { CLUSTER, ISSUER, ORCHESTRATOR_ROLE, SUBJECT, SUBNET, assumeRole, awsError, awsvpc, createTestIssuer, ecsClient, fargateTaskDefinition, startDefaultFake, type TestIssuer } from "./support.js";

describe("fake ECS RunTask, DescribeTasks and ListTasks", () => {
  let issuer: TestIssuer;
  let fake: FakeAws;
  let ecs: ECSClient;
  let taskDefinition: string;

  beforeAll(async () => {
    issuer = await createTestIssuer();
  });

  async function start(ecsOptions: Partial<NonNullable<FakeAwsOptions["ecs"]>> = {}): Promise<void> {
    fake = await startDefaultFake(issuer, {
      sts: { issuer: ISSUER, jwks: () => issuer.jwks(), roles: [{ roleArn: ORCHESTRATOR_ROLE, subject: SUBJECT, policy: { Statement: [{ Effect: "Allow", Action: ["ecs:*", "iam:PassRole"], Resource: "*" }] } }] },
      ecs: { clusters: [{ name: CLUSTER }, { name: "retired", status: "INACTIVE" }, { name: "ec2-only", fargate: false }], ...ecsOptions },
    });
    ecs = ecsClient(fake, await assumeRole(fake, issuer));
    taskDefinition = (await ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition()))).taskDefinition!.taskDefinitionArn!;
  }

  beforeEach(() => start());
  afterEach(() => fake.stop());

  const run = (input: Partial<RunTaskCommandInput> = {}) => ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition, networkConfiguration: awsvpc, launchType: "FARGATE", ...input }));

  it("returns the same task for a repeated clientToken and never starts a second one", async () => {
    const first = await run({ clientToken: "deployment-42-attempt-1", startedBy: "porch" });
    const again = await run({ clientToken: "deployment-42-attempt-1", startedBy: "porch" });

    expect(again.tasks?.map((t) => t.taskArn)).toEqual(first.tasks?.map((t) => t.taskArn));
    expect(fake.ecs.tasks()).toHaveLength(1);
    expect(fake.ecs.tasks()[0]).toMatchObject({ clientToken: "deployment-42-attempt-1", startedBy: "porch", subnets: [SUBNET] });

    const conflict = await awsError(run({ clientToken: "deployment-42-attempt-1", startedBy: "someone-else" }));
    expect(conflict.name).toBe("ConflictException");
    expect(conflict.raw.resourceIds).toEqual(first.tasks?.map((t) => t.taskArn));
    expect(fake.ecs.tasks()).toHaveLength(1);
  });

  it("answers failures[] without a task when told to, then starts tasks again", async () => {
    fake.ecs.failNextRunTask({ reason: "Capacity is unavailable at this time. Please try again later or in a different availability zone" }, 2);

    for (let i = 0; i < 2; i++) {
      const answer = await run();
      expect(answer.tasks).toEqual([]);
      expect(answer.failures?.[0]?.reason).toContain("Capacity is unavailable");
    }
    const third = await run();
    expect(third.tasks).toHaveLength(1);
    expect(third.failures).toEqual([]);
  });

  it("throttles RunTask with a token bucket when a rate is set", async () => {
    fake.ecs.setRunTaskRate({ perSecond: 0.001, burst: 2 });
    await run();
    await run();
    const throttled = await awsError(run());
    expect(throttled.name).toBe("ThrottlingException");
    expect(throttled.message).toBe("Rate exceeded");
    expect(fake.ecs.tasks()).toHaveLength(2);

    fake.ecs.setRunTaskRate(null);
    await expect(run()).resolves.toMatchObject({ failures: [] });
  });

  it("validates cluster, capacity, network, overrides and clientToken like ECS", async () => {
    const expectations: Array<[Partial<RunTaskCommandInput>, string, string?]> = [
      [{ cluster: "nope" }, "ClusterNotFoundException"],
      [{ cluster: "retired" }, "ClusterNotFoundException", "inactive"],
      [{ cluster: "ec2-only", launchType: undefined }, "InvalidParameterException", "No Container Instances"],
      [{ capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] }, "InvalidParameterException", "launch type and capacity provider strategy"],
      [{ networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-unknown"] } } }, "InvalidParameterException", "subnet-unknown"],
      [{ networkConfiguration: undefined }, "InvalidParameterException", "Network Configuration must be provided"],
      [{ clientToken: "t".repeat(65) }, "InvalidParameterException", "clientToken"],
      [{ overrides: { containerOverrides: [{ name: "runner", environment: [{ name: "BIG", value: "x".repeat(8200) }] }] } }, "InvalidParameterException", "8192"],
      [{ overrides: { containerOverrides: [{ name: "sidecar" }] } }, "InvalidParameterException", "not a container in the TaskDefinition"],
      [{ taskDefinition: "humanitec_unknown:1" }, "ClientException", "TaskDefinition not found"],
    ];
    for (const [input, name, message] of expectations) {
      const error = await awsError(run(input));
      expect(error.name, JSON.stringify(input).slice(0, 80)).toBe(name);
      if (message) expect(error.message).toContain(message);
    }
    expect(fake.ecs.tasks()).toEqual([]);

    const spot = await run({ launchType: undefined, capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] });
    expect(spot.tasks?.[0]?.capacityProviderName).toBe("FARGATE_SPOT");
  });

  it("refuses roles that do not exist", async () => {
    await fake.stop();
    await start({ roles: [] });
    const error = await awsError(run());
    expect(error.name).toBe("ClientException");
    expect(error.message).toContain("ECS was unable to assume the role");
  });

  it("describes up to 100 tasks, with tags only when asked, and MISSING for unknown or forgotten ones", async () => {
    const taskArn = (await run({ tags: [{ key: "porch.dev/deployment", value: "d-1" }] })).tasks![0]!.taskArn!;
    const unknown = taskArn.replace(/[0-9a-f]{32}$/, "0".repeat(32));

    const answer = await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [taskArn, unknown] }));
    expect(answer.tasks?.map((t) => t.taskArn)).toEqual([taskArn]);
    expect(answer.tasks?.[0]?.tags).toBeUndefined();
    expect(answer.failures).toEqual([{ arn: unknown, reason: "MISSING" }]);
    const tagged = await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [taskArn], include: ["TAGS"] }));
    expect(tagged.tasks?.[0]?.tags).toEqual([{ key: "porch.dev/deployment", value: "d-1" }]);

    fake.ecs.forget(taskArn);
    const forgotten = await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [taskArn] }));
    expect(forgotten.tasks).toEqual([]);
    expect(forgotten.failures).toEqual([{ arn: taskArn, reason: "MISSING" }]);

    const tooMany = await awsError(ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: Array.from({ length: 101 }, () => taskArn) })));
    expect(tooMany.name).toBe("InvalidParameterException");
  });

  it("keeps a stopped task describable only for describeRetentionMs", async () => {
    await fake.stop();
    const retentionMs = 500;
    await start({ describeRetentionMs: retentionMs, timings: { provisioningMs: 1, pendingMs: 1, activatingMs: 1, stoppingMs: 2 } });
    const taskArn = (await run()).tasks![0]!.taskArn!;
    fake.ecs.stopTaskWith(taskArn, { stopCode: "SpotInterruption", stoppedReason: "Your Spot Task was interrupted." });
    const stopped = await fake.ecs.waitForStatus(taskArn, "STOPPED");
    expect(stopped.stopCode).toBe("SpotInterruption");

    const whileKept = await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [taskArn] }));
    expect(whileKept.tasks?.[0]?.lastStatus).toBe("STOPPED");
    await new Promise((resolve) => setTimeout(resolve, stopped.stoppedAt!.getTime() + retentionMs + 20 - Date.now()));
    const after = await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [taskArn] }));
    expect(after.failures).toEqual([{ arn: taskArn, reason: "MISSING" }]);
  });

  it("lists tasks by startedBy and desired status", async () => {
    const mine = (await run({ startedBy: "porch-d-1" })).tasks![0]!.taskArn!;
    await run({ startedBy: "porch-d-2" });

    const running = await ecs.send(new ListTasksCommand({ cluster: CLUSTER, startedBy: "porch-d-1" }));
    expect(running.taskArns).toEqual([mine]);

    fake.ecs.stopTaskWith(mine, { stopCode: "UserInitiated", stoppedReason: "test" });
    await fake.ecs.waitForStatus(mine, "STOPPED");
    expect((await ecs.send(new ListTasksCommand({ cluster: CLUSTER, startedBy: "porch-d-1" }))).taskArns).toEqual([]);
    expect((await ecs.send(new ListTasksCommand({ cluster: CLUSTER, startedBy: "porch-d-1", desiredStatus: "STOPPED" }))).taskArns).toEqual([mine]);
  });
});
