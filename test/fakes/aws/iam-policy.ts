/**
 * The part of IAM policy evaluation the fake needs: identity policies with Allow/Deny statements,
 * `*`/`?` wildcards in Action (case-insensitive) and Resource (case-sensitive), and string/ARN condition
 * operators. An explicit Deny wins over any Allow; nothing allowed means an implicit deny.
 */
import { fakeSetupError } from "./aws-error.js";
import type { IamPolicyDocument } from "./types.js";

export type PolicyDecision = "allow" | "explicit-deny" | "implicit-deny";

/** Condition keys of the request (e.g. `iam:PassedToService`, `ecs:cluster`); looked up case-insensitively. */
export type RequestContext = Record<string, string | undefined>;

const OPERATORS = [
  "StringEquals",
  "StringNotEquals",
  "StringEqualsIgnoreCase",
  "StringNotEqualsIgnoreCase",
  "StringLike",
  "StringNotLike",
  "ArnEquals",
  "ArnNotEquals",
  "ArnLike",
  "ArnNotLike",
] as const;
type Operator = (typeof OPERATORS)[number];

export function evaluatePolicy(policy: IamPolicyDocument | undefined, action: string, resource: string, context: RequestContext = {}): PolicyDecision {
  let allowed = false;
  for (const statement of policy?.Statement ?? []) {
    if (!asList(statement.Action).some((pattern) => wildcardMatch(pattern, action, true))) continue;
    if (!asList(statement.Resource).some((pattern) => wildcardMatch(pattern, resource, false))) continue;
    if (!conditionsHold(statement.Condition, context)) continue;
    if (statement.Effect === "Deny") return "explicit-deny";
    allowed = true;
  }
  return allowed ? "allow" : "implicit-deny";
}

/** Rejects policies the evaluator would silently misread, naming the offending field. */
export function validatePolicy(policy: IamPolicyDocument, field: string): void {
  if (!Array.isArray(policy?.Statement)) throw fakeSetupError(`${field}.Statement`, "must be an array of statements");
  policy.Statement.forEach((statement, i) => {
    const at = `${field}.Statement[${i}]`;
    if (statement.Effect !== "Allow" && statement.Effect !== "Deny") throw fakeSetupError(`${at}.Effect`, "must be 'Allow' or 'Deny'");
    if (asList(statement.Action).length === 0) throw fakeSetupError(`${at}.Action`, "must name at least one action");
    if (asList(statement.Resource).length === 0) throw fakeSetupError(`${at}.Resource`, "must name at least one resource");
    for (const operator of Object.keys(statement.Condition ?? {})) {
      if (!parseOperator(operator)) {
        throw fakeSetupError(`${at}.Condition.${operator}`, `the fake evaluates only ${OPERATORS.join(", ")} (optionally with IfExists)`);
      }
    }
  });
}

function conditionsHold(condition: Record<string, Record<string, string | string[]>> | undefined, context: RequestContext): boolean {
  if (!condition) return true;
  return Object.entries(condition).every(([operatorName, keys]) => {
    const parsed = parseOperator(operatorName);
    if (!parsed) return false;
    return Object.entries(keys).every(([key, expected]) => {
      const actual = lookup(context, key);
      if (actual === undefined) return parsed.ifExists || isNegated(parsed.operator);
      return compare(parsed.operator, actual, asList(expected));
    });
  });
}

function compare(operator: Operator, actual: string, expected: string[]): boolean {
  switch (operator) {
    case "StringEquals":
    case "ArnEquals":
      return expected.includes(actual);
    case "StringNotEquals":
    case "ArnNotEquals":
      return !expected.includes(actual);
    case "StringEqualsIgnoreCase":
      return expected.some((value) => value.toLowerCase() === actual.toLowerCase());
    case "StringNotEqualsIgnoreCase":
      return !expected.some((value) => value.toLowerCase() === actual.toLowerCase());
    case "StringLike":
    case "ArnLike":
      return expected.some((pattern) => wildcardMatch(pattern, actual, false));
    case "StringNotLike":
    case "ArnNotLike":
      return !expected.some((pattern) => wildcardMatch(pattern, actual, false));
  }
}

function isNegated(operator: Operator): boolean {
  return operator.includes("Not");
}

function parseOperator(name: string): { operator: Operator; ifExists: boolean } | undefined {
  const ifExists = name.endsWith("IfExists");
  const base = ifExists ? name.slice(0, -"IfExists".length) : name;
  return (OPERATORS as readonly string[]).includes(base) ? { operator: base as Operator, ifExists } : undefined;
}

function lookup(context: RequestContext, key: string): string | undefined {
  const wanted = key.toLowerCase();
  for (const [name, value] of Object.entries(context)) {
    if (name.toLowerCase() === wanted) return value;
  }
  return undefined;
}

export function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .split("")
    .map((char) => (char === "*" ? ".*" : char === "?" ? "." : char.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, ignoreCase ? "si" : "s").test(value);
}

function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
