/** Everything the fake ECS keeps for one account and region, shared by its actions. */
import { AwsWireError } from "../aws-error.js";
import type { SecretStore } from "../secret-store.js";
import type { FakeAwsOptions } from "../types.js";
import { EcsArns } from "./arns.js";
import { TokenBucket } from "./rate-limit.js";
import { isDescribable, type FakeTask } from "./task.js";
import { TaskDefinitionRegistry } from "./task-definitions.js";
import { TaskLifecycle } from "./task-lifecycle.js";

type EcsOptions = NonNullable<FakeAwsOptions["ecs"]>;

export interface FakeCluster {
  name: string;
  status: "ACTIVE" | "INACTIVE";
  fargate: boolean;
}

export interface RunTaskFailure {
  reason: string;
  arn?: string;
  detail?: string;
}

const DEFAULT_RETENTION_MS = 24 * 60 * 60_000;

export class EcsState {
  readonly arns: EcsArns;
  readonly definitions: TaskDefinitionRegistry;
  readonly lifecycle: TaskLifecycle;
  readonly runTaskRate: TokenBucket;
  readonly tasks = new Map<string, FakeTask>();
  readonly clientTokens = new Map<string, { fingerprint: string; taskArns: string[] }>();
  readonly runTaskFailures: RunTaskFailure[] = [];
  readonly startFailures: Array<{ stoppedReason: string; containerReason?: string }> = [];
  readonly clusters: Map<string, FakeCluster>;
  readonly retentionMs: number;

  constructor(
    readonly options: EcsOptions | undefined,
    readonly region: string,
    readonly accountId: string,
    secrets: SecretStore,
    executionRolePolicies: FakeAwsOptions["executionRolePolicies"],
  ) {
    this.arns = new EcsArns(region, accountId);
    this.definitions = new TaskDefinitionRegistry(this.arns);
    this.runTaskRate = new TokenBucket(options?.runTaskRate);
    this.retentionMs = options?.describeRetentionMs ?? DEFAULT_RETENTION_MS;
    this.clusters = new Map(
      (options?.clusters ?? []).map((cluster) => [cluster.name, { name: cluster.name, status: cluster.status ?? "ACTIVE", fargate: cluster.fargate ?? true }]),
    );
    this.lifecycle = new TaskLifecycle({
      region,
      timings: options?.timings,
      launcher: options?.launcher,
      knownImages: options?.knownImages,
      resolveSecrets: (task) =>
        secrets.resolveForTask(task.essential.secrets ?? [], {
          roleArn: task.executionRoleArn,
          policy: task.executionRoleArn ? executionRolePolicies?.[task.executionRoleArn] : undefined,
          taskId: task.taskId,
        }),
    });
  }

  /** The cluster a request names (default: `default`); unknown or inactive clusters are ClusterNotFoundException. */
  requireCluster(ref: unknown, options: { allowInactive?: boolean } = {}): FakeCluster {
    const name = this.clusterName(ref);
    const cluster = name === undefined ? undefined : this.clusters.get(name);
    if (!cluster) throw new AwsWireError("ClusterNotFoundException", "Cluster not found.");
    if (cluster.status !== "ACTIVE" && !options.allowInactive) throw new AwsWireError("ClusterNotFoundException", "The referenced cluster was inactive.");
    return cluster;
  }

  clusterName(ref: unknown): string | undefined {
    if (ref === undefined || ref === null || ref === "") return "default";
    return typeof ref === "string" ? this.arns.clusterName(ref) : undefined;
  }

  /** The cluster a request names, as IAM sees it: authorization comes before ECS looks the cluster up. */
  clusterRef(ref: unknown): { name: string; arn: string } {
    const name = this.clusterName(ref);
    return name === undefined ? { name: String(ref), arn: String(ref) } : { name, arn: this.arns.cluster(name) };
  }

  /** A task by ID or ARN within `cluster`, while DescribeTasks still shows it. */
  describableTask(cluster: string, ref: string): FakeTask | undefined {
    const task = this.tasks.get(this.arns.task(cluster, this.arns.taskId(ref)));
    return task && isDescribable(task, this.retentionMs) ? task : undefined;
  }

  taskByArn(taskArn: string): FakeTask | undefined {
    return this.tasks.get(taskArn) ?? [...this.tasks.values()].find((task) => task.taskId === this.arns.taskId(taskArn));
  }
}
