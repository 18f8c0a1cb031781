import { SimulatePrincipalPolicyCommand } from "@aws-sdk/client-iam";
import { DescribeSecretCommand } from "@aws-sdk/client-secrets-manager";
import { DescribeParametersCommand } from "@aws-sdk/client-ssm";
import { SECRETS_MANAGER_ARN_PATTERN } from "../../config/runner-configuration.js";
import { isNotFound } from "../aws-errors.js";
import { fail, pass, skipped, withUserCredentials, type CheckResult } from "./check-result.js";
import { field, type DoctorContext } from "./doctor-context.js";

/** Each job.secrets entry: it exists, and the execution role may read it (IAM's policy simulator). */
export async function checkSecrets(ctx: DoctorContext): Promise<CheckResult[]> {
  const entries = Object.entries(ctx.config.job.secrets ?? {});
  if (entries.length === 0) return [skipped("secrets", "job secrets are readable", `no ${field("job.secrets")} configured`)];
  const results: CheckResult[] = [];
  for (const [name, arn] of entries) {
    const id = `secret:${name}`;
    const title = `secret ${name} exists and the execution role may read it`;
    results.push(...(await withUserCredentials(id, title, "iam:SimulatePrincipalPolicy", () => checkSecret(ctx, name, arn, id, title))));
  }
  return results;
}

async function checkSecret(ctx: DoctorContext, name: string, arn: string, id: string, title: string): Promise<CheckResult> {
  const isSecretsManager = SECRETS_MANAGER_ARN_PATTERN.test(arn);
  const action = isSecretsManager ? "secretsmanager:GetSecretValue" : "ssm:GetParameters";
  const executionRole = ctx.config.job.execution_role_arn;
  const simulated = await ctx.clients.iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: executionRole, ActionNames: [action], ResourceArns: [arn] }));
  const decision = simulated.EvaluationResults?.[0]?.EvalDecision ?? "implicitDeny";
  const exists = await secretExists(ctx, arn, isSecretsManager);
  const problems: string[] = [];
  const fixes: string[] = [];
  if (exists === false) {
    problems.push(`${arn} does not exist`);
    fixes.push(`create it, or fix ${field(`job.secrets.${name}`)}`);
  }
  if (decision !== "allowed") {
    problems.push(`the execution role ${executionRole} may not ${action} on it (${decision}): tasks would stop with ResourceInitializationError`);
    fixes.push(`grant ${action} on ${arn} to the execution role (\`porch aws iam --secret ${arn}\` prints the statement, \`porch aws setup\` applies it)`);
  }
  if (problems.length > 0) return fail(id, title, problems.join("; "), fixes.join("; "));
  const existence = exists === undefined ? " (existence not checked: the secret is in another region)" : "";
  return pass(id, title, `${arn}: ${action} allowed for the execution role${existence}`);
}

/** `undefined` when it cannot be told from this region. */
async function secretExists(ctx: DoctorContext, arn: string, isSecretsManager: boolean): Promise<boolean | undefined> {
  if (arn.split(":")[3] !== ctx.config.job.region) return undefined;
  if (isSecretsManager) {
    try {
      await ctx.clients.secretsManager.send(new DescribeSecretCommand({ SecretId: arn }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }
  const parameterName = `/${arn.slice(arn.indexOf(":parameter/") + ":parameter/".length)}`;
  const found = await ctx.clients.ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "Name", Option: "Equals", Values: [parameterName] }] }));
  return (found.Parameters ?? []).length > 0;
}
