import { IAMClient } from "@aws-sdk/client-iam";
import { Command } from "commander";
import { afterEach, beforeEach, expect, it } from "vitest";
import { applyIamDocuments } from "../../src/aws-setup/apply-iam.js";
import { registerAwsCommands } from "../../src/aws-setup/cli.js";
import { renderIamDocuments } from "../../src/aws-setup/iam-documents.js";
import { resolveIamInputs } from "../../src/aws-setup/iam-inputs.js";
import { PorchError } from "../../src/errors/porch-error.js";
import { startFakeIamEc2, type FakeIamEc2 } from "../fakes/aws-iam-ec2/index.js";

const inputs = resolveIamInputs({ orgId: "acme", runnerId: "ecs-prod", accountId: "123456789012", region: "eu-central-1", cluster: "jobs", issuerUrl: "https://porch.example.com/oidc" });
const docs = renderIamDocuments(inputs);
let fake: FakeIamEc2;

beforeEach(async () => {
  // Only IAM and EC2 are faked here: the other services' checks end up skipped, which is what this wiring test needs.
  fake = await startFakeIamEc2({ ec2: { subnets: [], routeTables: [], vpcEndpoints: [], securityGroups: [] } });
  const iam = new IAMClient({ region: "eu-central-1", endpoint: fake.endpoint, credentials: { accessKeyId: "AKIDUSER", secretAccessKey: "x" } });
  await applyIamDocuments(iam, docs, { dryRun: false });
  iam.destroy();
});
afterEach(async () => {
  await fake.stop();
});

it("`aws doctor RUNNER` fetches the runner from porch, prints every check and fails when one fails", async () => {
  const out: string[] = [];
  const fetched: string[] = [];
  const root = new Command().exitOverride();
  registerAwsCommands(root, {
    issuerUrl: () => "https://porch.example.com/oidc",
    orgId: () => "acme",
    fetchRunner: (id) => {
      fetched.push(id);
      return Promise.resolve({
        id,
        runner_configuration: {
          type: "serverless-ecs",
          auth: { role_arn: docs.orchestratorRole.arn },
          job: { region: "eu-central-1", cluster: "jobs", subnets: ["subnet-0aaaaaaaaaaaaaaaa"], execution_role_arn: docs.executionRole.arn, task_role_arn: docs.taskRole.arn },
        },
        state_storage_configuration: { type: "s3", bucket: "acme-state" },
      });
    },
    awsClientConfig: { endpoint: fake.endpoint, credentials: { accessKeyId: "AKIDUSER", secretAccessKey: "x" } },
    out: (text) => out.push(text),
  });

  const err = await root.parseAsync(["aws", "doctor", "ecs-prod"], { from: "user" }).catch((e: unknown) => e);

  expect(fetched).toEqual(["ecs-prod"]);
  const text = out.join("");
  expect(text).toContain("porch aws doctor ecs-prod\n");
  expect(text).toContain("PASS  orchestrator role trusts porch's tokens for this runner");
  expect(text).toContain("SKIP  porch can assume the orchestrator role through OIDC: no porch token");
  expect(text).toContain("FAIL  subnet subnet-0aaaaaaaaaaaaaaaa reaches AWS and porch: no subnet subnet-0aaaaaaaaaaaaaaaa in eu-central-1");
  expect(text).toContain("      fix: use subnets of eu-central-1 in runner_configuration.job.subnets");
  expect(err).toBeInstanceOf(PorchError);
  expect(err).toMatchObject({ code: "aws_doctor_failed", category: "user" });
});
