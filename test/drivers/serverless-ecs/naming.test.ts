import { describe, expect, it } from "vitest";
import {
  accountIdFromRoleArn,
  ecsTagValue,
  issuerConditionPrefix,
  parseTaskDefinitionArn,
  roleSessionName,
  runTaskClientToken,
  startedByTag,
  taskDefinitionFamily,
} from "../../../src/drivers/serverless-ecs/naming.js";

describe("names porch gives to AWS resources", () => {
  it("family is humanitec_<org>_<runner>, sanitised and at most 255 characters", () => {
    expect(taskDefinitionFamily("acme", "ecs-runner")).toBe("humanitec_acme_ecs-runner");
    expect(taskDefinitionFamily("acme.co", "r1", "custom")).toBe("custom_acme-co_r1");
    const long = taskDefinitionFamily("o".repeat(200), "r".repeat(200));
    expect(long.length).toBe(255);
    expect(long).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(long).not.toBe(taskDefinitionFamily("o".repeat(200), `${"r".repeat(199)}x`));
  });

  it("session name defaults to <org>-<runner> within STS's alphabet and 2..64 characters", () => {
    expect(roleSessionName("acme", "runner")).toBe("acme-runner");
    expect(roleSessionName("acme", "r", "custom@name")).toBe("custom@name");
    expect(roleSessionName("a/b", "c d")).toBe("a-b-c-d");
    expect(roleSessionName("x".repeat(50), "y".repeat(50))).toHaveLength(64);
  });

  it("clientToken is deterministic, at most 64 characters, and differs per attempt", () => {
    expect(runTaskClientToken("d-1")).toBe(runTaskClientToken("d-1"));
    expect(runTaskClientToken("d-1", 2)).not.toBe(runTaskClientToken("d-1"));
    const long = runTaskClientToken("x".repeat(100), 3);
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).toBe(runTaskClientToken("x".repeat(100), 3));
  });

  it("startedBy is the deployment id when it fits, a hash otherwise (at most 36 characters)", () => {
    const uuid = "0b6a4c36-4a3e-4a52-9a0e-3f1c2f8f9d11";
    expect(startedByTag(uuid)).toBe(uuid);
    const tag = startedByTag(`${uuid}-retry`);
    expect(tag.length).toBeLessThanOrEqual(36);
    expect(tag).toMatch(/^[A-Za-z0-9_/-]+$/);
  });

  it("parses family and revision from task definition ARNs", () => {
    expect(parseTaskDefinitionArn("arn:aws:ecs:eu-central-1:123456789012:task-definition/humanitec_a_b:12")).toEqual({ family: "humanitec_a_b", revision: 12 });
    expect(parseTaskDefinitionArn("nonsense")).toBeUndefined();
  });

  it("small helpers", () => {
    expect(accountIdFromRoleArn("arn:aws:iam::123456789012:role/x")).toBe("123456789012");
    expect(ecsTagValue("a#b")).toBe("a_b");
    expect(issuerConditionPrefix("https://porch.example.com/oidc/")).toBe("porch.example.com/oidc");
  });
});
