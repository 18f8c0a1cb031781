/** The subset of the IAM policy language porch writes and reads back. */
export type ConditionBlock = Record<string, Record<string, string | string[]>>;

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: Record<string, string | string[]>;
  Action: string | string[];
  Resource?: string | string[];
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

export function policyDocument(statements: PolicyStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

export function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * A form of a policy in which two documents IAM treats the same compare equal: one-element lists
 * and plain strings, statement and value order, and key order do not matter. IAM hands documents
 * back exactly as they were sent, so a plain string compare would report changes that are none.
 */
export function canonicalPolicy(doc: unknown): string {
  return JSON.stringify(canonicalValue(doc, ""));
}

const LIST_KEYS = new Set(["Action", "NotAction", "Resource", "NotResource"]);

function canonicalValue(value: unknown, key: string): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => canonicalValue(v, ""));
    const sorted = items.map((v) => JSON.stringify(v)).sort();
    return sorted.map((s) => JSON.parse(s) as unknown);
  }
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      out[k] = canonicalValue((value as Record<string, unknown>)[k], k);
    }
    return out;
  }
  if (typeof value === "string" && (LIST_KEYS.has(key) || key.includes(":") || key === "Federated" || key === "Service" || key === "AWS")) {
    return [value];
  }
  return value;
}

/** IAM returns policy documents URL-encoded; some tools and fakes return them plain. */
export function parsePolicyFromIam(text: string): unknown {
  const trimmed = text.trim();
  const json = trimmed.startsWith("{") ? trimmed : decodeURIComponent(trimmed);
  return JSON.parse(json) as unknown;
}
