import { asList, type PolicyDocument, type PolicyStatement } from "./policy-document.js";
import type { IamDocuments } from "./iam-documents.js";

/**
 * One line per (effect, action, resource or principal, conditions): the unit a reviewer reasons in.
 * Two documents with the same lines grant the same, whatever their statement layout; the diff of two
 * line sets is what `porch aws setup --dry-run` shows and what the seed comparison test lists.
 */
export function grantLines(doc: PolicyDocument | null): string[] {
  if (!doc) return [];
  const lines = new Set<string>();
  for (const statement of doc.Statement) for (const line of statementLines(statement)) lines.add(line);
  return [...lines].sort();
}

function statementLines(s: PolicyStatement): string[] {
  const conditions = conditionText(s);
  const targets = s.Resource !== undefined ? asList(s.Resource).map((r) => `on ${r}`) : principalTargets(s);
  const out: string[] = [];
  for (const action of asList(s.Action)) {
    for (const target of targets) out.push(`${s.Effect} ${action} ${target}${conditions}`);
  }
  return out;
}

function principalTargets(s: PolicyStatement): string[] {
  const out: string[] = [];
  for (const [type, ids] of Object.entries(s.Principal ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    for (const id of asList(ids)) out.push(`by ${type}:${id}`);
  }
  return out.length > 0 ? out : ["on (no resource)"];
}

function conditionText(s: PolicyStatement): string {
  const parts: string[] = [];
  for (const [op, entries] of Object.entries(s.Condition ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    for (const [key, values] of Object.entries(entries).sort(([a], [b]) => a.localeCompare(b))) {
      parts.push(`${op} ${key}=${asList(values).slice().sort().join("|")}`);
    }
  }
  return parts.length > 0 ? ` if ${parts.join(" and ")}` : "";
}

export interface LineDiff {
  removed: string[];
  added: string[];
}

export function diffLines(before: string[], after: string[]): LineDiff {
  const a = new Set(before);
  const b = new Set(after);
  return { removed: before.filter((l) => !b.has(l)), added: after.filter((l) => !a.has(l)) };
}

/** Every document of a set-up as grant lines, keyed by where it goes; the form the seed comparison uses. */
export function iamDocumentLines(docs: IamDocuments): Record<string, string[]> {
  const out: Record<string, string[]> = {
    oidc_provider: [`url ${docs.oidcProvider.url}`, ...docs.oidcProvider.clientIds.map((c) => `client_id ${c}`)].sort(),
  };
  for (const [key, role] of [
    ["orchestrator_role", docs.orchestratorRole],
    ["execution_role", docs.executionRole],
    ["task_role", docs.taskRole],
  ] as const) {
    out[`${key}.trust_policy`] = grantLines(role.trustPolicy);
    out[`${key}.policy`] = grantLines(role.inlinePolicy);
    out[`${key}.managed_policies`] = role.managedPolicyArns.map((a) => `attach ${a}`).sort();
  }
  return out;
}
