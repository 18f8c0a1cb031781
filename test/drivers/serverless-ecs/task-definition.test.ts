import { describe, expect, it } from "vitest";
import type { ServerlessEcsConfiguration } from "../../../src/config/runner-configuration.js";
import { canonicalJson, DEFINITION_HASH_TAG, renderTaskDefinition } from "../../../src/drivers/serverless-ecs/task-definition.js";

type Job = ServerlessEcsConfiguration["job"];
const baseJob: Job = {
  region: "eu-central-1",
  cluster: "porch-cluster",
  subnets: ["subnet-a"],
  execution_role_arn: "arn:aws:iam::123456789012:role/exec",
};

function render(job: Partial<Job> = {}) {
  return renderTaskDefinition({ family: "humanitec_org_runner", job: { ...baseJob, ...job }, defaultImage: "ghcr.io/porch/runner:1", orgId: "org", runnerId: "runner" });
}

function container(job: Partial<Job> = {}) {
  return render(job).input.containerDefinitions![0]!;
}

describe("renderTaskDefinition", () => {
  it("renders a Fargate awsvpc definition with one essential runner container and the default size", () => {
    const { input } = render();
    expect(input).toMatchObject({
      family: "humanitec_org_runner",
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: "512",
      memory: "1024",
      executionRoleArn: baseJob.execution_role_arn,
    });
    expect(input.containerDefinitions).toHaveLength(1);
    expect(container()).toMatchObject({ name: "runner", image: "ghcr.io/porch/runner:1", essential: true, stopTimeout: 120 });
    expect(container().logConfiguration).toBeUndefined();
  });

  it("uses the execution role inside the task when no task role is configured", () => {
    expect(render().input.taskRoleArn).toBe(baseJob.execution_role_arn);
    expect(render({ task_role_arn: "arn:aws:iam::123456789012:role/task" }).input.taskRoleArn).toBe("arn:aws:iam::123456789012:role/task");
  });

  it("puts job.environment, AWS_REGION and the secret names in the environment, secrets as valueFrom", () => {
    const c = container({
      environment: { B_VAR: "2", A_VAR: "1" },
      secrets: {
        TOKEN: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:app/token-AbCdEf",
        ENDPOINT: "arn:aws:ssm:eu-central-1:123456789012:parameter/app/endpoint",
      },
    });
    expect(c.environment).toEqual([
      { name: "AWS_REGION", value: "eu-central-1" },
      { name: "A_VAR", value: "1" },
      { name: "B_VAR", value: "2" },
      { name: "PORCH_SECRET_ENV_NAMES", value: "ENDPOINT,TOKEN" },
    ]);
    expect(c.secrets).toEqual([
      { name: "ENDPOINT", valueFrom: "arn:aws:ssm:eu-central-1:123456789012:parameter/app/endpoint" },
      { name: "TOKEN", valueFrom: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:app/token-AbCdEf" },
    ]);
    expect(JSON.stringify(c)).not.toContain("PORCH_JOB_TOKEN");
  });

  it("resolves cpu and memory as strings, picking the partner of a single given value", () => {
    expect(render({ cpu: 1024 }).input).toMatchObject({ cpu: "1024", memory: "2048" });
    expect(render({ cpu: 2048, memory: 8192 }).input).toMatchObject({ cpu: "2048", memory: "8192" });
    expect(render({ memory: 30720 }).input).toMatchObject({ cpu: "4096", memory: "30720" });
    expect(() => render({ cpu: 300 })).toThrow(/runner_configuration\.job\.cpu/);
  });

  it("adds awslogs only when a log group is set", () => {
    expect(container({ log_group: "/porch/runners", image: "repo/img:2" })).toMatchObject({
      image: "repo/img:2",
      logConfiguration: {
        logDriver: "awslogs",
        options: { "awslogs-group": "/porch/runners", "awslogs-region": "eu-central-1", "awslogs-stream-prefix": "porch" },
      },
    });
  });

  it("hashes equal configurations equally and tags the hash", () => {
    const a = render({ environment: { X: "1", Y: "2" } });
    const b = render({ environment: { Y: "2", X: "1" } });
    expect(a.hash).toBe(b.hash);
    expect(a.input.tags).toContainEqual({ key: DEFINITION_HASH_TAG, value: a.hash });
    expect(render({ environment: { X: "1", Y: "3" } }).hash).not.toBe(a.hash);
    expect(render({ cpu: 1024 }).hash).not.toBe(render().hash);
  });

  it("capacity provider strategy is a RunTask matter and leaves the definition unchanged", () => {
    expect(render({ capacity_provider_strategy: [{ capacity_provider: "FARGATE_SPOT" }] }).hash).toBe(render().hash);
  });
});

describe("canonicalJson", () => {
  it("sorts keys at every level and drops undefined", () => {
    expect(canonicalJson({ b: 1, a: { d: [{ y: 1, x: 2 }], c: undefined } })).toBe('{"a":{"d":[{"x":2,"y":1}]},"b":1}');
  });
});
