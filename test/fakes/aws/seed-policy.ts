import type { IamPolicyDocument } from "./types.js";

/**
 * The orchestrator role policy exactly as the documented setup (seed 000_255d8ed055591c02) grants it.
 * A runner set up like this must work; anything porch needs beyond it must be optional.
 */
export function SEED_DOCUMENTED_ORCHESTRATOR_POLICY(accountId: string, region: string, cluster: string): IamPolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["ecs:ListTaskDefinitions", "ecs:DeregisterTaskDefinition"],
        Resource: "*",
      },
      {
        Effect: "Allow",
        Action: ["ecs:RegisterTaskDefinition", "ecs:DeleteTaskDefinitions"],
        Resource: [`arn:aws:ecs:${region}:${accountId}:task-definition/humanitec_*`],
      },
      {
        Effect: "Allow",
        Action: ["ecs:ListTasks", "ecs:DescribeTasks", "ecs:RunTask", "ecs:TagResource"],
        Resource: [
          `arn:aws:ecs:${region}:${accountId}:task-definition/humanitec_*`,
          `arn:aws:ecs:${region}:${accountId}:cluster/${cluster}`,
          `arn:aws:ecs:${region}:${accountId}:task/${cluster}/*`,
          `arn:aws:ecs:${region}:${accountId}:container-instance/${cluster}/*`,
        ],
      },
      {
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: "*",
        Condition: {
          StringLike: {
            "iam:PassedToService": "ecs-tasks.amazonaws.com",
          },
        },
      },
    ],
  };
}
