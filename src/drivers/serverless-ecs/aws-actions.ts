/**
 * Every AWS API action porch's orchestrator calls in the user's account for a serverless-ecs runner,
 * and when. This list is the single source for the least-privilege test and for `porch aws iam`.
 * `required: false` actions are optional: porch degrades gracefully without them and says which
 * permission would enable the feature.
 */
export interface AwsActionUse {
  action: string;
  when: string;
  required: boolean;
  /** Which resource ARN shape the call targets. */
  resource: "task-definition" | "cluster" | "task" | "role" | "any";
}

export const ORCHESTRATOR_AWS_ACTIONS: readonly AwsActionUse[] = [
  { action: "sts:AssumeRoleWithWebIdentity", when: "before any ECS call, with porch's OIDC token (granted by the role's trust policy)", required: true, resource: "role" },
  { action: "ecs:ListTaskDefinitions", when: "clean-up: find old revisions of the runner's family", required: true, resource: "any" },
  { action: "ecs:RegisterTaskDefinition", when: "deploy: only when the rendered task definition changed", required: true, resource: "task-definition" },
  { action: "ecs:DeregisterTaskDefinition", when: "clean-up: retire revisions beyond the newest few", required: true, resource: "any" },
  { action: "ecs:DeleteTaskDefinitions", when: "clean-up: delete retired (INACTIVE) revisions, at most 10 per call", required: true, resource: "task-definition" },
  { action: "ecs:RunTask", when: "deploy: start the one-off Fargate task", required: true, resource: "task-definition" },
  { action: "ecs:TagResource", when: "deploy: tags on RunTask and RegisterTaskDefinition", required: true, resource: "task" },
  { action: "ecs:DescribeTasks", when: "track: the shared per-cluster polling loop", required: true, resource: "task" },
  { action: "ecs:ListTasks", when: "re-attach after a restart: find tasks started for a deployment", required: true, resource: "cluster" },
  { action: "iam:PassRole", when: "deploy: hand the execution and task roles to ecs-tasks.amazonaws.com", required: true, resource: "role" },
  { action: "ecs:StopTask", when: "cancel: stop the task at once (optional; without it cancel goes through the job protocol)", required: false, resource: "task" },
];

export const DEFAULT_TASK_DEFINITION_PREFIX = "humanitec";
