/**
 * A planted AWS account for doctor tests, all stand-ins: STS and ECS from the shared fake AWS, IAM,
 * EC2 and secret metadata from the IAM/EC2 fake, S3 from the s3rver-based test server. The account
 * starts healthy (set up by porch's own `applyIamDocuments`); each test breaks one thing.
 */
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { IAMClient } from "@aws-sdk/client-iam";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SSMClient } from "@aws-sdk/client-ssm";
import { AssumeRoleWithWebIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { SignJWT, exportJWK, generateKeyPair } from "jose";
import { applyIamDocuments } from "../../src/aws-setup/apply-iam.js";
import type { AwsClients } from "../../src/aws-setup/aws-clients.js";
import { renderIamDocuments, type IamDocuments } from "../../src/aws-setup/iam-documents.js";
import { resolveIamInputs } from "../../src/aws-setup/iam-inputs.js";
import { startFakeAws, type FakeAws, type IamPolicyDocument } from "../fakes/aws/index.js";
import { startFakeIamEc2, type FakeEc2Options, type FakeIamEc2 } from "../fakes/aws-iam-ec2/index.js";
import { startS3Server, type S3TestServer } from "../fakes/s3/s3-server.js";

export const ISSUER = "https://porch.example.com/oidc";
export const ORG = "acme";
export const RUNNER = "ecs-prod";
export const ACCOUNT = "123456789012";
export const REGION = "eu-central-1";
export const SECRET = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:db/password-AbC123";
export const BUCKET = "acme-state";

export const inputs = resolveIamInputs({
  orgId: ORG,
  runnerId: RUNNER,
  accountId: ACCOUNT,
  region: REGION,
  cluster: "jobs",
  issuerUrl: ISSUER,
  bucket: BUCKET,
  pathPrefix: "state",
  secretArns: [SECRET],
});

export const healthyNetwork = (): Required<FakeEc2Options> => ({
  subnets: [{ subnetId: "subnet-0aaaaaaaaaaaaaaaa", vpcId: "vpc-1" }],
  routeTables: [
    { routeTableId: "rtb-main", vpcId: "vpc-1", main: true, routes: [{ destinationCidrBlock: "10.0.0.0/16", gatewayId: "local" }] },
    {
      routeTableId: "rtb-private",
      vpcId: "vpc-1",
      subnetIds: ["subnet-0aaaaaaaaaaaaaaaa"],
      routes: [
        { destinationCidrBlock: "10.0.0.0/16", gatewayId: "local" },
        { destinationCidrBlock: "0.0.0.0/0", natGatewayId: "nat-0123" },
      ],
    },
  ],
  vpcEndpoints: [],
  securityGroups: [
    { groupId: "sg-0aaaaaaaaaaaaaaaa", groupName: "runner", vpcId: "vpc-1", egress: [{ ipProtocol: "-1", cidrIp: ["0.0.0.0/0"] }] },
    { groupId: "sg-0bbbbbbbbbbbbbbbb", groupName: "default", vpcId: "vpc-1", egress: [{ ipProtocol: "-1", cidrIp: ["0.0.0.0/0"] }] },
  ],
});

export interface WorldOptions {
  /** The `sub` the orchestrator role accepts (its trust policy, in both IAM and STS). */
  acceptedSubject?: string;
  clusterHasFargate?: boolean;
  network?: Required<FakeEc2Options>;
  createBucket?: boolean;
  existingSecrets?: string[];
  /** Drop these inline policies after set-up (role name -> policy name). */
  removeInlinePolicies?: Array<[string, string]>;
}

export interface World {
  docs: IamDocuments;
  runner: { runner_configuration: Record<string, unknown> & { job: Record<string, unknown> }; state_storage_configuration: Record<string, unknown> };
  clients: AwsClients;
  aws: FakeAws;
  iamEc2: FakeIamEc2;
  s3: S3TestServer;
  token: (orgId: string, runnerId: string) => Promise<string>;
  stop(): Promise<void>;
}

// RSA key generation is the slowest part of a world: one key pair serves every test of a file.
let keyPair: ReturnType<typeof generateKeyPair> | undefined;

export async function startWorld(opts: WorldOptions = {}): Promise<World> {
  const docs = renderIamDocuments(inputs);
  const subject = `${ORG}+${RUNNER}`;
  const accepted = opts.acceptedSubject ?? subject;
  const { publicKey, privateKey } = await (keyPair ??= generateKeyPair("RS256"));
  const jwk = { ...(await exportJWK(publicKey)), kid: "test-key", alg: "RS256", use: "sig" };
  const mint = (sub: string) =>
    new SignJWT({})
      .setProtectedHeader({ alg: "RS256", kid: "test-key", typ: "JWT" })
      .setIssuer(ISSUER)
      .setSubject(sub)
      .setAudience("sts.amazonaws.com")
      .setIssuedAt()
      .setNotBefore("0s")
      .setExpirationTime("5m")
      .sign(privateKey);

  const operatorRole = `arn:aws:iam::${ACCOUNT}:role/operator`;
  const operatorPolicy: IamPolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ecs:DescribeClusters", Resource: "*" }] };
  const aws = await startFakeAws({
    accountId: ACCOUNT,
    region: REGION,
    sts: {
      issuer: ISSUER,
      jwks: () => ({ keys: [jwk] }),
      roles: [
        { roleArn: docs.orchestratorRole.arn, subject: accepted, policy: docs.orchestratorRole.inlinePolicy as unknown as IamPolicyDocument },
        // The user's own credentials for the doctor's ECS call: the shared fake only accepts credentials its STS issued.
        { roleArn: operatorRole, subject: `${ORG}+operator`, policy: operatorPolicy },
      ],
    },
    ecs: { clusters: [{ name: "jobs", fargate: opts.clusterHasFargate ?? true }] },
  });
  const iamEc2 = await startFakeIamEc2({
    accountId: ACCOUNT,
    region: REGION,
    ec2: opts.network ?? healthyNetwork(),
    secretMetadata: { secrets: opts.existingSecrets ?? [SECRET] },
  });
  const s3 = await startS3Server();
  if (opts.createBucket ?? true) await s3.createBucket(BUCKET);

  const userCredentials = { accessKeyId: "AKIDUSER", secretAccessKey: "user-secret" };
  const local = { region: REGION, endpoint: iamEc2.endpoint, credentials: userCredentials };
  const sts = new STSClient({ region: REGION, endpoint: aws.endpoint, credentials: userCredentials });
  const operator = await sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: operatorRole, RoleSessionName: "operator", WebIdentityToken: await mint(`${ORG}+operator`) }));
  const clients: AwsClients = {
    iam: new IAMClient(local),
    ec2: new EC2Client(local),
    secretsManager: new SecretsManagerClient(local),
    ssm: new SSMClient(local),
    sts,
    ecs: new ECSClient({
      region: REGION,
      endpoint: aws.endpoint,
      credentials: {
        accessKeyId: operator.Credentials!.AccessKeyId!,
        secretAccessKey: operator.Credentials!.SecretAccessKey!,
        sessionToken: operator.Credentials!.SessionToken!,
      },
    }),
    s3: new S3Client({
      region: REGION,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    }),
  };

  await applyIamDocuments(clients.iam, docs, { dryRun: false });
  if (accepted !== subject) {
    const role = iamEc2.iam.roles.get(docs.orchestratorRole.name)!;
    role.trustPolicy = role.trustPolicy.replace(`"${subject}"`, `"${accepted}"`);
  }
  for (const [role, policy] of opts.removeInlinePolicies ?? []) iamEc2.iam.roles.get(role)!.inlinePolicies.delete(policy);

  return {
    docs,
    runner: {
      runner_configuration: {
        type: "serverless-ecs",
        auth: { role_arn: docs.orchestratorRole.arn },
        job: {
          region: REGION,
          cluster: "jobs",
          subnets: ["subnet-0aaaaaaaaaaaaaaaa"],
          security_groups: ["sg-0aaaaaaaaaaaaaaaa"],
          execution_role_arn: docs.executionRole.arn,
          task_role_arn: docs.taskRole.arn,
          secrets: { DB_PASSWORD: SECRET },
        },
      },
      state_storage_configuration: { type: "s3", bucket: BUCKET, path_prefix: "state" },
    },
    clients,
    aws,
    iamEc2,
    s3,
    token: (orgId, runnerId) => mint(`${orgId}+${runnerId}`),
    async stop() {
      for (const client of Object.values(clients)) client.destroy();
      await Promise.all([aws.stop(), iamEc2.stop(), s3.stop()]);
    },
  };
}
