import { DescribeTasksCommand, ListTasksCommand, type DesiredStatus, type ECSClient, type Task } from "@aws-sdk/client-ecs";

/**
 * Tasks a deployment started, found by RunTask's `startedBy` tag: for re-attaching when porch
 * stopped between RunTask and storing the task's ARN. Newest first.
 */
export async function findTasksStartedBy(client: ECSClient, cluster: string, startedBy: string, desiredStatus: DesiredStatus): Promise<Task[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListTasksCommand({ cluster, startedBy, desiredStatus, nextToken }));
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  if (arns.length === 0) return [];
  const out = await client.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(0, 100) }));
  return (out.tasks ?? []).sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
}
