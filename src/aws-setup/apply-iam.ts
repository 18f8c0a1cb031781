import {
  AddClientIDToOpenIDConnectProviderCommand,
  AttachRolePolicyCommand,
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  DeleteRolePolicyCommand,
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListOpenIDConnectProvidersCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
  type IAMClient,
  type Role,
} from "@aws-sdk/client-iam";
import { ConfigError } from "../errors/porch-error.js";
import { isNotFound, setupError } from "./aws-errors.js";
import { diffLines, grantLines } from "./grant-lines.js";
import { ROLE_KEYS, type IamDocuments, type RoleDocuments } from "./iam-documents.js";
import { canonicalPolicy, parsePolicyFromIam, type PolicyDocument } from "./policy-document.js";

/** One change `porch aws setup` makes (or, with --dry-run, would make). */
export interface PlannedChange {
  /** e.g. `create role porch-x-orchestrator` */
  summary: string;
  /** Grant lines added (+) and removed (-), for policy changes. */
  detail: string[];
  apply: () => Promise<void>;
}

export interface IamSetupResult {
  changes: Array<Omit<PlannedChange, "apply">>;
  /** What was checked and already right. */
  unchanged: string[];
  applied: boolean;
}

/**
 * Reads the account's current IAM state, works out what differs from the documents, and (unless
 * dryRun) changes exactly that. Reads come first and mutate nothing, so --dry-run is the same code
 * path minus the final loop; a second run finds nothing to change.
 */
export async function applyIamDocuments(iam: IAMClient, docs: IamDocuments, opts: { dryRun: boolean }): Promise<IamSetupResult> {
  const changes: PlannedChange[] = [];
  const unchanged: string[] = [];
  await planOidcProvider(iam, docs, changes, unchanged);
  for (const key of ROLE_KEYS) await planRole(iam, docs[key], docs.tags, changes, unchanged);
  if (!opts.dryRun) {
    for (const change of changes) await change.apply();
  }
  return { changes: changes.map(({ summary, detail }) => ({ summary, detail })), unchanged, applied: !opts.dryRun };
}

async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw setupError(err, what);
  }
}

/** `undefined` when IAM says the entity does not exist. */
async function readOptional<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw setupError(err, what);
  }
}

async function planOidcProvider(iam: IAMClient, docs: IamDocuments, changes: PlannedChange[], unchanged: string[]): Promise<void> {
  const { arn, url, clientIds } = docs.oidcProvider;
  const listed = await call("iam:ListOpenIDConnectProviders", () => iam.send(new ListOpenIDConnectProvidersCommand({})));
  const exists = (listed.OpenIDConnectProviderList ?? []).some((p) => p.Arn === arn);
  if (!exists) {
    changes.push({
      summary: `create OIDC provider ${url} (client id ${clientIds.join(", ")})`,
      detail: [],
      apply: () => call("iam:CreateOpenIDConnectProvider", async () => {
        await iam.send(new CreateOpenIDConnectProviderCommand({ Url: url, ClientIDList: clientIds, Tags: tagList(docs.tags) }));
      }),
    });
    return;
  }
  const provider = await call("iam:GetOpenIDConnectProvider", () => iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })));
  const missing = clientIds.filter((c) => !(provider.ClientIDList ?? []).includes(c));
  for (const clientId of missing) {
    changes.push({
      summary: `add client id ${clientId} to OIDC provider ${url}`,
      detail: [],
      apply: () => call("iam:AddClientIDToOpenIDConnectProvider", async () => {
        await iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: clientId }));
      }),
    });
  }
  if (missing.length === 0) unchanged.push(`OIDC provider ${url}`);
}

async function planRole(iam: IAMClient, role: RoleDocuments, tags: Record<string, string>, changes: PlannedChange[], unchanged: string[]): Promise<void> {
  const existing = (await readOptional(`iam:GetRole ${role.name}`, () => iam.send(new GetRoleCommand({ RoleName: role.name }))))?.Role;
  if (!existing) {
    changes.push({
      summary: `create role ${role.name}`,
      detail: grantLines(role.trustPolicy).map((l) => `+ trust: ${l}`),
      apply: () => call(`iam:CreateRole ${role.name}`, async () => {
        await iam.send(
          new CreateRoleCommand({
            RoleName: role.name,
            Path: role.path,
            Description: role.description,
            AssumeRolePolicyDocument: JSON.stringify(role.trustPolicy),
            PermissionsBoundary: role.permissionsBoundaryArn,
            Tags: tagList(tags),
          }),
        );
      }),
    });
  } else {
    checkPath(existing, role);
    planTrust(iam, existing, role, changes, unchanged);
    planBoundary(iam, existing, role, changes);
  }
  await planInlinePolicy(iam, role, !existing, changes, unchanged);
  await planManagedPolicies(iam, role, !existing, changes, unchanged);
}

function checkPath(existing: Role, role: RoleDocuments): void {
  if (existing.Path !== role.path) {
    throw new ConfigError(
      `role ${role.name} already exists with path ${existing.Path ?? "/"}, not ${role.path}; IAM cannot move a role: pass --role-path ${existing.Path ?? "/"}, or --role-name-prefix for new roles`,
      "aws_role_path_mismatch",
    );
  }
}

function planTrust(iam: IAMClient, existing: Role, role: RoleDocuments, changes: PlannedChange[], unchanged: string[]): void {
  const current = existing.AssumeRolePolicyDocument ? (parsePolicyFromIam(existing.AssumeRolePolicyDocument) as PolicyDocument) : null;
  if (current && canonicalPolicy(current) === canonicalPolicy(role.trustPolicy)) {
    unchanged.push(`role ${role.name} trust policy`);
    return;
  }
  changes.push({
    summary: `update trust policy of role ${role.name}`,
    detail: lineDetail(current, role.trustPolicy),
    apply: () => call(`iam:UpdateAssumeRolePolicy ${role.name}`, async () => {
      await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: role.name, PolicyDocument: JSON.stringify(role.trustPolicy) }));
    }),
  });
}

/** A boundary the user set themselves is left alone unless porch was asked for another one. */
function planBoundary(iam: IAMClient, existing: Role, role: RoleDocuments, changes: PlannedChange[]): void {
  const wanted = role.permissionsBoundaryArn;
  if (!wanted || existing.PermissionsBoundary?.PermissionsBoundaryArn === wanted) return;
  changes.push({
    summary: `set permissions boundary of role ${role.name} to ${wanted}`,
    detail: [],
    apply: () => call(`iam:PutRolePermissionsBoundary ${role.name}`, async () => {
      await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: role.name, PermissionsBoundary: wanted }));
    }),
  });
}

async function planInlinePolicy(iam: IAMClient, role: RoleDocuments, roleIsNew: boolean, changes: PlannedChange[], unchanged: string[]): Promise<void> {
  const name = role.inlinePolicyName;
  const currentText = roleIsNew
    ? undefined
    : (await readOptional(`iam:GetRolePolicy ${role.name}/${name}`, () => iam.send(new GetRolePolicyCommand({ RoleName: role.name, PolicyName: name }))))?.PolicyDocument;
  const current = currentText ? (parsePolicyFromIam(currentText) as PolicyDocument) : null;
  const wanted = role.inlinePolicy;
  if (!wanted) {
    if (!current) return;
    changes.push({
      summary: `delete inline policy ${name} of role ${role.name} (nothing left to grant)`,
      detail: lineDetail(current, null),
      apply: () => call(`iam:DeleteRolePolicy ${role.name}/${name}`, async () => {
        await iam.send(new DeleteRolePolicyCommand({ RoleName: role.name, PolicyName: name }));
      }),
    });
    return;
  }
  if (current && canonicalPolicy(current) === canonicalPolicy(wanted)) {
    unchanged.push(`role ${role.name} inline policy ${name}`);
    return;
  }
  changes.push({
    summary: `${current ? "update" : "put"} inline policy ${name} of role ${role.name}`,
    detail: lineDetail(current, wanted),
    apply: () => call(`iam:PutRolePolicy ${role.name}/${name}`, async () => {
      await iam.send(new PutRolePolicyCommand({ RoleName: role.name, PolicyName: name, PolicyDocument: JSON.stringify(wanted) }));
    }),
  });
}

async function planManagedPolicies(iam: IAMClient, role: RoleDocuments, roleIsNew: boolean, changes: PlannedChange[], unchanged: string[]): Promise<void> {
  if (role.managedPolicyArns.length === 0) return;
  const attached = roleIsNew
    ? []
    : ((await call(`iam:ListAttachedRolePolicies ${role.name}`, () => iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role.name })))).AttachedPolicies ?? []).map(
        (p) => p.PolicyArn,
      );
  for (const arn of role.managedPolicyArns) {
    if (attached.includes(arn)) {
      unchanged.push(`role ${role.name} managed policy ${arn}`);
      continue;
    }
    changes.push({
      summary: `attach managed policy ${arn} to role ${role.name}`,
      detail: [],
      apply: () => call(`iam:AttachRolePolicy ${role.name}`, async () => {
        await iam.send(new AttachRolePolicyCommand({ RoleName: role.name, PolicyArn: arn }));
      }),
    });
  }
}

function lineDetail(before: PolicyDocument | null, after: PolicyDocument | null): string[] {
  const { removed, added } = diffLines(grantLines(before), grantLines(after));
  return [...removed.map((l) => `- ${l}`), ...added.map((l) => `+ ${l}`)];
}

function tagList(tags: Record<string, string>): Array<{ Key: string; Value: string }> {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}
