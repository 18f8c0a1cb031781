/**
 * The two wire protocols the fake speaks: AWS JSON 1.1 (ECS, Secrets Manager, SSM) and AWS Query with
 * XML answers (STS, as `@aws-sdk/client-sts` sends form-encoded `Action=...&Version=2011-06-15`).
 */
import { randomUUID } from "node:crypto";
import { XMLBuilder } from "fast-xml-parser";
import { AwsWireError } from "./aws-error.js";

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const JSON_CONTENT_TYPE = "application/x-amz-json-1.1";
const STS_XML_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";
const xml = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@_", suppressEmptyNode: false });

export function parseJsonBody(body: string): Record<string, unknown> {
  if (body.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // answered below like AWS answers unreadable input
  }
  throw new AwsWireError("SerializationException", "Start of structure or map found where not expected.");
}

export function jsonResult(output: unknown, requestId = randomUUID()): WireResponse {
  return {
    status: 200,
    headers: { "content-type": JSON_CONTENT_TYPE, "x-amzn-requestid": requestId },
    body: JSON.stringify(output),
  };
}

export function jsonError(error: AwsWireError, requestId = randomUUID()): WireResponse {
  return {
    status: error.status,
    headers: { "content-type": JSON_CONTENT_TYPE, "x-amzn-requestid": requestId, "x-amzn-errortype": error.code },
    body: JSON.stringify({ __type: error.code, message: error.message, ...error.extra }),
  };
}

export function queryResult(action: string, result: Record<string, unknown>, requestId = randomUUID()): WireResponse {
  const body = xml.build({
    [`${action}Response`]: {
      "@_xmlns": STS_XML_NAMESPACE,
      [`${action}Result`]: result,
      ResponseMetadata: { RequestId: requestId },
    },
  }) as string;
  return { status: 200, headers: { "content-type": "text/xml", "x-amzn-requestid": requestId }, body };
}

export function queryError(error: AwsWireError, requestId = randomUUID()): WireResponse {
  const body = xml.build({
    ErrorResponse: {
      "@_xmlns": STS_XML_NAMESPACE,
      Error: { Type: error.status >= 500 ? "Receiver" : "Sender", Code: error.code, Message: error.message },
      RequestId: requestId,
    },
  }) as string;
  return { status: error.status, headers: { "content-type": "text/xml", "x-amzn-requestid": requestId }, body };
}

/** Timestamps travel as epoch seconds in AWS JSON 1.1. */
export function epochSeconds(date: Date | undefined): number | undefined {
  return date === undefined ? undefined : date.getTime() / 1000;
}
