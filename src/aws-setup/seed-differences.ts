import type { IamInputsDraft } from "./iam-inputs.js";

/**
 * Where porch's documents deliberately differ from the setup guide porch follows (the "serverless-ecs"
 * runner guide: trust policy, minimal ECS policy, execution and task roles, secrets policy), for the
 * guide's own example values. Each entry lists the grant lines (see grant-lines.ts) the guide has and
 * porch drops, the ones porch adds, and why. A test renders both and fails when the difference is not
 * exactly this table, so any new drift has to be argued for here.
 */
export const SEED_EXAMPLE: IamInputsDraft = {
  orgId: "my-org",
  runnerId: "ecs-my-ecs-cluster-eu-central-1",
  accountId: "123456789012",
  region: "eu-central-1",
  cluster: "my-ecs-cluster",
  issuerUrl: "https://oidc.humanitec.dev",
  secretArns: [
    "arn:aws:secretsmanager:eu-central-1:123456789012:secret:myapp/api-key-XyZ9Qw",
    "arn:aws:ssm:eu-central-1:123456789012:parameter/app/config/api-endpoint",
  ],
  bucket: "humanitec-ecs-runner-state",
  pathPrefix: "state-files",
};

export interface DeliberateDifference {
  document: string;
  why: string;
  removed: string[];
  added: string[];
}

const ECS = "arn:aws:ecs:eu-central-1:123456789012";
const GUIDE_FAMILIES = `${ECS}:task-definition/humanitec_*`;
const RUNNER_FAMILY = `${ECS}:task-definition/humanitec_my-org_ecs-my-ecs-cluster-eu-central-1:*`;
const BUCKET = "arn:aws:s3:::humanitec-ecs-runner-state";

export const DELIBERATE_DIFFERENCES: readonly DeliberateDifference[] = [
  {
    document: "orchestrator_role.policy",
    why: "Task definitions: only this runner's family (<prefix>_<org>_<runner>), not every humanitec_* family in the account, so one runner's role cannot rewrite or run another runner's task definitions.",
    removed: [
      `Allow ecs:DeleteTaskDefinitions on ${GUIDE_FAMILIES}`,
      `Allow ecs:DescribeTasks on ${GUIDE_FAMILIES}`,
      `Allow ecs:ListTasks on ${GUIDE_FAMILIES}`,
      `Allow ecs:RegisterTaskDefinition on ${GUIDE_FAMILIES}`,
      `Allow ecs:TagResource on ${GUIDE_FAMILIES}`,
    ],
    added: [
      `Allow ecs:DeleteTaskDefinitions on ${RUNNER_FAMILY}`,
      `Allow ecs:DescribeTasks on ${RUNNER_FAMILY}`,
      `Allow ecs:ListTasks on ${RUNNER_FAMILY}`,
      `Allow ecs:RegisterTaskDefinition on ${RUNNER_FAMILY}`,
      `Allow ecs:TagResource on ${RUNNER_FAMILY}`,
    ],
  },
  {
    document: "orchestrator_role.policy",
    why: "RunTask's only resource is the task definition: listing the cluster, tasks and container instances as RunTask resources grants nothing, and the guide's policy lets the role start the task definition in any cluster. The ecs:cluster condition pins it to the runner's cluster.",
    removed: [
      `Allow ecs:RunTask on ${ECS}:cluster/my-ecs-cluster`,
      `Allow ecs:RunTask on ${ECS}:container-instance/my-ecs-cluster/*`,
      `Allow ecs:RunTask on ${GUIDE_FAMILIES}`,
      `Allow ecs:RunTask on ${ECS}:task/my-ecs-cluster/*`,
    ],
    added: [`Allow ecs:RunTask on ${RUNNER_FAMILY} if ArnEquals ecs:cluster=${ECS}:cluster/my-ecs-cluster`],
  },
  {
    document: "orchestrator_role.policy",
    why: "iam:PassRole on '*' lets the role hand any ECS-trusting role in the account (an admin one included) to a task it starts; porch only ever passes the runner's execution and task roles. StringEquals because the service name is exact.",
    removed: ["Allow iam:PassRole on * if StringLike iam:PassedToService=ecs-tasks.amazonaws.com"],
    added: [
      "Allow iam:PassRole on arn:aws:iam::123456789012:role/porch-ecs-my-ecs-cluster-eu-central-1-execution if StringEquals iam:PassedToService=ecs-tasks.amazonaws.com",
      "Allow iam:PassRole on arn:aws:iam::123456789012:role/porch-ecs-my-ecs-cluster-eu-central-1-task if StringEquals iam:PassedToService=ecs-tasks.amazonaws.com",
    ],
  },
  {
    document: "execution_role.policy",
    why: "Exactly the configured secret, not every secret under myapp/.",
    removed: ["Allow secretsmanager:GetSecretValue on arn:aws:secretsmanager:eu-central-1:123456789012:secret:myapp/*"],
    added: ["Allow secretsmanager:GetSecretValue on arn:aws:secretsmanager:eu-central-1:123456789012:secret:myapp/api-key-XyZ9Qw"],
  },
  {
    document: "execution_role.policy",
    why: "The ECS agent resolves Parameter Store secrets with ssm:GetParameters (plural); the guide's ssm:GetParameter makes the task fail with ResourceInitializationError.",
    removed: ["Allow ssm:GetParameter on arn:aws:ssm:eu-central-1:123456789012:parameter/app/config/api-endpoint"],
    added: ["Allow ssm:GetParameters on arn:aws:ssm:eu-central-1:123456789012:parameter/app/config/api-endpoint"],
  },
  {
    document: "task_role.trust_policy",
    why: "Confused-deputy guard: ECS may hand the task role (which can write the state bucket) only to tasks of this account and region.",
    removed: ["Allow sts:AssumeRole by Service:ecs-tasks.amazonaws.com"],
    added: [
      "Allow sts:AssumeRole by Service:ecs-tasks.amazonaws.com if ArnLike aws:SourceArn=arn:aws:ecs:eu-central-1:123456789012:* and StringEquals aws:SourceAccount=123456789012",
    ],
  },
  {
    document: "task_role.policy",
    why: "The guide leaves the state bucket policy to the reader. porch grants the least OpenTofu's S3 backend needs: list the prefix only, and get/put/delete under it (delete for the <key>.tflock lock file).",
    removed: [],
    added: [
      `Allow s3:DeleteObject on ${BUCKET}/state-files/*`,
      `Allow s3:GetObject on ${BUCKET}/state-files/*`,
      `Allow s3:ListBucket on ${BUCKET} if StringLike s3:prefix=state-files/*`,
      `Allow s3:PutObject on ${BUCKET}/state-files/*`,
    ],
  },
];
