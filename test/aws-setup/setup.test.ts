import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { IAMClient } from "@aws-sdk/client-iam";
import { Command } from "commander";
import { parse as parseYaml } from "yaml";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { registerAwsCommands } from "../../src/aws-setup/cli.js";
import { renderIamDocuments } from "../../src/aws-setup/iam-documents.js";
import { resolveIamInputs, type IamInputs } from "../../src/aws-setup/iam-inputs.js";
import { canonicalPolicy } from "../../src/aws-setup/policy-document.js";
import { formatSetupResult, runSetup, type SetupOptions } from "../../src/aws-setup/setup-command.js";
import { runnerCreateSchema } from "../../src/config/runner.js";
import { ConfigError } from "../../src/errors/porch-error.js";
import { startFakeIamEc2, type FakeIamEc2 } from "../fakes/aws-iam-ec2/index.js";

const ACCOUNT = "123456789012";
const SECRET = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:db/password-AbC123";
const inputs: IamInputs = resolveIamInputs({
  orgId: "acme",
  runnerId: "ecs-prod",
  accountId: ACCOUNT,
  region: "eu-central-1",
  cluster: "jobs",
  issuerUrl: "https://porch.example.com/oidc",
  bucket: "acme-state",
  pathPrefix: "state",
  secretArns: [SECRET],
});

let fake: FakeIamEc2;
let iam: IAMClient;
let dir: string;

beforeEach(async () => {
  fake = await startFakeIamEc2({ accountId: ACCOUNT });
  iam = new IAMClient({ region: "eu-central-1", endpoint: fake.endpoint, credentials: { accessKeyId: "AKIDUSER", secretAccessKey: "user-secret" } });
  dir = await mkdtemp(path.join(tmpdir(), "porch-aws-setup-"));
});
afterEach(async () => {
  iam.destroy();
  await fake.stop();
  await rm(dir, { recursive: true, force: true });
});

const options = (extra: Partial<SetupOptions> = {}): SetupOptions => ({
  inputs,
  job: { subnets: ["subnet-0123456789abcdef0"], secrets: { DB_PASSWORD: SECRET } },
  outputPath: path.join(dir, "runner-config.yaml"),
  dryRun: false,
  ...extra,
});

describe("porch aws setup", () => {
  it("creates the OIDC provider and the three roles with exactly the generated documents", async () => {
    const result = await runSetup(iam, options());
    const docs = renderIamDocuments(inputs);

    expect(result.iam.changes.map((c) => c.summary)).toEqual([
      "create OIDC provider https://porch.example.com/oidc (client id sts.amazonaws.com)",
      "create role porch-ecs-prod-orchestrator",
      "put inline policy porch-orchestrator of role porch-ecs-prod-orchestrator",
      "create role porch-ecs-prod-execution",
      "put inline policy porch-execution of role porch-ecs-prod-execution",
      "attach managed policy arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy to role porch-ecs-prod-execution",
      "create role porch-ecs-prod-task",
      "put inline policy porch-task of role porch-ecs-prod-task",
    ]);
    expect([...fake.iam.oidcProviders.values()].map((p) => [p.url, p.clientIds])).toEqual([["porch.example.com/oidc", ["sts.amazonaws.com"]]]);
    for (const role of [docs.orchestratorRole, docs.executionRole, docs.taskRole]) {
      const stored = fake.iam.roles.get(role.name)!;
      expect(stored.arn).toBe(role.arn);
      expect(canonicalPolicy(JSON.parse(stored.trustPolicy))).toBe(canonicalPolicy(role.trustPolicy));
      expect(canonicalPolicy(JSON.parse(stored.inlinePolicies.get(role.inlinePolicyName)!))).toBe(canonicalPolicy(role.inlinePolicy));
      expect(stored.attachedPolicyArns).toEqual(role.managedPolicyArns);
      expect(stored.tags).toEqual({ "porch:org": "acme", "porch:runner": "ecs-prod", "porch:managed-by": "porch" });
    }
  });

  it("writes a runner-config.yaml that porch accepts as it is", async () => {
    await runSetup(iam, options());
    const written = parseYaml(await readFile(path.join(dir, "runner-config.yaml"), "utf8")) as Record<string, unknown>;
    const parsed = runnerCreateSchema.parse({ id: "ecs-prod", ...written });
    expect(parsed.runner_configuration).toEqual({
      type: "serverless-ecs",
      auth: { role_arn: "arn:aws:iam::123456789012:role/porch-ecs-prod-orchestrator" },
      job: {
        region: "eu-central-1",
        cluster: "jobs",
        subnets: ["subnet-0123456789abcdef0"],
        execution_role_arn: "arn:aws:iam::123456789012:role/porch-ecs-prod-execution",
        task_role_arn: "arn:aws:iam::123456789012:role/porch-ecs-prod-task",
        secrets: { DB_PASSWORD: SECRET },
      },
    });
    expect(parsed.state_storage_configuration).toEqual({ type: "s3", bucket: "acme-state", path_prefix: "state" });
  });

  it("changes nothing on a second run, and says so", async () => {
    await runSetup(iam, options());
    const mutationsAfterFirst = fake.mutatingCalls().length;
    const second = await runSetup(iam, options());

    expect(fake.mutatingCalls()).toHaveLength(mutationsAfterFirst);
    expect(second.iam.changes).toEqual([]);
    expect(second.runnerConfig.status).toBe("unchanged");
    expect(formatSetupResult(second, false)).toMatch(/^No changes: the OIDC provider, the roles and their policies are already set up/);
    expect(formatSetupResult(second, false)).toContain("runner-config.yaml is up to date.");
  });

  it("with --dry-run lists what it would do and calls nothing that mutates, nor writes the file", async () => {
    const result = await runSetup(iam, options({ dryRun: true }));

    expect(fake.calls.length).toBeGreaterThan(0);
    expect(fake.mutatingCalls()).toEqual([]);
    expect(fake.iam.roles.size).toBe(0);
    expect(result.iam.changes).toHaveLength(8);
    await expect(stat(path.join(dir, "runner-config.yaml"))).rejects.toThrow(/ENOENT/);
    const text = formatSetupResult(result, true);
    expect(text).toContain("Dry run: 8 change(s) would be made; nothing was changed.");
    expect(text).toContain("would create role porch-ecs-prod-orchestrator");
    expect(text).toContain("+ trust: Allow sts:AssumeRoleWithWebIdentity by Federated:arn:aws:iam::123456789012:oidc-provider/porch.example.com/oidc");
  });

  it("repairs a drifted trust policy and nothing else, showing the changed grant lines", async () => {
    await runSetup(iam, options());
    const role = fake.iam.roles.get("porch-ecs-prod-orchestrator")!;
    role.trustPolicy = role.trustPolicy.replace("acme+ecs-prod", "acme+someone-else");
    const before = fake.mutatingCalls().length;

    const dry = await runSetup(iam, options({ dryRun: true }));
    expect(dry.iam.changes).toEqual([
      {
        summary: "update trust policy of role porch-ecs-prod-orchestrator",
        detail: [expect.stringMatching(/^- .*:sub=acme\+someone-else$/), expect.stringMatching(/^\+ .*:sub=acme\+ecs-prod$/)],
      },
    ]);
    expect(fake.mutatingCalls()).toHaveLength(before);

    await runSetup(iam, options());
    expect(fake.mutatingCalls().slice(before).map((c) => c.action)).toEqual(["UpdateAssumeRolePolicy"]);
    expect(fake.iam.roles.get("porch-ecs-prod-orchestrator")!.trustPolicy).toContain("acme+ecs-prod");
  });

  it("reuses an OIDC provider another runner created, adding the audience if it lacks it", async () => {
    await fake.stop();
    fake = await startFakeIamEc2({ accountId: ACCOUNT, iam: { oidcProviders: [{ url: "https://porch.example.com/oidc", clientIds: ["something-else"] }] } });
    iam = new IAMClient({ region: "eu-central-1", endpoint: fake.endpoint, credentials: { accessKeyId: "AKIDUSER", secretAccessKey: "user-secret" } });

    await runSetup(iam, options());
    const actions = fake.mutatingCalls().map((c) => c.action);
    expect(actions).not.toContain("CreateOpenIDConnectProvider");
    expect(actions).toContain("AddClientIDToOpenIDConnectProvider");
    expect([...fake.iam.oidcProviders.values()][0]!.clientIds).toEqual(["something-else", "sts.amazonaws.com"]);
  });

  it("refuses to touch a role of the same name under another path, and says how to resolve it", async () => {
    fake.iam.seedRole({ name: "porch-ecs-prod-task", path: "/other/", trustPolicy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }] } });
    const err = await runSetup(iam, options()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/already exists with path \/other\/.*--role-path \/other\//);
    expect(fake.mutatingCalls()).toEqual([]);
  });

  it("stops before any change when the runner configuration would be invalid", async () => {
    const err = await runSetup(iam, options({ job: { subnets: ["subnet-0123456789abcdef0"], secrets: { PORCH_TOKEN: SECRET } } })).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/runner_configuration\.job\.secrets/);
    expect(fake.calls).toEqual([]);
  });
});

describe("porch aws commands (commander wiring)", () => {
  function program(outputs: string[]): Command {
    const root = new Command().exitOverride();
    registerAwsCommands(root, {
      issuerUrl: () => "https://porch.example.com/oidc",
      orgId: () => "acme",
      fetchRunner: () => Promise.reject(new Error("not used")),
      awsClientConfig: { endpoint: fake.endpoint, region: "eu-central-1", credentials: { accessKeyId: "AKIDUSER", secretAccessKey: "user-secret" } },
      out: (text) => outputs.push(text),
    });
    return root;
  }

  it("`aws iam` prints the documents for the flags, with the org and issuer from the CLI's context", async () => {
    const out: string[] = [];
    await program(out).parseAsync(["aws", "iam", "--runner", "ecs-prod", "--account", ACCOUNT, "--region", "eu-central-1", "--cluster", "jobs", "--allow-stop"], { from: "user" });
    const printed = JSON.parse(out.join("")) as { orchestrator_role: { policy: unknown } };
    const expected = renderIamDocuments(resolveIamInputs({ orgId: "acme", runnerId: "ecs-prod", accountId: ACCOUNT, region: "eu-central-1", cluster: "jobs", issuerUrl: "https://porch.example.com/oidc", allowStop: true }));
    expect(printed.orchestrator_role.policy).toEqual(expected.orchestratorRole.inlinePolicy);
  });

  it("`aws setup` twice: the second run reports no changes; --dry-run first makes none", async () => {
    const out: string[] = [];
    const args = ["aws", "setup", "--runner", "ecs-prod", "--account", ACCOUNT, "--region", "eu-central-1", "--cluster", "jobs", "--bucket", "acme-state"];
    const more = ["--subnet", "subnet-0123456789abcdef0", "--secret", `DB_PASSWORD=${SECRET}`, "--output", path.join(dir, "rc.yaml")];
    await program(out).parseAsync([...args, ...more, "--dry-run"], { from: "user" });
    expect(fake.mutatingCalls()).toEqual([]);
    await program(out).parseAsync([...args, ...more], { from: "user" });
    const afterFirst = fake.mutatingCalls().length;
    await program(out).parseAsync([...args, ...more], { from: "user" });
    expect(fake.mutatingCalls()).toHaveLength(afterFirst);
    expect(out[0]).toContain("Dry run:");
    expect(out[1]).toContain("Made 8 change(s):");
    expect(out[2]).toContain("No changes:");
    expect(await readFile(path.join(dir, "rc.yaml"), "utf8")).toContain("DB_PASSWORD: arn:aws:secretsmanager");
  });
});
