import { AssumeRoleWithWebIdentityCommand } from "@aws-sdk/client-sts";
import { GetOpenIDConnectProviderCommand, GetRoleCommand } from "@aws-sdk/client-iam";
import { SESSION_NAME_PATTERN } from "../../config/runner-configuration.js";
import { iamProviderId } from "../../oidc/issuer-url.js";
import { awsErrorInfo, isNotFound } from "../aws-errors.js";
import { asList, parsePolicyFromIam, type PolicyDocument, type PolicyStatement } from "../policy-document.js";
import { STS_AUDIENCE } from "../policy-parts.js";
import { fail, pass, skipped, withUserCredentials, type CheckResult } from "./check-result.js";
import { accountOf, field, roleNameOf, type DoctorContext } from "./doctor-context.js";

const SETUP_HINT = "`porch aws setup` (or the Terraform module) writes this trust policy";

export async function checkOidcProvider(ctx: DoctorContext): Promise<CheckResult[]> {
  const id = "oidc-provider";
  const title = "IAM OIDC provider for porch's issuer exists";
  const providerArn = `arn:aws:iam::${accountOf(ctx.config.auth.role_arn)}:oidc-provider/${iamProviderId(ctx.issuerUrl)}`;
  return withUserCredentials(id, title, "iam:GetOpenIDConnectProvider", async () => {
    try {
      const provider = await ctx.clients.iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: providerArn }));
      if (!(provider.ClientIDList ?? []).includes(STS_AUDIENCE)) {
        return fail(id, title, `${providerArn} does not list the audience ${STS_AUDIENCE}`, `add the client id: aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${providerArn} --client-id ${STS_AUDIENCE}`);
      }
      return pass(id, title, providerArn);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      return fail(id, title, `no IAM OIDC provider ${providerArn} in the role's account`, `create it for ${ctx.issuerUrl} with client id ${STS_AUDIENCE} (\`porch aws setup\` does)`);
    }
  });
}

export async function checkTrustPolicy(ctx: DoctorContext): Promise<CheckResult[]> {
  const id = "trust-policy";
  const title = "orchestrator role trusts porch's tokens for this runner";
  const roleArn = ctx.config.auth.role_arn;
  const roleName = roleNameOf(roleArn);
  return withUserCredentials(id, title, "iam:GetRole", async () => {
    let document: PolicyDocument;
    try {
      const role = (await ctx.clients.iam.send(new GetRoleCommand({ RoleName: roleName }))).Role;
      document = parsePolicyFromIam(role?.AssumeRolePolicyDocument ?? "{}") as PolicyDocument;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      return fail(id, title, `role ${roleArn} does not exist`, `create it (\`porch aws setup\`), or fix ${field("auth.role_arn")}`);
    }
    return judgeTrust(ctx, document);
  });
}

function judgeTrust(ctx: DoctorContext, document: PolicyDocument): CheckResult {
  const id = "trust-policy";
  const title = "orchestrator role trusts porch's tokens for this runner";
  const providerId = iamProviderId(ctx.issuerUrl);
  const providerArn = `arn:aws:iam::${accountOf(ctx.config.auth.role_arn)}:oidc-provider/${providerId}`;
  const subject = `${ctx.orgId}+${ctx.runnerId}`;
  const subKey = `${providerId}:sub`;
  const audKey = `${providerId}:aud`;
  const wantedFix = `the statement must allow sts:AssumeRoleWithWebIdentity for Federated ${providerArn} with StringEquals "${audKey}": "${STS_AUDIENCE}" and "${subKey}": "${subject}"; ${SETUP_HINT}`;
  const statements: PolicyStatement[] = Array.isArray(document.Statement) ? document.Statement : document.Statement ? [document.Statement] : [];
  const candidates = statements.filter(
    (s) =>
      s.Effect === "Allow" &&
      asList(s.Action).some((a) => /^(sts:AssumeRoleWithWebIdentity|sts:\*|\*)$/i.test(a)) &&
      asList(s.Principal?.Federated).includes(providerArn),
  );
  if (candidates.length === 0) {
    return fail(id, title, `the trust policy of ${ctx.config.auth.role_arn} has no statement for porch's OIDC provider ${providerArn}`, wantedFix);
  }
  const problems: string[] = [];
  for (const s of candidates) {
    const sub = conditionValues(s, subKey);
    const aud = conditionValues(s, audKey);
    if (!sub) {
      problems.push(`it does not restrict ${subKey}, so every runner of every organization on this porch could assume it`);
      continue;
    }
    if (!sub.matches(subject)) {
      problems.push(`it requires ${subKey} ${sub.describe}, but porch's tokens for this runner carry sub '${subject}'`);
      continue;
    }
    if (aud && !aud.matches(STS_AUDIENCE)) {
      problems.push(`it requires ${audKey} ${aud.describe}, but porch's tokens carry aud '${STS_AUDIENCE}'`);
      continue;
    }
    return pass(id, title, `${subKey} = '${subject}' and ${audKey} = '${STS_AUDIENCE}' are accepted`);
  }
  return fail(id, title, problems.join("; "), wantedFix);
}

/** The sub/aud condition of a statement, if it has one, as a matcher. */
function conditionValues(s: PolicyStatement, key: string): { matches(v: string): boolean; describe: string } | undefined {
  for (const [operator, entries] of Object.entries(s.Condition ?? {})) {
    const found = Object.entries(entries).find(([k]) => k.toLowerCase() === key.toLowerCase());
    if (!found) continue;
    const values = asList(found[1]);
    const like = /Like/.test(operator);
    return {
      matches: (v) => values.some((pattern) => (like ? wildcard(pattern).test(v) : pattern === v)),
      describe: `${like ? "like" : "="} ${values.map((v) => `'${v}'`).join(" or ")}`,
    };
  }
  return undefined;
}

function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
}

export async function checkAssumeRole(ctx: DoctorContext): Promise<CheckResult> {
  const id = "assume-role";
  const title = "porch can assume the orchestrator role through OIDC";
  if (!ctx.webIdentityToken) {
    return skipped(id, title, "no porch token is available to this command (it needs porch's OIDC signing key: run it where porch runs, or with porch's API reachable)");
  }
  const roleArn = ctx.config.auth.role_arn;
  const sessionName = ctx.config.auth.session_name ?? defaultSessionName(ctx.orgId, ctx.runnerId);
  let token: string;
  try {
    token = await ctx.webIdentityToken(ctx.orgId, ctx.runnerId);
  } catch (err) {
    return skipped(id, title, `could not get a token from porch: ${(err as Error).message}`);
  }
  try {
    const out = await ctx.clients.sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: sessionName, WebIdentityToken: token, DurationSeconds: 900 }));
    return pass(id, title, `assumed ${out.AssumedRoleUser?.Arn ?? roleArn}`);
  } catch (err) {
    const { name, message } = awsErrorInfo(err);
    const issuer = ctx.issuerUrl;
    // The SDK names modeled STS errors `<Code>Exception`; unmodeled ones keep AWS's code.
    switch (name.replace(/Exception$/, "")) {
      case "IDPRejectedClaim":
      case "AccessDenied":
        return fail(id, title, `AWS refused: ${name}: ${message}`, `make the trust policy of ${roleArn} accept ${iamProviderId(issuer)}:aud = '${STS_AUDIENCE}' and ${iamProviderId(issuer)}:sub = '${ctx.orgId}+${ctx.runnerId}' (${SETUP_HINT}), or fix ${field("auth.role_arn")}`);
      case "InvalidIdentityToken":
        return fail(id, title, `AWS could not validate porch's token: ${message}`, `the IAM OIDC provider's URL must equal ${issuer} exactly, and ${issuer}/.well-known/openid-configuration and its jwks_uri must serve porch's current keys`);
      case "IDPCommunicationError":
        return fail(id, title, `AWS could not fetch porch's keys: ${message}`, `make ${issuer}/.well-known/openid-configuration and its jwks_uri reachable from the internet over https with a publicly trusted certificate`);
      case "ExpiredToken":
        return fail(id, title, `AWS says porch's token expired: ${message}`, "check the clock of the machine porch runs on (tokens are valid for minutes)");
      default:
        return skipped(id, title, `could not check: sts:AssumeRoleWithWebIdentity failed with ${name}: ${message}`);
    }
  }
}

/** porch's default session name `<org>-<runner>`, cut to STS's 64 characters. */
function defaultSessionName(orgId: string, runnerId: string): string {
  const name = `${orgId}-${runnerId}`.slice(0, 64);
  return SESSION_NAME_PATTERN.test(name) ? name : "porch-doctor";
}
