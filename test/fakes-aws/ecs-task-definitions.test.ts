import {
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type ECSClient,
} from "@aws-sdk/client-ecs";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FakeAws } from "../fakes/aws/index.js";
import { CLUSTER, FAMILY, ISSUER, ORCHESTRATOR_ROLE, SUBJECT, assumeRole, awsError, awsvpc, createTestIssuer, ecsClient, fargateTaskDefinition, startDefaultFake, type TestIssuer } from "./support.js";

describe("fake ECS task definitions", () => {
  let issuer: TestIssuer;
  let fake: FakeAws;
  let ecs: ECSClient;

  beforeAll(async () => {
    issuer = await createTestIssuer();
  });
  beforeEach(async () => {
    // A broad policy: these tests are about ECS's own rules, not IAM.
    fake = await startDefaultFake(issuer, {
      sts: { issuer: ISSUER, jwks: () => issuer.jwks(), roles: [{ roleArn: ORCHESTRATOR_ROLE, subject: SUBJECT, policy: { Statement: [{ Effect: "Allow", Action: ["ecs:*", "iam:PassRole"], Resource: "*" }] } }] },
    });
    ecs = ecsClient(fake, await assumeRole(fake, issuer));
  });
  afterEach(() => fake.stop());

  const register = (family = FAMILY) => ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition({ family })));

  it("adds a revision per registration and describes the latest ACTIVE one by family", async () => {
    await register();
    const second = await ecs.send(new RegisterTaskDefinitionCommand({ ...fargateTaskDefinition(), tags: [{ key: "porch.dev/hash", value: "abc" }] }));
    expect(second.taskDefinition?.revision).toBe(2);
    expect(second.taskDefinition?.compatibilities).toContain("FARGATE");
    expect(second.taskDefinition?.registeredAt).toBeInstanceOf(Date);

    const described = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: FAMILY }));
    expect(described.taskDefinition?.taskDefinitionArn).toBe(second.taskDefinition?.taskDefinitionArn);
    expect(described.tags).toBeUndefined();
    const withTags = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: `${FAMILY}:2`, include: ["TAGS"] }));
    expect(withTags.tags).toEqual([{ key: "porch.dev/hash", value: "abc" }]);
    expect(fake.ecs.taskDefinitions().map((td) => [td.revision, td.tags])).toEqual([
      [1, {}],
      [2, { "porch.dev/hash": "abc" }],
    ]);
  });

  it("enforces the Fargate rules ECS applies at registration", async () => {
    const cases: Array<[Parameters<typeof fargateTaskDefinition>[0], string]> = [
      [{ cpu: "256", memory: "4096" }, "No Fargate configuration exists for given values: 256 CPU, 4096 memory"],
      [{ networkMode: "bridge" }, "Fargate only supports network mode 'awsvpc'"],
      [{ cpu: undefined }, "Fargate requires that 'cpu' be defined at the task level"],
      [
        { executionRoleArn: undefined, containerDefinitions: [{ name: "runner", image: "i", secrets: [{ name: "S", valueFrom: "arn:aws:ssm:eu-central-1:123456789012:parameter/x" }] }] },
        "you must also specify a value for 'executionRoleArn'",
      ],
      [
        { executionRoleArn: undefined, containerDefinitions: [{ name: "runner", image: "i", logConfiguration: { logDriver: "awslogs", options: {} } }] },
        "execution role ARN to support log driver awslogs",
      ],
      [{ family: "has space" }, "Family name can be up to 255 letters"],
      [{ containerDefinitions: [{ name: "runner", image: "i", essential: false }] }, "does not have any essential container"],
    ];
    for (const [overrides, message] of cases) {
      const error = await awsError(ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition(overrides))));
      expect(error.name, message).toBe("ClientException");
      expect(error.message).toContain(message);
    }
    await expect(ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition({ cpu: "1 vCPU", memory: "8 GB" })))).resolves.toBeDefined();
  });

  it("limits tags to 50 per resource, keys to 128 and values to 256 characters", async () => {
    const many = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: "v" }));
    expect((await awsError(ecs.send(new RegisterTaskDefinitionCommand({ ...fargateTaskDefinition(), tags: many })))).name).toBe("InvalidParameterException");
    expect((await awsError(ecs.send(new RegisterTaskDefinitionCommand({ ...fargateTaskDefinition(), tags: [{ key: "k".repeat(129), value: "v" }] })))).name).toBe(
      "InvalidParameterException",
    );
    expect((await awsError(ecs.send(new RegisterTaskDefinitionCommand({ ...fargateTaskDefinition(), tags: [{ key: "k", value: "v".repeat(257) }] })))).name).toBe(
      "InvalidParameterException",
    );
    expect(fake.ecs.taskDefinitions()).toEqual([]);
  });

  it("lists revisions of exactly the family given as familyPrefix, by status, sorted and paginated", async () => {
    for (let i = 0; i < 3; i++) await register();
    await register(`${FAMILY}_other`);
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: `${FAMILY}:1` }));

    const active = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: FAMILY }));
    expect(active.taskDefinitionArns?.map((arn) => arn.split("/")[1])).toEqual([`${FAMILY}:2`, `${FAMILY}:3`]);
    const inactive = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: FAMILY, status: "INACTIVE" }));
    expect(inactive.taskDefinitionArns?.map((arn) => arn.split("/")[1])).toEqual([`${FAMILY}:1`]);

    const first = await ecs.send(new ListTaskDefinitionsCommand({ sort: "DESC", maxResults: 2 }));
    expect(first.taskDefinitionArns?.map((arn) => arn.split("/")[1])).toEqual([`${FAMILY}_other:1`, `${FAMILY}:3`]);
    expect(first.nextToken).toBeDefined();
    const second = await ecs.send(new ListTaskDefinitionsCommand({ sort: "DESC", maxResults: 2, nextToken: first.nextToken }));
    expect(second.taskDefinitionArns?.map((arn) => arn.split("/")[1])).toEqual([`${FAMILY}:2`]);
    expect(second.nextToken).toBeUndefined();
  });

  it("deletes only INACTIVE revisions, at most 10 per call, answering failures for the rest", async () => {
    const one = (await register()).taskDefinition!.taskDefinitionArn!;
    const two = (await register()).taskDefinition!.taskDefinitionArn!;
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: one }));

    const answer = await ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: [one, two, `${FAMILY}:9`] }));
    expect(answer.taskDefinitions?.map((td) => [td.taskDefinitionArn, td.status])).toEqual([[one, "DELETE_IN_PROGRESS"]]);
    expect(answer.failures?.map((f) => f.arn)).toEqual([two, `${FAMILY}:9`]);
    expect(answer.failures?.[0]?.reason).toContain("ACTIVE");
    expect(fake.ecs.taskDefinitions().map((td) => td.status)).toEqual(["DELETE_IN_PROGRESS", "ACTIVE"]);

    const tooMany = await awsError(ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: Array.from({ length: 11 }, (_, i) => `${FAMILY}:${i + 1}`) })));
    expect(tooMany.name).toBe("InvalidParameterException");
  });

  it("refuses to run a deregistered revision", async () => {
    const arn = (await register()).taskDefinition!.taskDefinitionArn!;
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
    const error = await awsError(ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: arn, networkConfiguration: awsvpc })));
    expect(error.name).toBe("ClientException");
    expect(error.message).toContain("inactive");
  });
});
