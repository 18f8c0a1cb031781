import { describe, expect, it } from "vitest";
import type { ServerlessEcsConfiguration } from "../../../src/config/runner-configuration.js";
import { classifyEcsException, classifyRunTaskFailure, RunnerFieldError } from "../../../src/drivers/serverless-ecs/ecs-errors.js";

const job: ServerlessEcsConfiguration["job"] = {
  region: "eu-central-1",
  cluster: "porch",
  subnets: ["subnet-a"],
  execution_role_arn: "arn:aws:iam::123456789012:role/exec",
  task_role_arn: "arn:aws:iam::123456789012:role/task",
  security_groups: ["sg-1"],
};
const ctx = { runnerId: "r1", operation: "ecs:RunTask", roleArn: "arn:aws:iam::123456789012:role/porch", job };

function awsError(name: string, message: string, status = 400) {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

function field(err: unknown): string | undefined {
  return err instanceof RunnerFieldError ? err.field : undefined;
}

describe("classifyEcsException", () => {
  it("throttling and server errors are transient", () => {
    expect(classifyEcsException(awsError("ThrottlingException", "Rate exceeded"), ctx).category).toBe("transient");
    expect(classifyEcsException(awsError("ServerException", "oops", 500), ctx).category).toBe("transient");
    expect(classifyEcsException(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), ctx).category).toBe("transient");
  });

  it("a missing cluster names job.cluster", () => {
    const err = classifyEcsException(awsError("ClusterNotFoundException", "Cluster not found."), ctx);
    expect(field(err)).toBe("runner_configuration.job.cluster");
    expect(err.category).toBe("user");
    expect(err.message).toContain("ecs:RunTask");
    expect(err.message).toContain("'r1'");
  });

  it("an unknown subnet names job.subnets, a bad security group job.security_groups", () => {
    expect(field(classifyEcsException(awsError("InvalidParameterException", "Error retrieving subnet information for [subnet-a]: The subnet ID 'subnet-a' does not exist"), ctx))).toBe(
      "runner_configuration.job.subnets",
    );
    expect(field(classifyEcsException(awsError("InvalidParameterException", "Error retrieving security group information for [sg-1]: The security group 'sg-1' does not exist"), ctx))).toBe(
      "runner_configuration.job.security_groups",
    );
  });

  it("iam:PassRole denials name the role that could not be passed", () => {
    const exec = classifyEcsException(
      awsError("AccessDeniedException", "User: arn:aws:sts::123456789012:assumed-role/porch/s is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/exec"),
      ctx,
    );
    expect(field(exec)).toBe("runner_configuration.job.execution_role_arn");
    expect(exec.message).toContain("iam:PassRole");
    const task = classifyEcsException(
      awsError("AccessDeniedException", "User: x is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/task because no identity-based policy allows it"),
      ctx,
    );
    expect(field(task)).toBe("runner_configuration.job.task_role_arn");
  });

  it("ECS access denials name auth.role_arn and the permission", () => {
    const err = classifyEcsException(awsError("AccessDeniedException", "User: x is not authorized to perform: ecs:RunTask on resource: arn:aws:ecs:..."), ctx);
    expect(field(err)).toBe("runner_configuration.auth.role_arn");
    expect(err.message).toContain("ecs:RunTask");
    expect(err.message).toContain("arn:aws:iam::123456789012:role/porch");
  });

  it("the CPU limit names job.cpu", () => {
    expect(field(classifyEcsException(awsError("ClientException", "The requested CPU configuration is above your limit"), ctx))).toBe("runner_configuration.job.cpu");
  });
});

describe("classifyRunTaskFailure", () => {
  it("capacity, RESOURCE:*, AGENT and network timeouts are transient", () => {
    for (const reason of ["Capacity is unavailable at this time. Please try again later or in a different availability zone", "RESOURCE:MEMORY", "AGENT", "Timeout waiting for network interface provisioning to complete."]) {
      expect(classifyRunTaskFailure({ reason }, ctx).category).toBe("transient");
    }
  });

  it("the CPU limit is a configuration error naming job.cpu", () => {
    const err = classifyRunTaskFailure({ reason: "The requested CPU configuration is above your limit" }, ctx);
    expect(err.category).toBe("user");
    expect(field(err)).toBe("runner_configuration.job.cpu");
  });
});
