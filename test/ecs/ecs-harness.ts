import { resolve } from "node:path";
import { startFakeAws, nodeProcessLauncher, SEED_DOCUMENTED_ORCHESTRATOR_POLICY, type FakeAws, type FakeAwsOptions } from "../fakes/aws/index.js";
import { startS3Server, type S3TestServer } from "../fakes/s3/s3-server.js";
import { startPorchHarness, STAND_IN_TOFU, type PorchHarness } from "../helpers/porch-harness.js";
import type { OidcIssuer } from "../../src/oidc/index.js";

export const ACCOUNT = "123456789012";
export const REGION = "eu-central-1";
export const CLUSTER = "runners";
export const ISSUER = "https://oidc.porch.test";
export const ORCH_ROLE = `arn:aws:iam::${ACCOUNT}:role/porch-orchestrator`;
export const EXEC_ROLE = `arn:aws:iam::${ACCOUNT}:role/porch-exec`;
export const TASK_ROLE = `arn:aws:iam::${ACCOUNT}:role/porch-task`;
export const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:app/password-AbC123`;
export const SECRET_VALUE = "ecs-s3cr3t-value";
export const BUCKET = "porch-state";

export interface EcsHarness {
  porch: PorchHarness;
  aws: FakeAws;
  s3: S3TestServer;
  close(): Promise<void>;
}

/**
 * porch with its serverless-ecs driver talking (through the real AWS SDK) to the fake ECS/STS, whose
 * tasks run the real runner program with the stand-in tofu and an S3 state bucket on s3rver.
 */
export async function startEcsHarness(opts: { ecs?: Partial<NonNullable<FakeAwsOptions["ecs"]>>; runTaskRatePerSecond?: number } = {}): Promise<EcsHarness> {
  const s3 = await startS3Server();
  await s3.createBucket(BUCKET);
  let issuer: OidcIssuer | null = null;
  const aws = await startFakeAws({
    accountId: ACCOUNT,
    region: REGION,
    sts: {
      issuer: ISSUER,
      jwks: async () => (issuer ? issuer.jwks() : { keys: [] }),
      roles: [{ roleArn: ORCH_ROLE, subject: "acme+ecs", policy: SEED_DOCUMENTED_ORCHESTRATOR_POLICY(ACCOUNT, REGION, CLUSTER) }],
    },
    ecs: {
      clusters: [{ name: CLUSTER }],
      knownSubnets: ["subnet-1", "subnet-2"],
      roles: [EXEC_ROLE, TASK_ROLE],
      timings: { provisioningMs: 10, pendingMs: 10, stoppingMs: 10, stopTimeoutMs: 2000 },
      // The runner image's entrypoint: the bundled runner program.
      launcher: nodeProcessLauncher(resolve("dist/runner-bundle/porch-runner.mjs"), {
        PORCH_IAC_BINARY: STAND_IN_TOFU,
        PORCH_S3_ENDPOINT: s3.endpoint,
        AWS_ACCESS_KEY_ID: s3.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
        PORCH_HEARTBEAT_MS: "300",
        PORCH_LOG_FLUSH_MS: "50",
      }),
      ...opts.ecs,
    },
    secrets: { [SECRET_ARN]: SECRET_VALUE },
    executionRolePolicies: {
      [EXEC_ROLE]: { Statement: [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [SECRET_ARN] }] },
    },
  });
  const porch = await startPorchHarness({
    settings: { oidcIssuerUrl: ISSUER, awsEndpointUrl: aws.endpoint, ...(opts.runTaskRatePerSecond ? { runTaskRatePerSecond: opts.runTaskRatePerSecond } : {}) } as never,
    ecsDriverTuning: { pollFastMs: 100, pollSlowMs: 300, retryBudgetMs: 60_000, retryBaseMs: 20 },
  });
  issuer = porch.server.oidc;
  await porch.setup({ envs: ["dev", "qa"] });
  const created = await porch.api("POST", "/orgs/acme/runners", {
    id: "ecs",
    runner_configuration: {
      type: "serverless-ecs",
      auth: { role_arn: ORCH_ROLE },
      job: {
        region: REGION,
        cluster: CLUSTER,
        subnets: ["subnet-1"],
        execution_role_arn: EXEC_ROLE,
        task_role_arn: TASK_ROLE,
        image: "registry.example.com/porch-runner:test",
        secrets: { TF_VAR_password: SECRET_ARN },
      },
    },
    state_storage_configuration: { type: "s3", bucket: BUCKET, path_prefix: "state-files" },
  });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  await porch.api("POST", "/orgs/acme/runner-rules", { runner_id: "ecs", project_id: "app" });
  return {
    porch,
    aws,
    s3,
    async close() {
      await porch.close();
      await aws.stop();
      await s3.stop();
    },
  };
}
