import { AwsWireError } from "../aws-error.js";

/** One page of `items` for ECS's `maxResults`/`nextToken` pagination (tokens are opaque offsets). */
export function paginate<T>(items: T[], maxResults: unknown, nextToken: unknown, limit = 100): { page: T[]; nextToken?: string } {
  if (maxResults !== undefined && (!Number.isInteger(maxResults) || (maxResults as number) < 1 || (maxResults as number) > limit)) {
    throw new AwsWireError("InvalidParameterException", `maxResults must be between 1 and ${limit}.`);
  }
  const size = (maxResults as number | undefined) ?? limit;
  const offset = nextToken === undefined ? 0 : decodeToken(nextToken);
  const page = items.slice(offset, offset + size);
  const next = offset + size < items.length ? encodeToken(offset + size) : undefined;
  return next === undefined ? { page } : { page, nextToken: next };
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ fakeOffset: offset })).toString("base64url");
}

function decodeToken(token: unknown): number {
  try {
    const parsed = JSON.parse(Buffer.from(String(token), "base64url").toString("utf8")) as { fakeOffset?: unknown };
    if (Number.isInteger(parsed.fakeOffset) && (parsed.fakeOffset as number) >= 0) return parsed.fakeOffset as number;
  } catch {
    // answered below
  }
  throw new AwsWireError("InvalidParameterException", "Invalid nextToken: pass the value a previous call returned.");
}
