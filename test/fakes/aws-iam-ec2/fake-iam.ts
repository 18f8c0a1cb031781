/**
 * Fake IAM (a test double, not AWS): roles with trust and inline policies, managed policy attachments,
 * permissions boundaries, OIDC providers, and SimulatePrincipalPolicy evaluated with the shared fake
 * policy evaluator. Documents are handed back URL-encoded, as IAM does.
 */
import { randomBytes } from "node:crypto";
import { evaluatePolicy, type IamPolicyDocument } from "../aws/index.js";
import { AWS_MANAGED_POLICIES } from "./managed-policies.js";
import { QueryWireError, iamContextEntries, iamTags, memberList, type Params, type XmlValue } from "./query-wire.js";

export interface FakeRoleSeed {
  name: string;
  /** @default "/" */
  path?: string;
  trustPolicy: unknown;
  description?: string;
  inlinePolicies?: Record<string, unknown>;
  managedPolicyArns?: string[];
  permissionsBoundary?: string;
}

export interface FakeIamOptions {
  roles?: FakeRoleSeed[];
  /** URLs like `https://porch.example.com/oidc`. */
  oidcProviders?: Array<{ url: string; clientIds?: string[] }>;
  /** Customer managed policies by ARN, in addition to the AWS managed ones the fake knows. */
  managedPolicies?: Record<string, IamPolicyDocument>;
}

export interface FakeRole {
  name: string;
  path: string;
  arn: string;
  roleId: string;
  createDate: Date;
  /** As sent (JSON text). */
  trustPolicy: string;
  description?: string;
  inlinePolicies: Map<string, string>;
  attachedPolicyArns: string[];
  permissionsBoundary?: string;
  tags: Record<string, string>;
}

export interface FakeOidcProvider {
  arn: string;
  /** Without the scheme, as IAM returns it. */
  url: string;
  clientIds: string[];
  createDate: Date;
}

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ROLE_PATH = /^\/(?:[\x21-\x7E]+\/)?$/;
const INLINE_POLICY_MAX_CHARS = 10_240;
const TRUST_POLICY_MAX_CHARS = 2_048;

export class FakeIam {
  readonly roles = new Map<string, FakeRole>();
  readonly oidcProviders = new Map<string, FakeOidcProvider>();
  private readonly managedPolicies: Record<string, IamPolicyDocument>;

  constructor(
    readonly accountId: string,
    opts: FakeIamOptions = {},
  ) {
    this.managedPolicies = { ...AWS_MANAGED_POLICIES, ...(opts.managedPolicies ?? {}) };
    for (const seed of opts.roles ?? []) this.seedRole(seed);
    for (const p of opts.oidcProviders ?? []) this.createProvider(p.url, p.clientIds ?? ["sts.amazonaws.com"]);
  }

  seedRole(seed: FakeRoleSeed): FakeRole {
    const role = this.createRole(seed.name, seed.path ?? "/", JSON.stringify(seed.trustPolicy), seed.description, {}, seed.permissionsBoundary);
    for (const [name, doc] of Object.entries(seed.inlinePolicies ?? {})) role.inlinePolicies.set(name, JSON.stringify(doc));
    role.attachedPolicyArns.push(...(seed.managedPolicyArns ?? []));
    return role;
  }

  roleByArn(arn: string): FakeRole | undefined {
    return [...this.roles.values()].find((r) => r.arn === arn);
  }

  handle(action: string, p: Params): Record<string, XmlValue> | undefined {
    switch (action) {
      case "ListOpenIDConnectProviders":
        return { OpenIDConnectProviderList: [...this.oidcProviders.values()].map((o) => ({ Arn: o.arn })) };
      case "GetOpenIDConnectProvider": {
        const provider = this.provider(required(p, "OpenIDConnectProviderArn"));
        return { Url: provider.url, ClientIDList: provider.clientIds, ThumbprintList: [], CreateDate: provider.createDate };
      }
      case "CreateOpenIDConnectProvider": {
        const url = required(p, "Url");
        if (!url.startsWith("https://")) throw new QueryWireError("InvalidInput", "The URL must begin with https://", 400);
        return { OpenIDConnectProviderArn: this.createProvider(url, memberList(p, "ClientIDList")).arn };
      }
      case "AddClientIDToOpenIDConnectProvider": {
        const provider = this.provider(required(p, "OpenIDConnectProviderArn"));
        const clientId = required(p, "ClientID");
        if (!provider.clientIds.includes(clientId)) provider.clientIds.push(clientId);
        return undefined;
      }
      case "GetRole":
        return { Role: roleXml(this.role(required(p, "RoleName"))) };
      case "CreateRole": {
        const role = this.createRole(
          required(p, "RoleName"),
          p.get("Path") ?? "/",
          required(p, "AssumeRolePolicyDocument"),
          p.get("Description") ?? undefined,
          iamTags(p),
          p.get("PermissionsBoundary") ?? undefined,
        );
        return { Role: roleXml(role) };
      }
      case "UpdateAssumeRolePolicy": {
        const role = this.role(required(p, "RoleName"));
        role.trustPolicy = checkPolicy(required(p, "PolicyDocument"), "trust");
        return undefined;
      }
      case "UpdateRole": {
        const role = this.role(required(p, "RoleName"));
        if (p.has("Description")) role.description = p.get("Description") ?? undefined;
        return {};
      }
      case "PutRolePermissionsBoundary": {
        const role = this.role(required(p, "RoleName"));
        role.permissionsBoundary = this.policyArn(required(p, "PermissionsBoundary"));
        return undefined;
      }
      case "DeleteRolePermissionsBoundary":
        delete this.role(required(p, "RoleName")).permissionsBoundary;
        return undefined;
      case "GetRolePolicy": {
        const role = this.role(required(p, "RoleName"));
        const name = required(p, "PolicyName");
        const doc = role.inlinePolicies.get(name);
        if (doc === undefined) throw new QueryWireError("NoSuchEntity", `The role policy with name ${name} cannot be found.`, 404);
        return { RoleName: role.name, PolicyName: name, PolicyDocument: encodeURIComponent(doc) };
      }
      case "PutRolePolicy": {
        const role = this.role(required(p, "RoleName"));
        role.inlinePolicies.set(required(p, "PolicyName"), checkPolicy(required(p, "PolicyDocument"), "identity"));
        return undefined;
      }
      case "DeleteRolePolicy": {
        const role = this.role(required(p, "RoleName"));
        const name = required(p, "PolicyName");
        if (!role.inlinePolicies.delete(name)) throw new QueryWireError("NoSuchEntity", `The role policy with name ${name} cannot be found.`, 404);
        return undefined;
      }
      case "ListRolePolicies":
        return { PolicyNames: [...this.role(required(p, "RoleName")).inlinePolicies.keys()], IsTruncated: false };
      case "ListAttachedRolePolicies":
        return {
          AttachedPolicies: this.role(required(p, "RoleName")).attachedPolicyArns.map((arn) => ({ PolicyName: arn.slice(arn.lastIndexOf("/") + 1), PolicyArn: arn })),
          IsTruncated: false,
        };
      case "AttachRolePolicy": {
        const role = this.role(required(p, "RoleName"));
        const arn = this.policyArn(required(p, "PolicyArn"));
        if (!role.attachedPolicyArns.includes(arn)) role.attachedPolicyArns.push(arn);
        return undefined;
      }
      case "DetachRolePolicy": {
        const role = this.role(required(p, "RoleName"));
        role.attachedPolicyArns = role.attachedPolicyArns.filter((a) => a !== required(p, "PolicyArn"));
        return undefined;
      }
      case "SimulatePrincipalPolicy":
        return this.simulate(p);
      default:
        throw new QueryWireError("InvalidAction", `The fake IAM does not implement ${action}`, 400);
    }
  }

  private simulate(p: Params): Record<string, XmlValue> {
    const source = required(p, "PolicySourceArn");
    const role = this.roleByArn(source);
    if (!role) throw new QueryWireError("NoSuchEntity", `The role with ARN ${source} cannot be found.`, 404);
    const identity = [...role.inlinePolicies.values()].map((text) => JSON.parse(text) as IamPolicyDocument);
    for (const arn of role.attachedPolicyArns) identity.push(this.managedPolicies[arn] ?? { Statement: [] });
    const boundary = role.permissionsBoundary ? this.managedPolicies[role.permissionsBoundary] : undefined;
    const context = Object.fromEntries(Object.entries(iamContextEntries(p)).map(([k, v]) => [k, v[0]]));
    const resources = memberList(p, "ResourceArns");
    const results: XmlValue[] = [];
    for (const action of memberList(p, "ActionNames")) {
      for (const resource of resources.length > 0 ? resources : ["*"]) {
        const decisions = identity.map((doc) => evaluatePolicy(doc, action, resource, context));
        let decision = decisions.includes("explicit-deny") ? "explicitDeny" : decisions.includes("allow") ? "allowed" : "implicitDeny";
        if (decision === "allowed" && role.permissionsBoundary && evaluatePolicy(boundary, action, resource, context) !== "allow") decision = "implicitDeny";
        results.push({ EvalActionName: action, EvalResourceName: resource, EvalDecision: decision, MatchedStatements: [], MissingContextValues: [] });
      }
    }
    return { EvaluationResults: results, IsTruncated: false };
  }

  private createRole(name: string, path: string, trust: string, description: string | undefined, tags: Record<string, string>, boundary?: string): FakeRole {
    if (!ROLE_NAME.test(name)) {
      throw new QueryWireError("ValidationError", `1 validation error detected: Value '${name}' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64 and match [\\w+=,.@-]+`, 400);
    }
    if (!ROLE_PATH.test(path)) throw new QueryWireError("ValidationError", `The specified value for path is invalid: '${path}'`, 400);
    if (this.roles.has(name)) throw new QueryWireError("EntityAlreadyExists", `Role with name ${name} already exists.`, 409);
    const role: FakeRole = {
      name,
      path,
      arn: `arn:aws:iam::${this.accountId}:role${path}${name}`,
      roleId: `AROA${randomBytes(8).toString("hex").toUpperCase()}`,
      createDate: new Date(),
      trustPolicy: checkPolicy(trust, "trust"),
      description,
      inlinePolicies: new Map(),
      attachedPolicyArns: [],
      permissionsBoundary: boundary ? this.policyArn(boundary) : undefined,
      tags,
    };
    this.roles.set(name, role);
    return role;
  }

  private createProvider(url: string, clientIds: string[]): FakeOidcProvider {
    const hostPath = url.replace(/^https:\/\//, "");
    const arn = `arn:aws:iam::${this.accountId}:oidc-provider/${hostPath}`;
    if (this.oidcProviders.has(arn)) throw new QueryWireError("EntityAlreadyExists", `Provider with url ${url} already exists.`, 409);
    const provider = { arn, url: hostPath, clientIds: [...clientIds], createDate: new Date() };
    this.oidcProviders.set(arn, provider);
    return provider;
  }

  private role(name: string): FakeRole {
    const role = this.roles.get(name);
    if (!role) throw new QueryWireError("NoSuchEntity", `The role with name ${name} cannot be found.`, 404);
    return role;
  }

  private provider(arn: string): FakeOidcProvider {
    const provider = this.oidcProviders.get(arn);
    if (!provider) throw new QueryWireError("NoSuchEntity", `OpenIDConnect Provider not found for arn ${arn}`, 404);
    return provider;
  }

  private policyArn(arn: string): string {
    if (!this.managedPolicies[arn]) throw new QueryWireError("NoSuchEntity", `Policy ${arn} does not exist or is not attachable.`, 404);
    return arn;
  }
}

function required(p: Params, name: string): string {
  const value = p.get(name);
  if (value === null || value === "") throw new QueryWireError("ValidationError", `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`, 400);
  return value;
}

/** What IAM refuses with MalformedPolicyDocument: bad JSON, no statements, principals in the wrong kind of policy. */
function checkPolicy(text: string, kind: "trust" | "identity"): string {
  const max = kind === "trust" ? TRUST_POLICY_MAX_CHARS : INLINE_POLICY_MAX_CHARS;
  if (text.replace(/\s/g, "").length > max) throw new QueryWireError("LimitExceeded", `Cannot exceed quota for ${kind === "trust" ? "ACLSizePerRole" : "PolicySize"}: ${max}`, 409);
  let doc: { Version?: unknown; Statement?: unknown };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch {
    throw new QueryWireError("MalformedPolicyDocument", "Syntax errors in policy.", 400);
  }
  const statements = Array.isArray(doc.Statement) ? (doc.Statement as Array<Record<string, unknown>>) : doc.Statement ? [doc.Statement as Record<string, unknown>] : [];
  if (statements.length === 0) throw new QueryWireError("MalformedPolicyDocument", "Policy document should not be empty.", 400);
  for (const s of statements) {
    if (s.Effect !== "Allow" && s.Effect !== "Deny") throw new QueryWireError("MalformedPolicyDocument", "Missing required field Effect", 400);
    if (!s.Action) throw new QueryWireError("MalformedPolicyDocument", "Missing required field Action", 400);
    if (kind === "trust" && !s.Principal) throw new QueryWireError("MalformedPolicyDocument", "Missing required field Principal", 400);
    if (kind === "identity" && s.Principal) throw new QueryWireError("MalformedPolicyDocument", "Policy document should not specify a principal.", 400);
    if (kind === "identity" && !s.Resource) throw new QueryWireError("MalformedPolicyDocument", "Missing required field Resource", 400);
    for (const values of Object.values((s.Condition ?? {}) as Record<string, Record<string, unknown>>)) {
      for (const v of Object.values(values)) {
        if (Array.isArray(v) && v.length === 0) throw new QueryWireError("MalformedPolicyDocument", "Condition values must not be empty.", 400);
      }
    }
  }
  return text;
}

function roleXml(role: FakeRole): Record<string, XmlValue> {
  return {
    Path: role.path,
    RoleName: role.name,
    RoleId: role.roleId,
    Arn: role.arn,
    CreateDate: role.createDate,
    AssumeRolePolicyDocument: encodeURIComponent(role.trustPolicy),
    Description: role.description,
    MaxSessionDuration: 3600,
    PermissionsBoundary: role.permissionsBoundary ? { PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: role.permissionsBoundary } : undefined,
    Tags: Object.entries(role.tags).map(([Key, Value]) => ({ Key, Value })),
  };
}
