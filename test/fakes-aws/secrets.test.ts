import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { GetParameterCommand, GetParametersCommand } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeAws } from "../fakes/aws/index.js";
import { ACCOUNT, ISSUER, ORCHESTRATOR_ROLE, REGION, SUBJECT, assumeRole, awsError, createTestIssuer, secretsClient, ssmClient, startDefaultFake, type Credentials } from "./support.js";

const READABLE = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:runner/api-key-XyZ9Qw`;
const OTHER = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:billing/key-AbCdEf`;
const PARAMETER = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/runner/endpoint`;

describe("fake Secrets Manager and SSM", () => {
  let fake: FakeAws;
  let credentials: Credentials;

  beforeAll(async () => {
    const issuer = await createTestIssuer();
    fake = await startDefaultFake(issuer, {
      sts: {
        issuer: ISSUER,
        jwks: () => issuer.jwks(),
        roles: [
          {
            roleArn: ORCHESTRATOR_ROLE,
            subject: SUBJECT,
            policy: {
              Statement: [
                { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:runner/*` },
                { Effect: "Allow", Action: ["ssm:GetParameters", "ssm:GetParameter"], Resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/runner/*` },
              ],
            },
          },
        ],
      },
      secrets: { [READABLE]: "s3cr3t", [OTHER]: "not yours" },
      parameters: { [PARAMETER]: "https://api.example.test" },
    });
    credentials = await assumeRole(fake, issuer);
  });
  afterAll(() => fake.stop());

  it("returns a secret the role may read, by ARN or by name", async () => {
    const byArn = await secretsClient(fake, credentials).send(new GetSecretValueCommand({ SecretId: READABLE }));
    expect(byArn).toMatchObject({ ARN: READABLE, Name: "runner/api-key", SecretString: "s3cr3t" });
    const byName = await secretsClient(fake, credentials).send(new GetSecretValueCommand({ SecretId: "runner/api-key" }));
    expect(byName.SecretString).toBe("s3cr3t");
  });

  it("denies other secrets and reports unknown ones as not found", async () => {
    const denied = await awsError(secretsClient(fake, credentials).send(new GetSecretValueCommand({ SecretId: OTHER })));
    expect(denied.name).toBe("AccessDeniedException");
    expect(denied.message).toContain(`secretsmanager:GetSecretValue on resource: ${OTHER}`);
    const missing = await awsError(secretsClient(fake, credentials).send(new GetSecretValueCommand({ SecretId: "runner/none" })));
    expect(missing.name).toBe("ResourceNotFoundException");
  });

  it("answers SSM GetParameters with InvalidParameters for unknown names, GetParameter with ParameterNotFound", async () => {
    const answer = await ssmClient(fake, credentials).send(new GetParametersCommand({ Names: ["/runner/endpoint", "/runner/missing"], WithDecryption: true }));
    expect(answer.Parameters?.map((p) => [p.Name, p.Value])).toEqual([["/runner/endpoint", "https://api.example.test"]]);
    expect(answer.InvalidParameters).toEqual(["/runner/missing"]);
    const missing = await awsError(ssmClient(fake, credentials).send(new GetParameterCommand({ Name: "/runner/missing" })));
    expect(missing.name).toBe("ParameterNotFound");
    expect(fake.calls.filter((call) => call.service === "ssm").map((call) => call.action)).toEqual(["GetParameters", "GetParameter"]);
  });
});
