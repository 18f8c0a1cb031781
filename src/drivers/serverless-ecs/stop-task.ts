import { StopTaskCommand, type ECSClient } from "@aws-sdk/client-ecs";
import { retryWithinBudget, type BackoffPolicy } from "./backoff.js";
import { classifyEcsException, isAccessDenied, type EcsCallContext } from "./ecs-errors.js";

/** StopTask accepts a reason of at most this many characters; it shows up as the task's stoppedReason. */
const STOP_REASON_MAX = 255;

/**
 * Stops a task (SIGTERM, then SIGKILL after the definition's stopTimeout). ecs:StopTask is not in the
 * documented policy, so a refusal is an answer (false), not an error: callers fall back to the job
 * protocol and tell the user which permission would make stopping immediate.
 */
export async function stopTask(
  client: ECSClient,
  cluster: string,
  taskArn: string,
  reason: string,
  call: EcsCallContext,
  backoff: BackoffPolicy,
): Promise<boolean> {
  const ctx = { ...call, operation: "ecs:StopTask" };
  return retryWithinBudget(
    "ecs:StopTask",
    async () => {
      try {
        await client.send(new StopTaskCommand({ cluster, task: taskArn, reason: reason.slice(0, STOP_REASON_MAX) }));
        return true;
      } catch (err) {
        if (isAccessDenied(err)) return false;
        throw classifyEcsException(err, ctx);
      }
    },
    backoff,
  );
}

export function stopTaskPermissionHint(roleArn: string, region: string, accountId: string, cluster: string): string {
  return `porch's role ${roleArn} may not call ecs:StopTask; grant ecs:StopTask on arn:aws:ecs:${region}:${accountId}:task/${cluster}/* to make cancel immediate`;
}
