import { execFile } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { parse as parseHcl } from "@cdktf/hcl2json";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { iamDocumentsJson } from "../../src/aws-setup/format-json.js";
import { renderIamDocuments } from "../../src/aws-setup/iam-documents.js";
import { formatIamDocuments, parseIamFormat } from "../../src/aws-setup/iam-formats.js";
import { resolveIamInputs } from "../../src/aws-setup/iam-inputs.js";
import { ValidationError } from "../../src/errors/porch-error.js";

const run = promisify(execFile);

const docs = renderIamDocuments(
  resolveIamInputs({
    orgId: "acme",
    runnerId: "ecs-prod",
    accountId: "111122223333",
    region: "eu-west-1",
    cluster: "jobs",
    issuerUrl: "https://porch.example.com/oidc",
    bucket: "acme-state",
    pathPrefix: "state",
    secretArns: ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:db/password-AbC123"],
    permissionsBoundaryArn: "arn:aws:iam::111122223333:policy/Boundary",
    allowStop: true,
  }),
);

describe("--format json", () => {
  it("prints every document as one JSON object", () => {
    const printed = JSON.parse(formatIamDocuments(docs, "json")) as Record<string, Record<string, unknown>>;
    expect(printed).toEqual(iamDocumentsJson(docs));
    expect(Object.keys(printed)).toEqual(["oidc_provider", "orchestrator_role", "execution_role", "task_role", "tags"]);
    expect(printed.orchestrator_role!.trust_policy).toEqual(docs.orchestratorRole.trustPolicy);
    expect(printed.execution_role!.managed_policy_arns).toEqual(["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"]);
    expect(printed.oidc_provider).toEqual({ url: "https://porch.example.com/oidc", arn: "arn:aws:iam::111122223333:oidc-provider/porch.example.com/oidc", client_id_list: ["sts.amazonaws.com"] });
  });

  it("refuses an unknown format, naming the choices", () => {
    expect(() => parseIamFormat("yaml")).toThrow(ValidationError);
    expect(() => parseIamFormat("yaml")).toThrow(/json, terraform, aws-cli/);
  });
});

describe("--format terraform", () => {
  it("is HCL that a real HCL parser reads, with the documents unchanged in the heredocs", async () => {
    const hcl = (await parseHcl("porch-iam.tf", formatIamDocuments(docs, "terraform"))) as {
      resource: Record<string, Record<string, Array<Record<string, unknown>>>>;
    };
    const roles = hcl.resource.aws_iam_role!;
    const policies = hcl.resource.aws_iam_role_policy!;
    expect(Object.keys(roles).sort()).toEqual(["porch_execution", "porch_orchestrator", "porch_task"]);
    expect(JSON.parse(roles.porch_orchestrator![0]!.assume_role_policy as string)).toEqual(docs.orchestratorRole.trustPolicy);
    expect(JSON.parse(policies.porch_orchestrator![0]!.policy as string)).toEqual(docs.orchestratorRole.inlinePolicy);
    expect(JSON.parse(policies.porch_execution![0]!.policy as string)).toEqual(docs.executionRole.inlinePolicy);
    expect(JSON.parse(policies.porch_task![0]!.policy as string)).toEqual(docs.taskRole.inlinePolicy);
    expect(roles.porch_task![0]!.permissions_boundary).toBe("arn:aws:iam::111122223333:policy/Boundary");
    expect(hcl.resource.aws_iam_openid_connect_provider!.porch![0]).toMatchObject({ url: "https://porch.example.com/oidc", client_id_list: ["sts.amazonaws.com"] });
    expect(hcl.resource.aws_iam_role_policy_attachment!.porch_execution_managed_0![0]!.policy_arn).toBe(
      "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
    );
  });
});

describe("--format aws-cli", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "porch-aws-cli-"));
    // A stand-in `aws` (not the AWS CLI): logs each call, with the documents it is handed inlined.
    await writeFile(
      path.join(dir, "aws"),
      [
        "#!/usr/bin/env bash",
        "line=''",
        'for a in "$@"; do',
        '  case "$a" in file://*) a="file:$(base64 -w0 "${a#file://}")";; esac',
        "  line+=\"$a\"$'\\x1f'",
        "done",
        'printf \'%s\\n\' "$line" >> "$AWS_STAND_IN_LOG"',
        'if [[ "$2" == get-* && "$AWS_STAND_IN_EXISTING" != 1 ]]; then exit 254; fi',
      ].join("\n"),
    );
    await chmod(path.join(dir, "aws"), 0o755);
    await writeFile(path.join(dir, "setup.sh"), formatIamDocuments(docs, "aws-cli"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function runScript(existing: boolean): Promise<Array<{ args: string[]; files: Record<string, unknown> }>> {
    const log = path.join(dir, `calls-${existing}.jsonl`);
    await run("bash", [path.join(dir, "setup.sh")], { env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, AWS_STAND_IN_LOG: log, AWS_STAND_IN_EXISTING: existing ? "1" : "0" } });
    return (await readFile(log, "utf8"))
      .trim()
      .split("\n")
      .map((line) => {
        const args = line.split("\x1f").slice(0, -1);
        const files: Record<string, unknown> = {};
        args.forEach((a, i) => {
          if (a.startsWith("file:")) files[String(i)] = JSON.parse(Buffer.from(a.slice(5), "base64").toString("utf8"));
        });
        return { args, files };
      });
  }

  it("creates what is missing with the exact documents", async () => {
    const calls = await runScript(false);
    expect(calls.map((c) => c.args.slice(0, 2).join(" "))).toEqual([
      "iam get-open-id-connect-provider",
      "iam create-open-id-connect-provider",
      "iam get-role",
      "iam create-role",
      "iam put-role-policy",
      "iam get-role",
      "iam create-role",
      "iam put-role-policy",
      "iam attach-role-policy",
      "iam get-role",
      "iam create-role",
      "iam put-role-policy",
    ]);
    const createOrchestrator = calls[3]!;
    expect(createOrchestrator.args).toEqual(expect.arrayContaining(["--role-name", "porch-ecs-prod-orchestrator", "--permissions-boundary", "arn:aws:iam::111122223333:policy/Boundary"]));
    expect(Object.values(createOrchestrator.files)).toEqual([docs.orchestratorRole.trustPolicy]);
    expect(Object.values(calls[4]!.files)).toEqual([docs.orchestratorRole.inlinePolicy]);
    expect(calls[1]!.args).toEqual(["iam", "create-open-id-connect-provider", "--url", "https://porch.example.com/oidc", "--client-id-list", "sts.amazonaws.com"]);
  });

  it("on a second run updates the trust policies instead of creating the roles again", async () => {
    const calls = await runScript(true);
    const verbs = calls.map((c) => c.args[1]);
    expect(verbs).not.toContain("create-role");
    expect(verbs).not.toContain("create-open-id-connect-provider");
    expect(verbs.filter((v) => v === "update-assume-role-policy")).toHaveLength(3);
  });
});
