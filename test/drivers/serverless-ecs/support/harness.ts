import { fileURLToPath } from "node:url";
import { ECSClient } from "@aws-sdk/client-ecs";
import { AssumeRoleWithWebIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";
import type { ServerlessEcsConfiguration } from "../../../../src/config/runner-configuration.js";
import type { DispatchRequest, JobExit, JobRef, RunnerSnapshot } from "../../../../src/drivers/driver.js";
import { createServerlessEcsDriver, type ServerlessEcsDriver, type ServerlessEcsDriverOptions } from "../../../../src/drivers/serverless-ecs/driver.js";
import { SEED_DOCUMENTED_ORCHESTRATOR_POLICY, startFakeAws, type FakeAws, type FakeAwsOptions, type IamPolicyDocument } from "../../../fakes/aws/index.js";

/** Test setup for the serverless-ecs driver against the fake AWS endpoint (no AWS account involved). */
export const ACCOUNT = "123456789012";
export const REGION = "eu-central-1";
export const CLUSTER = "porch";
export const ORG = "acme";
export const RUNNER = "ecs-runner";
export const ISSUER = "https://oidc.porch.test";
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/porch-orchestrator`;
export const EXEC_ROLE = `arn:aws:iam::${ACCOUNT}:role/runner-execution`;
export const TASK_ROLE = `arn:aws:iam::${ACCOUNT}:role/runner-task`;
export const DEFAULT_IMAGE = "ghcr.io/porch/runner:test";
export const EXIT_SCRIPT = fileURLToPath(new URL("./exit-with-code.mjs", import.meta.url));

export function seedPolicy(): IamPolicyDocument {
  return SEED_DOCUMENTED_ORCHESTRATOR_POLICY(ACCOUNT, REGION, CLUSTER);
}

/** The documented policy plus ecs:StopTask on the cluster's tasks (the optional permission). */
export function seedPolicyWithStopTask(): IamPolicyDocument {
  const policy = seedPolicy();
  return {
    ...policy,
    Statement: [...policy.Statement, { Effect: "Allow", Action: "ecs:StopTask", Resource: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/*` }],
  };
}

export interface OidcKeys {
  jwks: { keys: JWK[] };
  mint(orgId: string, runnerId: string, override?: { sub?: string; aud?: string; iss?: string; expiresIn?: string }): Promise<string>;
}

let sharedKeys: Promise<OidcKeys> | undefined;

/** One key pair per test file: RSA key generation is slow and the tests do not need fresh keys. */
export function oidcKeys(): Promise<OidcKeys> {
  sharedKeys ??= newOidcKeys();
  return sharedKeys;
}

async function newOidcKeys(): Promise<OidcKeys> {
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "test-key", alg: "RS256", use: "sig" };
  return {
    jwks: { keys: [jwk] },
    mint: (orgId, runnerId, override = {}) =>
      new SignJWT({})
        .setProtectedHeader({ alg: "RS256", kid: "test-key", typ: "JWT" })
        .setIssuer(override.iss ?? ISSUER)
        .setSubject(override.sub ?? `${orgId}+${runnerId}`)
        .setAudience(override.aud ?? "sts.amazonaws.com")
        .setIssuedAt()
        .setExpirationTime(override.expiresIn ?? "5m")
        .sign(privateKey),
  };
}

export class RecordedEvents {
  readonly exits: JobExit[] = [];
  readonly progress: Array<{ deploymentId: string; info: Record<string, unknown> }> = [];
  private readonly waiters = new Map<string, Array<(exit: JobExit) => void>>();

  exited(exit: JobExit): void {
    this.exits.push(exit);
    for (const resolve of this.waiters.get(exit.deploymentId) ?? []) resolve(exit);
    this.waiters.delete(exit.deploymentId);
  }

  progressed(deploymentId: string, info: Record<string, unknown>): void {
    this.progress.push({ deploymentId, info });
  }

  waitForExit(deploymentId: string, timeoutMs = 10_000): Promise<JobExit> {
    const seen = this.exits.find((e) => e.deploymentId === deploymentId);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no exit reported for ${deploymentId} within ${timeoutMs} ms`)), timeoutMs);
      const list = this.waiters.get(deploymentId) ?? [];
      list.push((exit) => {
        clearTimeout(timer);
        resolve(exit);
      });
      this.waiters.set(deploymentId, list);
    });
  }
}

export type Job = ServerlessEcsConfiguration["job"];

export function runnerSnapshot(job: Partial<Job> = {}, auth: Partial<ServerlessEcsConfiguration["auth"]> = {}): RunnerSnapshot {
  return {
    runner_configuration: {
      type: "serverless-ecs",
      auth: { role_arn: ROLE_ARN, ...auth },
      job: { region: REGION, cluster: CLUSTER, subnets: ["subnet-a"], execution_role_arn: EXEC_ROLE, ...job },
    },
    state_storage_configuration: { type: "s3", bucket: "porch-state" },
  };
}

export function jobRef(deploymentId: string, runnerId = RUNNER): JobRef {
  return { deploymentId, orgId: ORG, projectId: "shop", envId: "dev", runnerId };
}

export function dispatchRequest(deploymentId: string, runner: RunnerSnapshot = runnerSnapshot(), runnerId = RUNNER): DispatchRequest {
  return {
    job: jobRef(deploymentId, runnerId),
    runner,
    env: { PORCH_API_URL: "https://porch.test", PORCH_DEPLOYMENT_ID: deploymentId, PORCH_JOB_TOKEN: `token-for-${deploymentId}` },
    deadline: new Date(Date.now() + 3_600_000),
  };
}

export interface HarnessOptions {
  policy?: IamPolicyDocument;
  /** Extra trusted roles (e.g. a second runner's). */
  extraRoles?: NonNullable<FakeAwsOptions["sts"]>["roles"];
  ecs?: Partial<NonNullable<FakeAwsOptions["ecs"]>>;
  driver?: Partial<ServerlessEcsDriverOptions>;
  /** Replaces the token minting (e.g. a wrong audience). */
  mint?: (keys: OidcKeys, orgId: string, runnerId: string) => Promise<string>;
  jwks?: () => Promise<{ keys: object[] }> | { keys: object[] };
}

export interface Harness {
  aws: FakeAws;
  keys: OidcKeys;
  events: RecordedEvents;
  driver: ServerlessEcsDriver;
  /** A second driver on the same fake, as after an orchestrator restart. */
  restartDriver(): ServerlessEcsDriver;
  /** An ECS client of the test's own, with the orchestrator role's credentials (to arrange state). */
  testEcsClient(): Promise<ECSClient>;
  /** Calls the fake recorded, by action. */
  callsOf(action: string): FakeAws["calls"];
  close(): Promise<void>;
}

export const FAST_DRIVER: Partial<ServerlessEcsDriverOptions> = {
  retryBudgetMs: 2_000,
  retryBaseMs: 5,
  pollFastMs: 20,
  pollSlowMs: 60,
  provisioningTimeoutMs: 5_000,
  runTaskRatePerSecond: 1_000,
};

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const keys = await oidcKeys();
  const aws = await startFakeAws({
    accountId: ACCOUNT,
    region: REGION,
    sts: {
      issuer: ISSUER,
      jwks: opts.jwks ?? (() => keys.jwks),
      roles: [{ roleArn: ROLE_ARN, subject: `${ORG}+${RUNNER}`, policy: opts.policy ?? seedPolicy() }, ...(opts.extraRoles ?? [])],
    },
    ecs: { clusters: [{ name: CLUSTER }], knownSubnets: ["subnet-a", "subnet-b"], roles: [EXEC_ROLE, TASK_ROLE], ...opts.ecs },
  });
  const events = new RecordedEvents();
  const drivers: ServerlessEcsDriver[] = [];
  const clients: ECSClient[] = [];
  const makeDriver = () => {
    const driver = createServerlessEcsDriver({
      events,
      webIdentityToken: (orgId, runnerId) => (opts.mint ? opts.mint(keys, orgId, runnerId) : keys.mint(orgId, runnerId)),
      defaultImage: DEFAULT_IMAGE,
      endpoints: { ecs: aws.endpoint, sts: aws.endpoint },
      ...FAST_DRIVER,
      ...opts.driver,
    });
    drivers.push(driver);
    return driver;
  };
  const driver = makeDriver();
  return {
    aws,
    keys,
    events,
    driver,
    restartDriver: makeDriver,
    callsOf: (action) => aws.calls.filter((c) => c.action === action),
    async testEcsClient() {
      const sts = new STSClient({ region: REGION, endpoint: aws.endpoint });
      const out = await sts.send(
        new AssumeRoleWithWebIdentityCommand({ RoleArn: ROLE_ARN, RoleSessionName: "test-arrange", WebIdentityToken: await keys.mint(ORG, RUNNER) }),
      );
      sts.destroy();
      const c = out.Credentials!;
      const client = new ECSClient({
        region: REGION,
        endpoint: aws.endpoint,
        credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! },
      });
      clients.push(client);
      return client;
    },
    async close() {
      for (const d of drivers) await d.close();
      for (const c of clients) c.destroy();
      await aws.stop();
    },
  };
}
