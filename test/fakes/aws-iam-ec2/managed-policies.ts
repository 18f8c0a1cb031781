import type { IamPolicyDocument } from "../aws/index.js";

/** The AWS managed policies the fake IAM knows, with the statements AWS publishes for them. */
export const AWS_MANAGED_POLICIES: Record<string, IamPolicyDocument> = {
  "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy": {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: [
          "ecr:GetAuthorizationToken",
          "ecr:BatchCheckLayerAvailability",
          "ecr:GetDownloadUrlForLayer",
          "ecr:BatchGetImage",
          "logs:CreateLogStream",
          "logs:PutLogEvents",
        ],
        Resource: "*",
      },
    ],
  },
};
