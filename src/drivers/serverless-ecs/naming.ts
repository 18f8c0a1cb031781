import { createHash } from "node:crypto";
import { DEFAULT_TASK_DEFINITION_PREFIX } from "./aws-actions.js";

/**
 * Names porch gives to things in the user's AWS account. All of them are deterministic so that a
 * restarted orchestrator (or another replica) computes the same family, session, token and tag.
 */

const FAMILY_MAX = 255;
const SESSION_NAME_MAX = 64;
const CLIENT_TOKEN_MAX = 64;
const STARTED_BY_MAX = 36;

function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

/** Keeps a readable head and appends a hash of the whole value, so cutting never merges two names. */
function cutWithHash(value: string, max: number): string {
  if (value.length <= max) return value;
  const hash = sha256Hex(value).slice(0, 12);
  return `${value.slice(0, max - hash.length - 1)}-${hash}`;
}

/**
 * `humanitec_<org>_<runner>`: one family per runner. The documented policy only grants
 * RegisterTaskDefinition/DeleteTaskDefinitions on `task-definition/humanitec_*`, hence the prefix.
 */
export function taskDefinitionFamily(orgId: string, runnerId: string, prefix = DEFAULT_TASK_DEFINITION_PREFIX): string {
  const raw = `${prefix}_${orgId}_${runnerId}`.replace(/[^A-Za-z0-9_-]/g, "-");
  return cutWithHash(raw, FAMILY_MAX);
}

/** STS RoleSessionName: 2..64 characters of `[\w+=,.@-]`; shows up in CloudTrail as the caller. */
export function roleSessionName(orgId: string, runnerId: string, configured?: string): string {
  if (configured) return configured;
  let name = `${orgId}-${runnerId}`.replace(/[^\w+=,.@-]/g, "-").slice(0, SESSION_NAME_MAX);
  if (name.length < 2) name = `${name}--`.slice(0, 2);
  return name;
}

/** The `sub` claim porch's OIDC issuer puts in a runner's token and the role's trust policy must match. */
export function webIdentitySubject(orgId: string, runnerId: string): string {
  return `${orgId}+${runnerId}`;
}

/**
 * RunTask clientToken (at most 64 ASCII characters). Deterministic per deployment and attempt, so a
 * RunTask retried after a crash returns the task the first call started instead of a second one.
 */
export function runTaskClientToken(deploymentId: string, attempt = 1): string {
  const suffix = attempt > 1 ? `.${attempt}` : "";
  const plain = `porch-${deploymentId}${suffix}`;
  if (plain.length <= CLIENT_TOKEN_MAX && /^[\x21-\x7e]+$/.test(plain)) return plain;
  return `porch-${sha256Hex(deploymentId).slice(0, 40)}${suffix}`;
}

/**
 * RunTask startedBy (at most 36 of `[A-Za-z0-9_/-]`): the deployment id itself when it fits (a UUID
 * does), so the ECS console shows which deployment a task belongs to; a hash of it otherwise.
 */
export function startedByTag(deploymentId: string): string {
  if (/^[A-Za-z0-9_/-]{1,36}$/.test(deploymentId)) return deploymentId;
  return `porch-${sha256Hex(deploymentId).slice(0, STARTED_BY_MAX - 6)}`;
}

/** `arn:aws:iam::<account>:role/...` → `<account>`. */
export function accountIdFromRoleArn(roleArn: string): string {
  const account = roleArn.split(":")[4];
  return account && /^\d{12}$/.test(account) ? account : "unknown";
}

/** `arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>` → family and revision. */
export function parseTaskDefinitionArn(arn: string): { family: string; revision: number } | undefined {
  const match = /:task-definition\/([A-Za-z0-9_-]+):(\d+)$/.exec(arn);
  if (!match) return undefined;
  return { family: match[1]!, revision: Number(match[2]) };
}

/** ECS tag values allow letters, digits, spaces and `+ - = . _ : / @`; at most 256 characters. */
export function ecsTagValue(value: string): string {
  return value.replace(/[^\p{L}\p{N} +\-=._:/@]/gu, "_").slice(0, 256);
}

/** The issuer as IAM condition keys spell it: host and path without the scheme (`oidc.example.com`). */
export function issuerConditionPrefix(issuer: string): string {
  return issuer.replace(/^https?:\/\//, "").replace(/\/+$/, "");
}
