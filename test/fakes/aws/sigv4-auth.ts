/**
 * Identifies the caller of a signed request the way AWS does: the access key id in the SigV4
 * credential scope names issued credentials, and the signature is recomputed with the smithy signer
 * (the one the SDK signs with) using that key's secret. A request signed with the wrong secret, for
 * another region or service, or with expired credentials is refused.
 */
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { SignatureV4 } from "@smithy/signature-v4";
import { AwsWireError } from "./aws-error.js";
import type { CredentialStore, IssuedCredentials } from "./credential-store.js";

export interface RawRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** AWS names the same authentication failures differently in JSON and Query services. */
export interface AuthErrorCodes {
  missing: string;
  unknownKey: string;
  expired: string;
  badSignature: string;
  /** JSON services answer these with 400, Query services (STS) with 403. */
  status: number;
}

export const JSON_AUTH_ERRORS: AuthErrorCodes = {
  missing: "MissingAuthenticationTokenException",
  unknownKey: "UnrecognizedClientException",
  expired: "ExpiredTokenException",
  badSignature: "InvalidSignatureException",
  status: 400,
};

export const QUERY_AUTH_ERRORS: AuthErrorCodes = {
  missing: "MissingAuthenticationToken",
  unknownKey: "InvalidClientTokenId",
  expired: "ExpiredToken",
  badSignature: "SignatureDoesNotMatch",
  status: 403,
};

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;
const ALLOWED_CLOCK_SKEW_MS = 5 * 60_000;

export async function authenticate(
  request: RawRequest,
  store: CredentialStore,
  expected: { region: string; service: string },
  codes: AuthErrorCodes,
): Promise<IssuedCredentials> {
  const header = request.headers.authorization;
  if (!header) throw new AwsWireError(codes.missing, "Missing Authentication Token", 403);
  const match = AUTHORIZATION.exec(header);
  if (!match) throw new AwsWireError("IncompleteSignatureException", `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' (AWS4-HMAC-SHA256); got '${header}'`, 400);
  const [, accessKeyId = "", , region = "", service = "", signedHeaders = ""] = match;

  if (region !== expected.region) {
    throw new AwsWireError(codes.badSignature, `Credential should be scoped to a valid region, not '${region}'. The fake AWS endpoint serves region '${expected.region}'.`, codes.status);
  }
  if (service !== expected.service) {
    throw new AwsWireError(codes.badSignature, `Credential should be scoped to correct service: '${expected.service}'.`, codes.status);
  }

  const credentials = store.find(accessKeyId);
  const sessionToken = headerValue(request.headers, "x-amz-security-token");
  if (!credentials || sessionToken !== credentials.sessionToken) {
    throw new AwsWireError(codes.unknownKey, "The security token included in the request is invalid.", codes.status);
  }
  if (credentials.expiration.getTime() <= Date.now()) {
    throw new AwsWireError(codes.expired, "The security token included in the request is expired", codes.status);
  }

  const signingDate = parseAmzDate(headerValue(request.headers, "x-amz-date"));
  if (!signingDate) throw new AwsWireError("IncompleteSignatureException", "The request must contain the X-Amz-Date header (yyyyMMddTHHmmssZ).", 400);
  if (Math.abs(signingDate.getTime() - Date.now()) > ALLOWED_CLOCK_SKEW_MS) {
    throw new AwsWireError(codes.badSignature, `Signature expired: ${headerValue(request.headers, "x-amz-date")} is outside the allowed 5 minute clock skew.`, codes.status);
  }

  if (!(await signatureMatches(request, credentials, { region, service, signedHeaders: signedHeaders.split(";"), signingDate, header }))) {
    throw new AwsWireError(
      codes.badSignature,
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
      codes.status,
    );
  }
  return credentials;
}

async function signatureMatches(
  request: RawRequest,
  credentials: IssuedCredentials,
  scope: { region: string; service: string; signedHeaders: string[]; signingDate: Date; header: string },
): Promise<boolean> {
  const headers: Record<string, string> = {};
  for (const name of scope.signedHeaders) {
    const value = headerValue(request.headers, name);
    if (value !== undefined) headers[name] = value;
  }
  const [path = "/", query = ""] = request.url.split("?");
  const signer = new SignatureV4({
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken },
    region: scope.region,
    service: scope.service,
    sha256: NodeSha256,
  });
  const signed = await signer.sign(
    { method: request.method, protocol: "http:", hostname: headers.host ?? "", path, query: Object.fromEntries(new URLSearchParams(query)), headers, body: request.body },
    { signingDate: scope.signingDate, signableHeaders: new Set(scope.signedHeaders) },
  );
  return signed.headers.authorization === scope.header;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(",") : value;
}

function parseAmzDate(value: string | undefined): Date | undefined {
  const m = value ? /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value) : null;
  if (!m) return undefined;
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
}

/** The hash constructor the smithy signer expects, backed by node:crypto (HMAC when given a secret). */
class NodeSha256 {
  private readonly hash: Hash | Hmac;

  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", toBuffer(secret));
  }

  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBuffer(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  reset(): void {
    throw new Error("NodeSha256 is single-use");
  }
}

function toBuffer(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}
