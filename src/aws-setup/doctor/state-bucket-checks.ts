import { HeadBucketCommand } from "@aws-sdk/client-s3";
import { SimulatePrincipalPolicyCommand } from "@aws-sdk/client-iam";
import { awsErrorInfo, isNotFound } from "../aws-errors.js";
import { stateKeyPrefix } from "../iam-documents.js";
import { fail, pass, withUserCredentials, type CheckResult } from "./check-result.js";
import type { DoctorContext } from "./doctor-context.js";

const BUCKET_FIELD = "state_storage_configuration.bucket";

export async function checkStateBucketExists(ctx: DoctorContext): Promise<CheckResult[]> {
  const id = "state-bucket";
  const bucket = ctx.state.bucket;
  const title = `state bucket ${bucket} exists`;
  return withUserCredentials(id, title, "s3:ListBucket (HeadBucket)", async () => {
    try {
      const head = await ctx.clients.s3.send(new HeadBucketCommand({ Bucket: bucket }));
      const region = head.BucketRegion;
      if (region && region !== ctx.config.job.region) {
        return fail(id, title, `${bucket} is in ${region}, but the runner's OpenTofu uses ${ctx.config.job.region} (runner_configuration.job.region) for its S3 backend`, `use a bucket in ${ctx.config.job.region} in ${BUCKET_FIELD}`);
      }
      return pass(id, title, `${bucket}${region ? ` (${region})` : ""}`);
    } catch (err) {
      if (isNotFound(err)) return fail(id, title, `there is no bucket ${bucket}`, `create it (private, versioned, in ${ctx.config.job.region}), or fix ${BUCKET_FIELD}`);
      if (awsErrorInfo(err).status === 403) {
        return fail(id, title, `${bucket} exists but your credentials may not see it: it probably belongs to another account`, `use a bucket of the runner's account in ${BUCKET_FIELD}`);
      }
      throw err;
    }
  });
}

/** What OpenTofu's S3 backend does under the prefix: read, write and delete the state and its `.tflock`. */
export async function checkTaskRoleWritesState(ctx: DoctorContext): Promise<CheckResult[]> {
  const id = "state-permissions";
  const role = ctx.config.job.task_role_arn ?? ctx.config.job.execution_role_arn;
  const prefix = stateKeyPrefix(ctx.state.path_prefix);
  const title = `task role may write the state prefix ${ctx.state.bucket}/${prefix}`;
  return withUserCredentials(id, title, "iam:SimulatePrincipalPolicy", async () => {
    const key = `arn:aws:s3:::${ctx.state.bucket}/${prefix}${ctx.orgId}/porch-doctor/check.tfstate`;
    const objects = await ctx.clients.iam.send(
      new SimulatePrincipalPolicyCommand({ PolicySourceArn: role, ActionNames: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], ResourceArns: [key, `${key}.tflock`] }),
    );
    const listing = await ctx.clients.iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: role,
        ActionNames: ["s3:ListBucket"],
        ResourceArns: [`arn:aws:s3:::${ctx.state.bucket}`],
        ContextEntries: [{ ContextKeyName: "s3:prefix", ContextKeyValues: [prefix], ContextKeyType: "string" }],
      }),
    );
    const denied = [...(objects.EvaluationResults ?? []), ...(listing.EvaluationResults ?? [])].filter((r) => r.EvalDecision !== "allowed");
    if (denied.length > 0) {
      const list = [...new Set(denied.map((r) => `${r.EvalActionName} on ${r.EvalResourceName}`))].join(", ");
      return fail(
        id,
        title,
        `${role} may not: ${list}`,
        `grant the task role s3:ListBucket on the prefix and s3:GetObject/PutObject/DeleteObject under it (DeleteObject removes OpenTofu's .tflock lock file): \`porch aws iam --bucket ${ctx.state.bucket}${ctx.state.path_prefix ? ` --path-prefix ${ctx.state.path_prefix}` : ""}\` prints the policy, \`porch aws setup\` applies it`,
      );
    }
    return pass(id, title, `${role} may list ${prefix || "the bucket"} and get, put and delete state and lock files under it`);
  });
}
