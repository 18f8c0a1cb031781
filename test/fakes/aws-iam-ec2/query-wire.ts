/**
 * The AWS Query wire format as IAM and EC2 use it (checked against the installed SDK clients): a
 * form-encoded POST body `Action=...&Version=...`, lists as `Name.member.N` (IAM) or `Name.N` (EC2),
 * XML answers, and XML errors in two dialects.
 */
import { randomUUID } from "node:crypto";

export type Params = URLSearchParams;

/** `Prefix.member.1`, `Prefix.member.2`, ... (IAM) */
export function memberList(params: Params, prefix: string): string[] {
  return numbered(params, `${prefix}.member.`);
}

/** `Prefix.1`, `Prefix.2`, ... (EC2) */
export function ec2List(params: Params, prefix: string): string[] {
  return numbered(params, `${prefix}.`);
}

function numbered(params: Params, prefix: string): string[] {
  const out: Array<[number, string]> = [];
  for (const [key, value] of params) {
    if (!key.startsWith(prefix)) continue;
    const index = Number(key.slice(prefix.length));
    if (Number.isInteger(index)) out.push([index, value]);
  }
  return out.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

/** EC2 `Filter.N.Name` / `Filter.N.Value.M` -> name -> values. */
export function ec2Filters(params: Params): Map<string, string[]> {
  const filters = new Map<string, string[]>();
  for (let n = 1; params.has(`Filter.${n}.Name`); n++) {
    filters.set(params.get(`Filter.${n}.Name`)!, ec2List(params, `Filter.${n}.Value`));
  }
  return filters;
}

/** IAM `ContextEntries.member.N.{ContextKeyName,ContextKeyValues.member.M}` -> key -> values. */
export function iamContextEntries(params: Params): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (let n = 1; params.has(`ContextEntries.member.${n}.ContextKeyName`); n++) {
    out[params.get(`ContextEntries.member.${n}.ContextKeyName`)!] = memberList(params, `ContextEntries.member.${n}.ContextKeyValues`);
  }
  return out;
}

export function iamTags(params: Params): Record<string, string> {
  const tags: Record<string, string> = {};
  for (let n = 1; params.has(`Tags.member.${n}.Key`); n++) tags[params.get(`Tags.member.${n}.Key`)!] = params.get(`Tags.member.${n}.Value`) ?? "";
  return tags;
}

export type XmlValue = string | number | boolean | Date | null | undefined | XmlValue[] | { [key: string]: XmlValue };

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

/** Objects become child elements; arrays become repeated `<member>` (IAM) or `<item>` (EC2) children. */
export function toXml(value: XmlValue, listItem: "member" | "item"): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => `<${listItem}>${toXml(v, listItem)}</${listItem}>`).join("");
  if (typeof value === "object") {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `<${k}>${toXml(v, listItem)}</${k}>`)
      .join("");
  }
  return escapeXml(String(value));
}

export const IAM_NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/";
export const EC2_NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/";

export function iamResponse(action: string, result: Record<string, XmlValue> | undefined): string {
  const body = result ? `<${action}Result>${toXml(result, "member")}</${action}Result>` : "";
  return `<${action}Response xmlns="${IAM_NAMESPACE}">${body}<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;
}

export function ec2Response(action: string, result: Record<string, XmlValue>): string {
  return `<${action}Response xmlns="${EC2_NAMESPACE}"><requestId>${randomUUID()}</requestId>${toXml(result, "item")}</${action}Response>`;
}

/** A failure the fake answers with, in the dialect of the service that raised it. */
export class QueryWireError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export function iamErrorXml(err: QueryWireError): string {
  const type = err.status >= 500 ? "Receiver" : "Sender";
  return `<ErrorResponse xmlns="${IAM_NAMESPACE}"><Error><Type>${type}</Type><Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}

export function ec2ErrorXml(err: QueryWireError): string {
  return `<Response><Errors><Error><Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message></Error></Errors><RequestID>${randomUUID()}</RequestID></Response>`;
}
