import { ListTaskDefinitionsCommand } from "@aws-sdk/client-ecs";
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeAws, type FakeAws } from "../fakes/aws/index.js";
import { ACCOUNT, ISSUER, ORCHESTRATOR_ROLE, SUBJECT, assumeRole, awsError, createTestIssuer, ecsClient, startDefaultFake, stsClient, type TestIssuer } from "./support.js";

describe("fake STS AssumeRoleWithWebIdentity", () => {
  let issuer: TestIssuer;
  let fake: FakeAws;

  // Key generation is slow; tests that rotate keys make their own issuer.
  beforeAll(async () => {
    issuer = await createTestIssuer();
  });
  beforeEach(async () => {
    fake = await startDefaultFake(issuer);
  });
  afterEach(() => fake.stop());

  const assume = async (token: string, input: { RoleArn?: string; RoleSessionName?: string; DurationSeconds?: number } = {}) =>
    stsClient(fake).send(new AssumeRoleWithWebIdentityCommand({ RoleArn: ORCHESTRATOR_ROLE, RoleSessionName: "porch-deploy", WebIdentityToken: token, ...input }));

  it("issues credentials bound to the role for a token the trust policy accepts", async () => {
    const answer = await assume(await issuer.mint());

    expect(answer.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/porch-orchestrator/porch-deploy`);
    expect(answer.SubjectFromWebIdentityToken).toBe(SUBJECT);
    expect(answer.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(answer.Credentials?.Expiration?.getTime()).toBeGreaterThan(Date.now());
    expect(fake.sts.issuedCredentials()).toEqual([expect.objectContaining({ accessKeyId: answer.Credentials?.AccessKeyId, roleArn: ORCHESTRATOR_ROLE })]);

    const identity = await new STSClient({
      region: fake.region,
      endpoint: fake.endpoint,
      maxAttempts: 1,
      credentials: { accessKeyId: answer.Credentials!.AccessKeyId!, secretAccessKey: answer.Credentials!.SecretAccessKey!, sessionToken: answer.Credentials!.SessionToken! },
    }).send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(answer.AssumedRoleUser?.Arn);
    expect(identity.Account).toBe(ACCOUNT);
  });

  it("rejects a token whose sub the role's trust policy does not accept (IDPRejectedClaim)", async () => {
    const error = await awsError(assume(await issuer.mint({ sub: "other-org+runner-1" })));
    expect(error.name).toBe("IDPRejectedClaimException");
    expect(error.message).toContain("Not authorized to perform sts:AssumeRoleWithWebIdentity");
  });

  it("rejects a token for an audience the OIDC provider does not list", async () => {
    const error = await awsError(assume(await issuer.mint({ aud: "porch" })));
    expect(error.name).toBe("InvalidIdentityTokenException");
    expect(error.message).toBe("Incorrect token audience");
  });

  it("verifies against the JWKS of the moment: a rotated-out key fails, the new one works at once", async () => {
    const rotating = await createTestIssuer();
    await fake.stop();
    fake = await startDefaultFake(rotating);
    const oldToken = await rotating.mint();
    await rotating.rotate();

    const error = await awsError(assume(oldToken));
    expect(error.name).toBe("InvalidIdentityTokenException");
    await expect(assume(await rotating.mint())).resolves.toMatchObject({ SubjectFromWebIdentityToken: SUBJECT });
  });

  it("rejects a token without kid, from another issuer, or with fractional time claims", async () => {
    const noKid = await awsError(assume(await issuer.mint({}, { kid: undefined })));
    expect(noKid.name).toBe("InvalidIdentityTokenException");
    expect(noKid.message).toContain("KeyId");

    const otherIssuer = await awsError(assume(await issuer.mint({ iss: "https://elsewhere.test" })));
    expect(otherIssuer.name).toBe("InvalidIdentityTokenException");
    expect(otherIssuer.message).toContain("No OpenIDConnect provider found");

    const fractional = await awsError(assume(await issuer.mint({ exp: Date.now() / 1000 + 300.5 })));
    expect(fractional.name).toBe("InvalidIdentityTokenException");
    expect(fractional.message).toContain("'exp' must be an integer");
  });

  it("answers ExpiredTokenException for an expired token", async () => {
    const past = Math.floor(Date.now() / 1000) - 600;
    const error = await awsError(assume(await issuer.mint({ iat: past - 60, nbf: past - 60, exp: past })));
    expect(error.name).toBe("ExpiredTokenException");
  });

  it("answers AccessDenied for a role it does not know", async () => {
    const error = await awsError(assume(await issuer.mint(), { RoleArn: `arn:aws:iam::${ACCOUNT}:role/not-there` }));
    expect(error.name).toBe("AccessDenied");
    expect(error.status).toBe(403);
  });

  it("validates RoleSessionName and DurationSeconds like STS", async () => {
    const token = await issuer.mint();
    expect((await awsError(assume(token, { RoleSessionName: "has space" }))).name).toBe("ValidationError");
    expect((await awsError(assume(token, { RoleSessionName: "x" }))).name).toBe("ValidationError");
    expect((await awsError(assume(token, { RoleSessionName: "s".repeat(65) }))).name).toBe("ValidationError");
    expect((await awsError(assume(token, { DurationSeconds: 899 }))).name).toBe("ValidationError");
    const beyondRoleMax = await awsError(assume(token, { DurationSeconds: 7200 }));
    expect(beyondRoleMax.name).toBe("ValidationError");
    expect(beyondRoleMax.message).toContain("MaxSessionDuration");
  });

  it("answers IDPCommunicationError when the JWKS cannot be fetched", async () => {
    const unreachable = await startFakeAws({
      sts: { issuer: ISSUER, jwks: () => Promise.reject(new Error("connect ECONNREFUSED")), roles: [{ roleArn: ORCHESTRATOR_ROLE, subject: SUBJECT, policy: { Statement: [] } }] },
    });
    try {
      const error = await awsError(
        stsClient(unreachable).send(new AssumeRoleWithWebIdentityCommand({ RoleArn: ORCHESTRATOR_ROLE, RoleSessionName: "s1", WebIdentityToken: await issuer.mint() })),
      );
      expect(error.name).toBe("IDPCommunicationErrorException");
    } finally {
      await unreachable.stop();
    }
  });

  it("refuses to start with an issuer IAM would not accept as an OIDC provider URL", async () => {
    await expect(startFakeAws({ sts: { issuer: "http://127.0.0.1:8080", jwks: () => issuer.jwks(), roles: [] } })).rejects.toMatchObject({ code: "fake_aws_setup_invalid" });
  });
});

describe("fake AWS request authentication", () => {
  let issuer: TestIssuer;
  let fake: FakeAws;

  beforeAll(async () => {
    issuer = await createTestIssuer();
  });
  beforeEach(async () => {
    fake = await startDefaultFake(issuer, { sts: { issuer: ISSUER, jwks: () => issuer.jwks(), roles: [], credentialLifetimeSeconds: 1 } });
  });
  afterEach(() => fake.stop());

  it("accepts only credentials it issued, signed with their secret, for its region", async () => {
    const stranger = await awsError(ecsClient(fake, { accessKeyId: "AKIAFAKEFAKEFAKEFAKE", secretAccessKey: "nope" }).send(new ListTaskDefinitionsCommand({})));
    expect(stranger.name).toBe("UnrecognizedClientException");
    expect(fake.calls.at(-1)).toMatchObject({ service: "ecs", action: "ListTaskDefinitions", error: "UnrecognizedClientException" });
  });

  it("refuses credentials after they expire, and a wrong secret or region even before", async () => {
    const roleFake = await startDefaultFake(issuer, {
      sts: {
        issuer: ISSUER,
        jwks: () => issuer.jwks(),
        roles: [{ roleArn: ORCHESTRATOR_ROLE, subject: SUBJECT, policy: { Statement: [{ Effect: "Allow", Action: "ecs:*", Resource: "*" }] } }],
        credentialLifetimeSeconds: 1,
      },
    });
    try {
      const credentials = await assumeRole(roleFake, issuer);
      await expect(ecsClient(roleFake, credentials).send(new ListTaskDefinitionsCommand({}))).resolves.toBeDefined();

      const wrongSecret = await awsError(ecsClient(roleFake, { ...credentials, secretAccessKey: "x".repeat(40) }).send(new ListTaskDefinitionsCommand({})));
      expect(wrongSecret.name).toBe("InvalidSignatureException");
      const wrongRegion = await awsError(ecsClient(roleFake, credentials, "us-east-1").send(new ListTaskDefinitionsCommand({})));
      expect(wrongRegion.name).toBe("InvalidSignatureException");
      expect(wrongRegion.message).toContain("us-east-1");

      const expiration = roleFake.sts.issuedCredentials()[0]!.expiration.getTime();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiration - Date.now()) + 20));
      const expired = await awsError(ecsClient(roleFake, credentials).send(new ListTaskDefinitionsCommand({})));
      expect(expired.name).toBe("ExpiredTokenException");
    } finally {
      await roleFake.stop();
    }
  });
});
