import { z } from "zod";
import { resolveFargateSize } from "./fargate.js";

/** Names porch sets itself inside every job; users may not override them. */
export const RESERVED_ENV_PREFIX = "PORCH_";
export const RESERVED_ENV_NAMES = ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "ECS_CONTAINER_METADATA_URI", "ECS_CONTAINER_METADATA_URI_V4"];

export const ROLE_ARN_PATTERN = /^arn:aws:iam::\d{12}:role\/[a-zA-Z_0-9+=,.@\-_/]+$/;
export const REGION_PATTERN = /^[a-z]{2}-[a-z]+-\d$/;
export const SESSION_NAME_PATTERN = /^[\w+=,.@-]{2,64}$/;
export const IMAGE_PATTERN = /^[a-zA-Z0-9._:/-]+(?:@[a-z0-9]+:[a-fA-F0-9]+)?$/;
export const SECRETS_MANAGER_ARN_PATTERN = /^arn:aws:secretsmanager:[a-z]{2}-[a-z]+-\d:\d{12}:secret:.+-[A-Za-z0-9]{6}$/;
export const SSM_PARAMETER_ARN_PATTERN = /^arn:aws:ssm:[a-z]{2}-[a-z]+-\d:\d{12}:parameter\/.+$/;
const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LOG_GROUP_PATTERN = /^[.\-_/#A-Za-z0-9]{1,512}$/;

export const RUNNER_TYPES_SUPPORTED = ["serverless-ecs", "local"] as const;
/** Types the reference API knows but porch cannot execute yet: rejected with a clear 400. */
export const RUNNER_TYPES_NOT_YET_SUPPORTED = ["kubernetes", "kubernetes-gke", "kubernetes-eks", "kubernetes-agent"] as const;

const roleArn = z.string().regex(ROLE_ARN_PATTERN, "must be an IAM role ARN like arn:aws:iam::123456789012:role/name");
const region = z.string().min(1).max(24).regex(REGION_PATTERN, "must be an AWS region like eu-central-1");

function isReservedEnvName(name: string): boolean {
  return name.startsWith(RESERVED_ENV_PREFIX) || RESERVED_ENV_NAMES.includes(name);
}

const envName = z
  .string()
  .regex(ENV_NAME_PATTERN, "environment variable names must match [A-Za-z_][A-Za-z0-9_]*")
  .refine((n) => !isReservedEnvName(n), {
    message: `is reserved for porch's own use (names starting with ${RESERVED_ENV_PREFIX}, ${RESERVED_ENV_NAMES.join(", ")})`,
  });

const secretArn = z
  .string()
  .refine((v) => SECRETS_MANAGER_ARN_PATTERN.test(v) || SSM_PARAMETER_ARN_PATTERN.test(v), {
    message:
      "must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 chars>) or an SSM parameter ARN (arn:aws:ssm:<region>:<account>:parameter/<path>)",
  });

const capacityProvider = z.strictObject({
  capacity_provider: z.enum(["FARGATE", "FARGATE_SPOT"]),
  weight: z.number().int().min(0).max(1000).optional(),
  base: z.number().int().min(0).max(100000).optional(),
});

export const serverlessEcsConfigurationSchema = z
  .strictObject({
    type: z.literal("serverless-ecs"),
    auth: z.strictObject({
      role_arn: roleArn,
      session_name: z.string().regex(SESSION_NAME_PATTERN, "must be 2..64 characters of letters, digits and +=,.@_-").optional(),
      sts_region: region.optional(),
    }),
    job: z
      .strictObject({
        region,
        cluster: z.string().min(1).max(255),
        subnets: z.array(z.string().min(1).max(24)).min(1, "at least one subnet is required").max(16),
        execution_role_arn: roleArn,
        task_role_arn: roleArn.optional(),
        security_groups: z.array(z.string().min(1).max(255)).max(5).optional(),
        is_public_ip_enabled: z.boolean().optional(),
        image: z.string().max(255).regex(IMAGE_PATTERN, "must be a container image reference like registry/repo:tag or repo@sha256:<digest>").optional(),
        environment: z.record(envName, z.string().max(1024)).optional(),
        secrets: z.record(envName, secretArn).optional(),
        /** Fargate cpu units; @default 512 */
        cpu: z.number().int().optional(),
        /** Fargate memory in MiB; @default 1024 */
        memory: z.number().int().optional(),
        /** CloudWatch Logs group for the awslogs driver; none by default. */
        log_group: z.string().regex(LOG_GROUP_PATTERN, "must be a CloudWatch Logs group name").optional(),
        /** FARGATE / FARGATE_SPOT strategy instead of launchType FARGATE. */
        capacity_provider_strategy: z.array(capacityProvider).min(1).max(2).optional(),
      })
      .superRefine((job, ctx) => {
        const size = resolveFargateSize(job.cpu, job.memory);
        if (!size.ok) ctx.addIssue({ code: "custom", path: [size.field], message: size.message });
        const overlap = Object.keys(job.environment ?? {}).filter((k) => job.secrets && k in job.secrets);
        for (const name of overlap) {
          ctx.addIssue({ code: "custom", path: ["secrets", name], message: `is also set in job.environment; use one of the two` });
        }
      }),
  });

export const localConfigurationSchema = z.strictObject({
  type: z.literal("local"),
  /** How many jobs this runner executes at once; @default 4 */
  max_concurrent_jobs: z.number().int().min(1).max(1000).optional(),
  /** Where job working directories are created; @default `<data-dir>/jobs` */
  working_dir: z.string().min(1).max(4096).optional(),
});

export const runnerConfigurationSchema = z.discriminatedUnion("type", [serverlessEcsConfigurationSchema, localConfigurationSchema]);

export type ServerlessEcsConfiguration = z.infer<typeof serverlessEcsConfigurationSchema>;
export type LocalConfiguration = z.infer<typeof localConfigurationSchema>;
export type RunnerConfiguration = z.infer<typeof runnerConfigurationSchema>;
export type RunnerType = RunnerConfiguration["type"];

export const DEFAULT_LOCAL_MAX_CONCURRENT_JOBS = 4;
