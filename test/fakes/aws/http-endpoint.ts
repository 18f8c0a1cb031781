/**
 * The fake's single HTTP endpoint. Requests are routed the way AWS's wire protocols tell them apart:
 * `X-Amz-Target` for the JSON 1.1 services (ECS, Secrets Manager, SSM), a form-encoded `Action` for STS.
 * Every call is recorded with the principal that made it and the error it answered with.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { AwsWireError } from "./aws-error.js";
import type { CredentialStore, IssuedCredentials } from "./credential-store.js";
import { authenticate, JSON_AUTH_ERRORS, QUERY_AUTH_ERRORS, type RawRequest } from "./sigv4-auth.js";
import { FakeSts } from "./sts-service.js";
import type { FakeAwsCall, FakeAwsService } from "./types.js";
import { jsonError, jsonResult, parseJsonBody, queryError, queryResult, type WireResponse } from "./wire-protocols.js";

type JsonService = Exclude<FakeAwsService, "sts">;

export interface EndpointHandlers {
  region: string;
  credentials: CredentialStore;
  sts: FakeSts;
  json: Record<JsonService, (action: string, input: Record<string, unknown>, caller: IssuedCredentials) => unknown>;
  calls: FakeAwsCall[];
}

/** X-Amz-Target prefixes, and the SigV4 service name each service's credential scope carries. */
const JSON_TARGETS: Record<string, { service: JsonService; signingName: string }> = {
  AmazonEC2ContainerServiceV20141113: { service: "ecs", signingName: "ecs" },
  secretsmanager: { service: "secretsmanager", signingName: "secretsmanager" },
  AmazonSSM: { service: "ssm", signingName: "ssm" },
};

export async function listen(handlers: EndpointHandlers): Promise<{ server: Server; endpoint: string }> {
  const server = createServer((req, res) => {
    void respond(handlers, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { server, endpoint: `http://127.0.0.1:${port}` };
}

async function respond(handlers: EndpointHandlers, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let response: WireResponse;
  try {
    const request: RawRequest = { method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers, body: await readBody(req) };
    const target = req.headers["x-amz-target"];
    if (typeof target === "string") response = await handleJson(handlers, request, target);
    else if (String(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) response = await handleQuery(handlers, request);
    else response = jsonError(new AwsWireError("UnknownOperationException", "The fake AWS endpoint expects an X-Amz-Target header (JSON 1.1) or a form-encoded Action (STS Query)."));
  } catch (err) {
    response = jsonError(new AwsWireError("InternalFailure", `fake AWS failed to read the request: ${err instanceof Error ? err.message : String(err)}`, 500));
  }
  res.writeHead(response.status, { ...response.headers, "content-length": Buffer.byteLength(response.body) });
  res.end(response.body);
}

async function handleJson(handlers: EndpointHandlers, request: RawRequest, target: string): Promise<WireResponse> {
  const [prefix = "", action = ""] = target.split(".");
  const route = JSON_TARGETS[prefix];
  if (!route) return jsonError(new AwsWireError("UnknownOperationException", `The fake AWS endpoint does not serve X-Amz-Target '${target}'.`));
  const call: FakeAwsCall = { service: route.service, action, request: safeJson(request.body) };
  handlers.calls.push(call);
  try {
    const input = parseJsonBody(request.body);
    const caller = await authenticate(request, handlers.credentials, { region: handlers.region, service: route.signingName }, JSON_AUTH_ERRORS);
    call.principal = caller.assumedRoleArn;
    return jsonResult(handlers.json[route.service](action, input, caller) ?? {});
  } catch (err) {
    const error = asWireError(err);
    call.error = error.code;
    return jsonError(error);
  }
}

async function handleQuery(handlers: EndpointHandlers, request: RawRequest): Promise<WireResponse> {
  const params = new URLSearchParams(request.body);
  const action = params.get("Action") ?? "";
  const call: FakeAwsCall = { service: "sts", action, request: Object.fromEntries(params) };
  handlers.calls.push(call);
  try {
    let caller: IssuedCredentials | undefined;
    if (!FakeSts.isUnsigned(action)) {
      caller = await authenticate(request, handlers.credentials, { region: handlers.region, service: "sts" }, QUERY_AUTH_ERRORS);
      call.principal = caller.assumedRoleArn;
    }
    return queryResult(action, await handlers.sts.handle(action, params, caller));
  } catch (err) {
    const error = asWireError(err);
    call.error = error.code;
    return queryError(error);
  }
}

/** Anything but an AwsWireError is a bug in the fake; it answers 500 so the test sees it instead of hanging. */
function asWireError(err: unknown): AwsWireError {
  if (err instanceof AwsWireError) return err;
  return new AwsWireError("InternalFailure", `fake AWS bug: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`, 500);
}

function safeJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
