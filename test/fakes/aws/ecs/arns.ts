/** ARNs of the fake account's ECS resources, and reading names back out of names-or-ARNs. */
export class EcsArns {
  constructor(
    readonly region: string,
    readonly accountId: string,
  ) {}

  private get prefix(): string {
    return `arn:aws:ecs:${this.region}:${this.accountId}`;
  }

  cluster(name: string): string {
    return `${this.prefix}:cluster/${name}`;
  }

  task(cluster: string, taskId: string): string {
    return `${this.prefix}:task/${cluster}/${taskId}`;
  }

  taskDefinition(family: string, revision: number | "*"): string {
    return `${this.prefix}:task-definition/${family}:${revision}`;
  }

  container(cluster: string, taskId: string, containerId: string): string {
    return `${this.prefix}:container/${cluster}/${taskId}/${containerId}`;
  }

  /** `my-cluster` or `arn:aws:ecs:<r>:<a>:cluster/my-cluster` -> `my-cluster` (undefined for another account/region). */
  clusterName(nameOrArn: string): string | undefined {
    if (!nameOrArn.startsWith("arn:")) return nameOrArn;
    const prefix = `${this.prefix}:cluster/`;
    return nameOrArn.startsWith(prefix) ? nameOrArn.slice(prefix.length) : undefined;
  }

  /** A task ID from a task ARN (old `task/<id>` or new `task/<cluster>/<id>` form) or an ID itself. */
  taskId(idOrArn: string): string {
    if (!idOrArn.startsWith("arn:")) return idOrArn;
    return idOrArn.slice(idOrArn.lastIndexOf("/") + 1);
  }

  /** `family`, `family:rev` or a task definition ARN -> its parts (revision undefined when not given). */
  taskDefinitionRef(ref: string): { family: string; revision?: number } | undefined {
    let rest = ref;
    if (ref.startsWith("arn:")) {
      const marker = ":task-definition/";
      const at = ref.indexOf(marker);
      if (at < 0 || !ref.startsWith(`${this.prefix}:`)) return undefined;
      rest = ref.slice(at + marker.length);
    }
    const [family = "", revision, ...extra] = rest.split(":");
    if (extra.length > 0 || family === "") return undefined;
    if (revision === undefined) return { family };
    const number = Number(revision);
    return Number.isInteger(number) && number > 0 ? { family, revision: number } : undefined;
  }
}
