/**
 * Public shapes of the fake AWS endpoint (a test double: no AWS account is involved). The serverless-ecs
 * driver's tests code against these, so changes here are API changes.
 */

export type IamPolicyDocument = {
  Version?: string;
  Statement: Array<{
    Effect: "Allow" | "Deny";
    Action: string | string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
  }>;
};

export interface FakeStsRole {
  roleArn: string;
  /** The only `sub` the role's trust policy accepts (StringEquals `<issuer-host>:sub`). */
  subject: string;
  /** @default "sts.amazonaws.com" */
  audience?: string;
  /** The role's identity policy, evaluated on every signed call made with its credentials. */
  policy: IamPolicyDocument;
  /** The role's MaxSessionDuration. @default 3600 */
  maxSessionSeconds?: number;
}

export interface FakeAwsOptions {
  /** @default "123456789012" */
  accountId?: string;
  /** @default "eu-central-1" */
  region?: string;
  sts?: {
    /** The IAM OIDC provider URL; must be https://, without port or query, like AWS requires. Compared with `iss` exactly. */
    issuer: string;
    /** Porch's JWKS, asked for on every AssumeRoleWithWebIdentity (like AWS fetching `jwks_uri`), so tests can rotate keys. */
    jwks: () => Promise<{ keys: object[] }> | { keys: object[] };
    roles: FakeStsRole[];
    /** Caps the lifetime of issued credentials (the requested DurationSeconds otherwise applies). @default 3600 */
    credentialLifetimeSeconds?: number;
  };
  ecs?: {
    clusters: Array<{ name: string; status?: "ACTIVE" | "INACTIVE"; fargate?: boolean }>;
    /** When set, RunTask with any other subnet fails with InvalidParameterException. */
    knownSubnets?: string[];
    /** When set, an image it rejects makes the task stop with CannotPullContainerError. */
    knownImages?: (image: string) => boolean;
    /** When set, the role ARNs that exist: RunTask with another execution/task role fails with ClientException. */
    roles?: string[];
    /** Runs the essential container when its task reaches RUNNING. Without it the container "runs" until stopped. */
    launcher?: (task: FakeTaskLaunch) => FakeProcess;
    timings?: FakeEcsTimings;
    /** Token bucket for RunTask per account and region. @default null (no throttling) */
    runTaskRate?: { perSecond: number; burst: number } | null;
    /** How long a STOPPED task stays describable before DescribeTasks answers MISSING (AWS: at least 1 h). @default 24 h */
    describeRetentionMs?: number;
  };
  /** Secrets Manager secret ARN -> SecretString. */
  secrets?: Record<string, string>;
  /** SSM parameter ARN or name -> value. */
  parameters?: Record<string, string>;
  /** Execution role ARN -> what it may read when the ECS agent resolves container `secrets`. A role not listed may read nothing. */
  executionRolePolicies?: Record<string, IamPolicyDocument>;
}

export interface FakeEcsTimings {
  /** PROVISIONING -> PENDING. @default 20 */
  provisioningMs?: number;
  /** PENDING (image pull, secrets) -> ACTIVATING. @default 20 */
  pendingMs?: number;
  /** ACTIVATING -> RUNNING. @default 5 */
  activatingMs?: number;
  /** DEACTIVATING -> ... -> STOPPED once the container is gone. @default 20 */
  stoppingMs?: number;
  /** SIGTERM -> SIGKILL grace on stop. @default the container's `stopTimeout` seconds, else 30 s (like ECS) */
  stopTimeoutMs?: number;
}

export interface FakeTaskLaunch {
  taskArn: string;
  cluster: string;
  /** Container environment, then containerOverrides environment, then resolved secrets, then the variables Fargate sets. */
  env: Record<string, string>;
  image: string;
  /** The container command (override first), when one is set. */
  command?: string[];
  taskRoleArn?: string;
  cpu: string;
  memory: string;
}

export interface FakeProcessExit {
  exitCode: number;
  reason?: string;
  oom?: boolean;
}

export interface FakeProcess {
  exited: Promise<FakeProcessExit>;
  stop(signal: "SIGTERM" | "SIGKILL"): void;
}

export type FakeTaskStatus =
  | "PROVISIONING"
  | "PENDING"
  | "ACTIVATING"
  | "RUNNING"
  | "DEACTIVATING"
  | "STOPPING"
  | "DEPROVISIONING"
  | "STOPPED";

export interface FakeTaskView {
  taskArn: string;
  taskId: string;
  cluster: string;
  taskDefinitionArn: string;
  lastStatus: FakeTaskStatus;
  desiredStatus: "RUNNING" | "STOPPED";
  /** Every lastStatus the task went through, in order. */
  statusHistory: FakeTaskStatus[];
  stopCode?: string;
  stoppedReason?: string;
  /** The essential container's exit code; null when it never ran. */
  exitCode: number | null;
  containerReason?: string;
  /** RunTask `overrides` as sent. */
  overrides: unknown;
  tags: Record<string, string>;
  clientToken?: string;
  startedBy?: string;
  launchType?: string;
  capacityProviderName?: string;
  subnets: string[];
  securityGroups: string[];
  assignPublicIp: "ENABLED" | "DISABLED";
  /** Assumed-role ARN of the caller that started the task. */
  startedByPrincipal?: string;
  /** The environment handed to the launcher, once RUNNING. */
  env?: Record<string, string>;
  createdAt: Date;
  stoppedAt?: Date;
  /** False once the task is past the DescribeTasks retention window (or forgotten). */
  describable: boolean;
}

export interface FakeTaskDefinitionView {
  arn: string;
  family: string;
  revision: number;
  status: "ACTIVE" | "INACTIVE" | "DELETE_IN_PROGRESS";
  tags: Record<string, string>;
  /** RegisterTaskDefinition input as sent, without `tags`. */
  body: unknown;
}

export type FakeAwsService = "ecs" | "sts" | "secretsmanager" | "ssm";

export interface FakeAwsCall {
  service: FakeAwsService;
  action: string;
  /** Assumed-role ARN of the signed caller (absent for unsigned calls such as AssumeRoleWithWebIdentity). */
  principal?: string;
  request: unknown;
  /** The AWS error code the call answered with. */
  error?: string;
}

export interface FakeStopHow {
  stopCode: string;
  stoppedReason: string;
  /** Forces the container's exit code (the process is killed at once); omitted: SIGTERM and the process's own exit. */
  exitCode?: number | null;
  containerReason?: string;
}

export interface FakeAws {
  /** One HTTP endpoint for every service; give it to each SDK client as `endpoint`. */
  endpoint: string;
  accountId: string;
  region: string;
  calls: FakeAwsCall[];
  ecs: {
    tasks(): FakeTaskView[];
    taskDefinitions(): FakeTaskDefinitionView[];
    /** The next `times` RunTask calls answer with `failures[]` and no task. */
    failNextRunTask(failure: { reason: string; arn?: string; detail?: string }, times?: number): void;
    /** Stops a task the way AWS would on its own (SpotInterruption, OutOfMemoryError, ...). */
    stopTaskWith(taskArn: string, how: FakeStopHow): void;
    /** The next task started jumps from PENDING to STOPPED with this failure. */
    failNextStartWith(how: { stopCode: "TaskFailedToStart"; stoppedReason: string; containerReason?: string }): void;
    setRunTaskRate(rate: { perSecond: number; burst: number } | null): void;
    /** Ends the DescribeTasks retention of a task now: it answers MISSING from here on. */
    forget(taskArn: string): void;
    /** Resolves once the task reaches `status` (or a later one); rejects after `timeoutMs`. */
    waitForStatus(taskArn: string, status: FakeTaskStatus, timeoutMs?: number): Promise<FakeTaskView>;
  };
  sts: { issuedCredentials(): Array<{ accessKeyId: string; roleArn: string; expiration: Date }> };
  stop(): Promise<void>;
}
