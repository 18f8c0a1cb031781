/**
 * Shared set-up for the tests of the fake AWS: an OIDC issuer stand-in (an RS256 key pair minting
 * web identity tokens), real SDK clients pointed at the fake, and a Fargate task definition input.
 */
import { ECSClient, type RegisterTaskDefinitionCommandInput } from "@aws-sdk/client-ecs";
import { AssumeRoleWithWebIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SSMClient } from "@aws-sdk/client-ssm";
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from "jose";
import { SEED_DOCUMENTED_ORCHESTRATOR_POLICY, startFakeAws, type FakeAws, type FakeAwsOptions } from "../fakes/aws/index.js";

export const ISSUER = "https://oidc.porch.test";
export const ACCOUNT = "123456789012";
export const REGION = "eu-central-1";
export const CLUSTER = "runner-cluster";
export const SUBNET = "subnet-0a1b2c3d";
export const ORCHESTRATOR_ROLE = `arn:aws:iam::${ACCOUNT}:role/porch-orchestrator`;
export const EXECUTION_ROLE = `arn:aws:iam::${ACCOUNT}:role/runner-execution-role`;
export const TASK_ROLE = `arn:aws:iam::${ACCOUNT}:role/runner-task-role`;
export const SUBJECT = "org-1+runner-1";
export const FAMILY = "humanitec_runner-1";

export interface TestIssuer {
  jwks(): { keys: JWK[] };
  /** A signed web identity token; `claims` and `header` override the defaults. */
  mint(claims?: JWTPayload, header?: Record<string, unknown>): Promise<string>;
  /** Replaces the signing key (the old one disappears from the JWKS, as after a rotation). */
  rotate(): Promise<void>;
}

export async function createTestIssuer(): Promise<TestIssuer> {
  let current = await newKey("key-1");
  let generation = 1;
  return {
    jwks: () => ({ keys: [current.publicJwk] }),
    async mint(claims = {}, header = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iss: ISSUER, aud: "sts.amazonaws.com", sub: SUBJECT, iat: now, nbf: now, exp: now + 300, ...claims })
        .setProtectedHeader({ alg: "RS256", kid: current.kid, ...header })
        .sign(current.privateKey);
    },
    async rotate() {
      generation += 1;
      current = await newKey(`key-${generation}`);
    },
  };
}

async function newKey(kid: string) {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" } };
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Default fake: the seed-documented orchestrator role, one Fargate cluster, one subnet, the runner roles. */
export async function startDefaultFake(
  issuer: TestIssuer,
  overrides: Omit<Partial<FakeAwsOptions>, "ecs"> & { ecs?: Partial<NonNullable<FakeAwsOptions["ecs"]>> } = {},
): Promise<FakeAws> {
  return startFakeAws({
    sts: {
      issuer: ISSUER,
      jwks: () => issuer.jwks(),
      roles: [{ roleArn: ORCHESTRATOR_ROLE, subject: SUBJECT, policy: SEED_DOCUMENTED_ORCHESTRATOR_POLICY(ACCOUNT, REGION, CLUSTER) }],
    },
    ...overrides,
    ecs: {
      clusters: [{ name: CLUSTER }],
      knownSubnets: [SUBNET],
      roles: [EXECUTION_ROLE, TASK_ROLE],
      timings: { provisioningMs: 5, pendingMs: 5, activatingMs: 1, stoppingMs: 4, stopTimeoutMs: 200 },
      ...overrides.ecs,
    },
  });
}

export function stsClient(fake: FakeAws): STSClient {
  return new STSClient({ region: fake.region, endpoint: fake.endpoint, maxAttempts: 1 });
}

export async function assumeRole(fake: FakeAws, issuer: TestIssuer, roleArn = ORCHESTRATOR_ROLE): Promise<Credentials> {
  const answer = await stsClient(fake).send(
    new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: "porch-test", WebIdentityToken: await issuer.mint() }),
  );
  const c = answer.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}

/** Single attempt, so a test sees the fake's first answer rather than the SDK's retries. */
export function ecsClient(fake: FakeAws, credentials: Credentials, region = fake.region): ECSClient {
  return new ECSClient({ region, endpoint: fake.endpoint, credentials, maxAttempts: 1 });
}

export function secretsClient(fake: FakeAws, credentials: Credentials): SecretsManagerClient {
  return new SecretsManagerClient({ region: fake.region, endpoint: fake.endpoint, credentials, maxAttempts: 1 });
}

export function ssmClient(fake: FakeAws, credentials: Credentials): SSMClient {
  return new SSMClient({ region: fake.region, endpoint: fake.endpoint, credentials, maxAttempts: 1 });
}

export function fargateTaskDefinition(overrides: Partial<RegisterTaskDefinitionCommandInput> = {}): RegisterTaskDefinitionCommandInput {
  return {
    family: FAMILY,
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    cpu: "512",
    memory: "1024",
    executionRoleArn: EXECUTION_ROLE,
    taskRoleArn: TASK_ROLE,
    containerDefinitions: [{ name: "runner", image: "ghcr.io/porch/runner:1", essential: true, environment: [{ name: "FROM_TASK_DEFINITION", value: "td" }] }],
    ...overrides,
  };
}

export const awsvpc = { awsvpcConfiguration: { subnets: [SUBNET], assignPublicIp: "DISABLED" as const } };

/** The AWS error a rejected SDK call threw: its name (error code) and message. */
export async function awsError(promise: Promise<unknown>): Promise<{ name: string; message: string; status?: number; raw: Record<string, unknown> }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode, raw: err as Record<string, unknown> };
  }
  throw new Error("expected the AWS call to fail, but it succeeded");
}
