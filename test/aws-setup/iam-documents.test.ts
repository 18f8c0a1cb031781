import { describe, expect, it } from "vitest";
import { diffLines, grantLines, iamDocumentLines } from "../../src/aws-setup/grant-lines.js";
import { renderIamDocuments } from "../../src/aws-setup/iam-documents.js";
import { resolveIamInputs, type IamInputsDraft } from "../../src/aws-setup/iam-inputs.js";
import { DELIBERATE_DIFFERENCES, SEED_EXAMPLE } from "../../src/aws-setup/seed-differences.js";
import { ORCHESTRATOR_AWS_ACTIONS } from "../../src/drivers/serverless-ecs/aws-actions.js";
import { ValidationError } from "../../src/errors/porch-error.js";
import { evaluatePolicy, type IamPolicyDocument } from "../fakes/aws/index.js";
import { SEED_000, SEED_ACCOUNT, SEED_CLUSTER, SEED_ORG, SEED_PARAMETER_ARN, SEED_REGION, SEED_RUNNER, SEED_SECRET_ARN } from "./seed-000-documents.js";

const base: IamInputsDraft = {
  orgId: "acme",
  runnerId: "ecs-prod",
  accountId: "111122223333",
  region: "eu-west-1",
  cluster: "jobs",
  issuerUrl: "https://porch.example.com/oidc",
};
const docsFor = (extra: IamInputsDraft = {}) => renderIamDocuments(resolveIamInputs({ ...base, ...extra }));

function seedLines(): Record<string, string[]> {
  return {
    oidc_provider: [`url ${SEED_000.oidcProvider.url}`, ...SEED_000.oidcProvider.clientIds.map((c) => `client_id ${c}`)].sort(),
    "orchestrator_role.trust_policy": grantLines(SEED_000.orchestratorTrust),
    "orchestrator_role.policy": grantLines(SEED_000.orchestratorPolicy),
    "orchestrator_role.managed_policies": [],
    "execution_role.trust_policy": grantLines(SEED_000.executionTrust),
    "execution_role.policy": grantLines(SEED_000.executionSecretsPolicy),
    "execution_role.managed_policies": SEED_000.executionManagedPolicies.map((a) => `attach ${a}`),
    "task_role.trust_policy": grantLines(SEED_000.taskTrust),
    "task_role.policy": [],
    "task_role.managed_policies": [],
  };
}

describe("porch aws iam documents against the setup guide (seed 000)", () => {
  it("uses the guide's example values", () => {
    expect(SEED_EXAMPLE).toMatchObject({ orgId: SEED_ORG, runnerId: SEED_RUNNER, accountId: SEED_ACCOUNT, region: SEED_REGION, cluster: SEED_CLUSTER });
    expect(SEED_EXAMPLE.secretArns).toEqual([SEED_SECRET_ARN, SEED_PARAMETER_ARN]);
  });

  it("differs from the guide's documents exactly by the deliberate-differences table, line by line", () => {
    const ours = iamDocumentLines(renderIamDocuments(resolveIamInputs(SEED_EXAMPLE)));
    const seed = seedLines();
    expect(Object.keys(ours).sort()).toEqual(Object.keys(seed).sort());
    const actual: Record<string, { removed: string[]; added: string[] }> = {};
    for (const key of Object.keys(ours)) {
      const d = diffLines(seed[key]!, ours[key]!);
      if (d.removed.length + d.added.length > 0) actual[key] = { removed: d.removed.sort(), added: d.added.sort() };
    }
    const table: Record<string, { removed: string[]; added: string[] }> = {};
    for (const entry of DELIBERATE_DIFFERENCES) {
      const slot = (table[entry.document] ??= { removed: [], added: [] });
      slot.removed.push(...entry.removed);
      slot.added.push(...entry.added);
    }
    for (const slot of Object.values(table)) {
      slot.removed.sort();
      slot.added.sort();
    }
    expect(actual).toEqual(table);
    for (const entry of DELIBERATE_DIFFERENCES) expect(entry.why.length).toBeGreaterThan(20);
  });

  it("keeps the guide's trust policy for its example as it is", () => {
    const docs = renderIamDocuments(resolveIamInputs(SEED_EXAMPLE));
    expect(grantLines(docs.orchestratorRole.trustPolicy)).toEqual(grantLines(SEED_000.orchestratorTrust));
  });
});

describe("orchestrator role", () => {
  it("trusts porch's issuer with aud and sub keys under the issuer's host and path", () => {
    const trust = docsFor().orchestratorRole.trustPolicy.Statement[0]!;
    expect(trust.Principal).toEqual({ Federated: "arn:aws:iam::111122223333:oidc-provider/porch.example.com/oidc" });
    expect(trust.Condition).toEqual({ StringEquals: { "porch.example.com/oidc:aud": "sts.amazonaws.com", "porch.example.com/oidc:sub": "acme+ecs-prod" } });
  });

  it("passes only the execution and task roles, only to ecs-tasks", () => {
    const docs = docsFor({ rolePath: "/porch/" });
    const passRole = docs.orchestratorRole.inlinePolicy!.Statement.filter((s) => s.Action === "iam:PassRole");
    expect(passRole).toEqual([
      expect.objectContaining({
        Resource: ["arn:aws:iam::111122223333:role/porch/porch-ecs-prod-execution", "arn:aws:iam::111122223333:role/porch/porch-ecs-prod-task"],
        Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
      }),
    ]);
    expect(JSON.stringify(docs.orchestratorRole.inlinePolicy)).not.toContain('"iam:PassRole","Resource":"*"');
  });

  it("grants ecs:StopTask only with --allow-stop", () => {
    expect(grantLines(docsFor().orchestratorRole.inlinePolicy).filter((l) => l.includes("StopTask"))).toEqual([]);
    expect(grantLines(docsFor({ allowStop: true }).orchestratorRole.inlinePolicy).filter((l) => l.includes("StopTask"))).toEqual([
      "Allow ecs:StopTask on arn:aws:ecs:eu-west-1:111122223333:task/jobs/*",
    ]);
  });

  it("allows every call porch's orchestrator makes (aws-actions.ts) on this runner's resources, and not on another runner's", () => {
    const policy = docsFor({ allowStop: true }).orchestratorRole.inlinePolicy as unknown as IamPolicyDocument;
    const ecs = "arn:aws:ecs:eu-west-1:111122223333";
    const own = {
      "task-definition": `${ecs}:task-definition/humanitec_acme_ecs-prod:3`,
      cluster: `${ecs}:cluster/jobs`,
      task: `${ecs}:task/jobs/0123456789abcdef`,
      role: "arn:aws:iam::111122223333:role/porch-ecs-prod-execution",
      any: "*",
    } as const;
    const context = { "iam:PassedToService": "ecs-tasks.amazonaws.com", "ecs:cluster": `${ecs}:cluster/jobs` };
    for (const use of ORCHESTRATOR_AWS_ACTIONS.filter((a) => a.action !== "sts:AssumeRoleWithWebIdentity")) {
      expect({ action: use.action, decision: evaluatePolicy(policy, use.action, own[use.resource], context) }).toEqual({ action: use.action, decision: "allow" });
    }
    expect(evaluatePolicy(policy, "ecs:RegisterTaskDefinition", `${ecs}:task-definition/humanitec_acme_other-runner:1`)).toBe("implicit-deny");
    expect(evaluatePolicy(policy, "ecs:RunTask", own["task-definition"], { "ecs:cluster": `${ecs}:cluster/other` })).toBe("implicit-deny");
    expect(evaluatePolicy(policy, "iam:PassRole", "arn:aws:iam::111122223333:role/admin", context)).toBe("implicit-deny");
  });

  it("uses the task-definition prefix porch is configured with", () => {
    const lines = grantLines(docsFor({ taskDefinitionPrefix: "porch" }).orchestratorRole.inlinePolicy);
    expect(lines).toContain("Allow ecs:RegisterTaskDefinition on arn:aws:ecs:eu-west-1:111122223333:task-definition/porch_acme_ecs-prod:*");
  });
});

describe("execution role", () => {
  it("trusts ecs-tasks, gets the managed task execution policy and no inline policy without secrets", () => {
    const role = docsFor().executionRole;
    expect(role.trustPolicy.Statement).toEqual([{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }]);
    expect(role.managedPolicyArns).toEqual(["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"]);
    expect(role.inlinePolicy).toBeNull();
  });

  it("may read exactly the configured secrets and parameters, and decrypt only through their services", () => {
    const sm = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db/password-AbC123";
    const ssm = "arn:aws:ssm:us-east-1:111122223333:parameter/app/url";
    const key = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    expect(grantLines(docsFor({ secretArns: [ssm, sm], kmsKeyArn: key }).executionRole.inlinePolicy)).toEqual([
      `Allow kms:Decrypt on ${key} if StringEquals kms:ViaService=secretsmanager.eu-west-1.amazonaws.com|ssm.us-east-1.amazonaws.com`,
      `Allow secretsmanager:GetSecretValue on ${sm}`,
      `Allow ssm:GetParameters on ${ssm}`,
    ]);
  });

  it("names the log group the awslogs driver writes to", () => {
    expect(grantLines(docsFor({ logGroup: "/porch/jobs" }).executionRole.inlinePolicy)).toEqual([
      "Allow logs:CreateLogStream on arn:aws:logs:eu-west-1:111122223333:log-group:/porch/jobs:*",
      "Allow logs:PutLogEvents on arn:aws:logs:eu-west-1:111122223333:log-group:/porch/jobs:*",
    ]);
  });
});

describe("task role", () => {
  it("lists only the state prefix and gets, puts and deletes (the lock file) only under it", () => {
    const policy = docsFor({ bucket: "state-bucket", pathPrefix: "a/b/" }).taskRole.inlinePolicy as unknown as IamPolicyDocument;
    const object = "arn:aws:s3:::state-bucket/a/b/acme/shop/prod.tfstate";
    for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
      expect(evaluatePolicy(policy, action, object)).toBe("allow");
      expect(evaluatePolicy(policy, action, `${object}.tflock`)).toBe("allow");
      expect(evaluatePolicy(policy, action, "arn:aws:s3:::state-bucket/other/prod.tfstate")).toBe("implicit-deny");
    }
    expect(evaluatePolicy(policy, "s3:ListBucket", "arn:aws:s3:::state-bucket", { "s3:prefix": "a/b/acme/" })).toBe("allow");
    expect(evaluatePolicy(policy, "s3:ListBucket", "arn:aws:s3:::state-bucket", { "s3:prefix": "other/" })).toBe("implicit-deny");
    expect(evaluatePolicy(policy, "s3:DeleteBucket", "arn:aws:s3:::state-bucket")).toBe("implicit-deny");
  });

  it("without a prefix may use the whole bucket, and with a state key uses it only through S3", () => {
    const key = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    expect(grantLines(docsFor({ bucket: "state-bucket", stateKmsKeyArn: key }).taskRole.inlinePolicy)).toEqual([
      `Allow kms:Decrypt on ${key} if StringEquals kms:ViaService=s3.eu-west-1.amazonaws.com`,
      `Allow kms:GenerateDataKey on ${key} if StringEquals kms:ViaService=s3.eu-west-1.amazonaws.com`,
      "Allow s3:DeleteObject on arn:aws:s3:::state-bucket/*",
      "Allow s3:GetObject on arn:aws:s3:::state-bucket/*",
      "Allow s3:ListBucket on arn:aws:s3:::state-bucket",
      "Allow s3:PutObject on arn:aws:s3:::state-bucket/*",
    ]);
  });

  it("only trusts ECS acting for the runner's account and region, and has no policy without a bucket", () => {
    const role = docsFor().taskRole;
    expect(role.trustPolicy.Statement[0]!.Condition).toEqual({
      ArnLike: { "aws:SourceArn": "arn:aws:ecs:eu-west-1:111122223333:*" },
      StringEquals: { "aws:SourceAccount": "111122223333" },
    });
    expect(role.inlinePolicy).toBeNull();
  });
});

describe("input validation", () => {
  const problems = (draft: IamInputsDraft) => {
    try {
      resolveIamInputs(draft);
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      return (err as ValidationError).details;
    }
    throw new Error("expected a ValidationError");
  };

  it("names every missing flag", () => {
    expect(problems({ issuerUrl: "https://porch.example.com" }).map((p) => p.path)).toEqual(["--org", "--runner", "--account", "--region", "--cluster"]);
  });

  it("refuses a runner id whose role names would exceed 64 characters, and points at --role-name-prefix", () => {
    const runnerId = `r${"x".repeat(50)}`;
    const found = problems({ ...base, runnerId });
    expect(found).toEqual([{ path: "--runner", message: expect.stringContaining("--role-name-prefix with at most 51 characters") }]);
    expect(resolveIamInputs({ ...base, runnerId, roleNamePrefix: "porch-long" }).roleNamePrefix).toBe("porch-long");
  });

  it("refuses an issuer URL AWS would not accept, a KMS alias, and a key without secrets", () => {
    expect(problems({ ...base, issuerUrl: "https://porch.example.com:8443" })).toEqual([{ path: "--issuer-url", message: expect.stringContaining("port") }]);
    expect(problems({ ...base, secretArns: ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:x-AbC123"], kmsKeyArn: "arn:aws:kms:eu-west-1:111122223333:alias/x" })[0]).toMatchObject({
      path: "--kms-key",
      message: expect.stringContaining("alias"),
    });
    expect(problems({ ...base, kmsKeyArn: "arn:aws:kms:eu-west-1:111122223333:key/abc" })[0]).toMatchObject({ path: "--kms-key", message: expect.stringContaining("--secret") });
    expect(problems({ ...base, secretArns: ["not-an-arn"] })[0]).toMatchObject({ path: "--secret" });
  });
});
