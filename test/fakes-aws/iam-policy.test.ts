import {
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  TagResourceCommand,
} from "@aws-sdk/client-ecs";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { evaluatePolicy, SEED_DOCUMENTED_ORCHESTRATOR_POLICY, type FakeAws, type IamPolicyDocument } from "../fakes/aws/index.js";
import {
  ACCOUNT,
  CLUSTER,
  EXECUTION_ROLE,
  FAMILY,
  ISSUER,
  ORCHESTRATOR_ROLE,
  REGION,
  SUBJECT,
  assumeRole,
  awsError,
  awsvpc,
  createTestIssuer,
  ecsClient,
  fargateTaskDefinition,
  startDefaultFake,
  type TestIssuer,
} from "./support.js";

describe("IAM policy evaluation", () => {
  const policy: IamPolicyDocument = {
    Statement: [
      { Effect: "Allow", Action: ["ecs:Describe*", "ecs:RunTas?"], Resource: "arn:aws:ecs:eu-central-1:123456789012:task/app/*" },
      { Effect: "Allow", Action: "iam:PassRole", Resource: "*", Condition: { StringEquals: { "iam:PassedToService": ["ecs-tasks.amazonaws.com"] } } },
      { Effect: "Deny", Action: "ecs:DescribeTasks", Resource: "arn:aws:ecs:eu-central-1:123456789012:task/app/secret-*" },
    ],
  };

  it("matches actions case-insensitively with * and ?, resources case-sensitively", () => {
    expect(evaluatePolicy(policy, "ECS:describeTasks", "arn:aws:ecs:eu-central-1:123456789012:task/app/1")).toBe("allow");
    expect(evaluatePolicy(policy, "ecs:RunTask", "arn:aws:ecs:eu-central-1:123456789012:task/app/1")).toBe("allow");
    expect(evaluatePolicy(policy, "ecs:RunTasks", "arn:aws:ecs:eu-central-1:123456789012:task/app/1")).toBe("implicit-deny");
    expect(evaluatePolicy(policy, "ecs:DescribeTasks", "arn:aws:ecs:eu-central-1:123456789012:task/APP/1")).toBe("implicit-deny");
  });

  it("lets an explicit Deny win over an Allow", () => {
    expect(evaluatePolicy(policy, "ecs:DescribeTasks", "arn:aws:ecs:eu-central-1:123456789012:task/app/secret-1")).toBe("explicit-deny");
  });

  it("requires condition keys to be present and equal", () => {
    expect(evaluatePolicy(policy, "iam:PassRole", "arn:aws:iam::1:role/r", { "iam:PassedToService": "ecs-tasks.amazonaws.com" })).toBe("allow");
    expect(evaluatePolicy(policy, "iam:PassRole", "arn:aws:iam::1:role/r", { "iam:PassedToService": "lambda.amazonaws.com" })).toBe("implicit-deny");
    expect(evaluatePolicy(policy, "iam:PassRole", "arn:aws:iam::1:role/r")).toBe("implicit-deny");
  });

  it("is exactly the documented seed policy", () => {
    const seed = SEED_DOCUMENTED_ORCHESTRATOR_POLICY(ACCOUNT, REGION, CLUSTER);
    expect(seed.Statement.map((s) => s.Action)).toEqual([
      ["ecs:ListTaskDefinitions", "ecs:DeregisterTaskDefinition"],
      ["ecs:RegisterTaskDefinition", "ecs:DeleteTaskDefinitions"],
      ["ecs:ListTasks", "ecs:DescribeTasks", "ecs:RunTask", "ecs:TagResource"],
      "iam:PassRole",
    ]);
    expect(seed.Statement[3]?.Condition).toEqual({ StringLike: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } });
    expect(seed.Statement[2]?.Resource).toContain(`arn:aws:ecs:${REGION}:${ACCOUNT}:container-instance/${CLUSTER}/*`);
  });
});

describe("fake ECS authorizes every call with the caller's role policy", () => {
  let issuer: TestIssuer;
  let fake: FakeAws;

  beforeAll(async () => {
    issuer = await createTestIssuer();
  });
  beforeEach(async () => {
    fake = await startDefaultFake(issuer);
  });
  afterEach(() => fake.stop());

  it("lets the seed-documented role do the documented calls and nothing else", async () => {
    const ecs = ecsClient(fake, await assumeRole(fake, issuer));
    const tags = [{ key: "porch.dev/runner", value: "runner-1" }];

    const registered = await ecs.send(new RegisterTaskDefinitionCommand({ ...fargateTaskDefinition(), tags }));
    const arn = registered.taskDefinition!.taskDefinitionArn!;
    await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: FAMILY }));
    const run = await ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: arn, networkConfiguration: awsvpc, tags, startedBy: "porch" }));
    const taskArn = run.tasks![0]!.taskArn!;
    await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [taskArn] }));
    await ecs.send(new ListTasksCommand({ cluster: CLUSTER, startedBy: "porch" }));
    await ecs.send(new TagResourceCommand({ resourceArn: taskArn, tags: [{ key: "porch.dev/deployment", value: "d-1" }] }));

    const stop = await awsError(ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: taskArn, reason: "cancelled" })));
    expect(stop.name).toBe("AccessDeniedException");
    expect(stop.message).toBe(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/porch-orchestrator/porch-test is not authorized to perform: ecs:StopTask on resource: ${taskArn} because no identity-based policy allows the ecs:StopTask action`,
    );
    const describe = await awsError(ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn })));
    expect(describe.name).toBe("AccessDeniedException");

    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
    await ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: [arn] }));

    const principal = `arn:aws:sts::${ACCOUNT}:assumed-role/porch-orchestrator/porch-test`;
    const ecsCalls = fake.calls.filter((call) => call.service === "ecs");
    expect(ecsCalls.every((call) => call.principal === principal)).toBe(true);
    expect(ecsCalls.filter((call) => !call.error).map((call) => call.action)).toEqual([
      "RegisterTaskDefinition",
      "ListTaskDefinitions",
      "RunTask",
      "DescribeTasks",
      "ListTasks",
      "TagResource",
      "DeregisterTaskDefinition",
      "DeleteTaskDefinitions",
    ]);
    expect(ecsCalls.filter((call) => call.error).map((call) => [call.action, call.error])).toEqual([
      ["StopTask", "AccessDeniedException"],
      ["DescribeTaskDefinition", "AccessDeniedException"],
    ]);
  });

  it("refuses a task definition family outside humanitec_* and tasks in another cluster", async () => {
    const ecs = ecsClient(fake, await assumeRole(fake, issuer));
    const error = await awsError(ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition({ family: "porch_runner" }))));
    expect(error.name).toBe("AccessDeniedException");
    expect(error.message).toContain(`ecs:RegisterTaskDefinition on resource: arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/porch_runner:1`);

    const listOther = await awsError(ecs.send(new ListTasksCommand({ cluster: "other-cluster" })));
    expect(listOther.name).toBe("AccessDeniedException");
  });

  it("checks iam:PassRole with iam:PassedToService = ecs-tasks.amazonaws.com", async () => {
    const policy: IamPolicyDocument = {
      Statement: [
        { Effect: "Allow", Action: "ecs:*", Resource: "*" },
        { Effect: "Allow", Action: "iam:PassRole", Resource: EXECUTION_ROLE, Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } } },
      ],
    };
    await fake.stop();
    fake = await startDefaultFake(issuer, { sts: { issuer: ISSUER, jwks: () => issuer.jwks(), roles: [{ roleArn: ORCHESTRATOR_ROLE, subject: SUBJECT, policy }] } });
    const ecs = ecsClient(fake, await assumeRole(fake, issuer));

    await expect(ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition({ taskRoleArn: undefined })))).resolves.toBeDefined();
    const error = await awsError(ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition())));
    expect(error.name).toBe("AccessDeniedException");
    expect(error.message).toContain("is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/runner-task-role");
  });
});
