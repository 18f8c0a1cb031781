import type { PolicyDocument } from "../../src/aws-setup/policy-document.js";

/**
 * The documents of the setup guide (seed 000), transcribed for its example values: account
 * 123456789012, region eu-central-1, cluster my-ecs-cluster, org my-org, RUNNER_ID
 * ecs-${ECS_CLUSTER}-${AWS_REGION}, issuer oidc.humanitec.dev, and the guide's two example secrets.
 *
 * The guide shows the execution role's secrets policy as a bare list of statements, each carrying a
 * "Version" and no "Effect"; it is transcribed here as the policy it clearly means (Effect Allow).
 */
export const SEED_ACCOUNT = "123456789012";
export const SEED_REGION = "eu-central-1";
export const SEED_CLUSTER = "my-ecs-cluster";
export const SEED_ORG = "my-org";
export const SEED_RUNNER = `ecs-${SEED_CLUSTER}-${SEED_REGION}`;
export const SEED_SECRET_ARN = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:myapp/api-key-XyZ9Qw";
export const SEED_PARAMETER_ARN = "arn:aws:ssm:eu-central-1:123456789012:parameter/app/config/api-endpoint";

const ecs = (resource: string) => `arn:aws:ecs:${SEED_REGION}:${SEED_ACCOUNT}:${resource}`;

export const SEED_000 = {
  oidcProvider: { url: "https://oidc.humanitec.dev", clientIds: ["sts.amazonaws.com"] },
  orchestratorTrust: {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: `arn:aws:iam::${SEED_ACCOUNT}:oidc-provider/oidc.humanitec.dev` },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            "oidc.humanitec.dev:aud": "sts.amazonaws.com",
            "oidc.humanitec.dev:sub": `${SEED_ORG}+${SEED_RUNNER}`,
          },
        },
      },
    ],
  },
  orchestratorPolicy: {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: ["ecs:ListTaskDefinitions", "ecs:DeregisterTaskDefinition"], Resource: "*" },
      { Effect: "Allow", Action: ["ecs:RegisterTaskDefinition", "ecs:DeleteTaskDefinitions"], Resource: [ecs("task-definition/humanitec_*")] },
      {
        Effect: "Allow",
        Action: ["ecs:ListTasks", "ecs:DescribeTasks", "ecs:RunTask", "ecs:TagResource"],
        Resource: [
          ecs("task-definition/humanitec_*"),
          ecs(`cluster/${SEED_CLUSTER}`),
          ecs(`task/${SEED_CLUSTER}/*`),
          ecs(`container-instance/${SEED_CLUSTER}/*`),
        ],
      },
      { Effect: "Allow", Action: "iam:PassRole", Resource: "*", Condition: { StringLike: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } } },
    ],
  },
  executionTrust: {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }],
  },
  executionManagedPolicies: ["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"],
  executionSecretsPolicy: {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:myapp/*" },
      { Effect: "Allow", Action: ["ssm:GetParameter"], Resource: SEED_PARAMETER_ARN },
    ],
  },
  taskTrust: {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }],
  },
} satisfies {
  oidcProvider: { url: string; clientIds: string[] };
  orchestratorTrust: PolicyDocument;
  orchestratorPolicy: PolicyDocument;
  executionTrust: PolicyDocument;
  executionManagedPolicies: string[];
  executionSecretsPolicy: PolicyDocument;
  taskTrust: PolicyDocument;
};
