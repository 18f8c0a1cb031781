/**
 * Fake AWS IAM and EC2 for tests (plus the two secret metadata reads porch's doctor makes): one local
 * HTTP endpoint speaking the real wire protocols — AWS Query for IAM (`Version=2010-05-08`) and EC2
 * (`Version=2016-11-15`), AWS JSON 1.1 for Secrets Manager / SSM — so porch's code runs unchanged with
 * the real SDK v3 clients pointed at `endpoint`. It never talks to AWS, and does not check signatures:
 * these are the calls made with the user's own credentials.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { FakeEc2, type FakeEc2Options } from "./fake-ec2.js";
import { FakeIam, type FakeIamOptions } from "./fake-iam.js";
import { handleSecretMetadata, type FakeSecretMetadataOptions } from "./fake-secret-metadata.js";
import { QueryWireError, ec2ErrorXml, ec2Response, iamErrorXml, iamResponse } from "./query-wire.js";

export type * from "./fake-ec2.js";
export type { FakeIamOptions, FakeRole, FakeRoleSeed, FakeOidcProvider } from "./fake-iam.js";
export type { FakeSecretMetadataOptions } from "./fake-secret-metadata.js";

export interface FakeIamEc2Options {
  /** @default "123456789012" */
  accountId?: string;
  /** @default "eu-central-1" */
  region?: string;
  iam?: FakeIamOptions;
  ec2?: FakeEc2Options;
  secretMetadata?: FakeSecretMetadataOptions;
  /** Delay before each answer, to make ordering problems visible; @default 0 */
  latencyMs?: number;
}

export interface FakeIamEc2Call {
  service: "iam" | "ec2" | "secretsmanager" | "ssm";
  action: string;
  params: Record<string, string>;
  /** The error code the fake answered with, if any. */
  error?: string;
}

export interface FakeIamEc2 {
  endpoint: string;
  accountId: string;
  calls: FakeIamEc2Call[];
  /** Calls that would change something in a real account (create, put, update, attach, delete, ...). */
  mutatingCalls(): FakeIamEc2Call[];
  iam: FakeIam;
  ec2: FakeEc2;
  stop(): Promise<void>;
}

const MUTATING = /^(Create|Put|Update|Attach|Detach|Delete|Add|Remove|Tag|Untag|Set|Modify|Associate|Authorize|Revoke)/;

export async function startFakeIamEc2(opts: FakeIamEc2Options = {}): Promise<FakeIamEc2> {
  const accountId = opts.accountId ?? "123456789012";
  const region = opts.region ?? "eu-central-1";
  const iam = new FakeIam(accountId, opts.iam);
  const ec2 = new FakeEc2({ subnets: [], routeTables: [], vpcEndpoints: [], securityGroups: [], ...opts.ec2 }, region);
  const calls: FakeIamEc2Call[] = [];

  const server = createServer((req, res) => {
    void readBody(req).then(async (body) => {
      if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
      const target = req.headers["x-amz-target"];
      if (typeof target === "string") answerJson(target, body, res);
      else answerQuery(body, res);
    });
  });

  function answerJson(target: string, body: string, res: ServerResponse): void {
    const call: FakeIamEc2Call = { service: target.startsWith("AmazonSSM") ? "ssm" : "secretsmanager", action: target.slice(target.indexOf(".") + 1), params: {} };
    calls.push(call);
    res.setHeader("content-type", "application/x-amz-json-1.1");
    try {
      const input = body ? (JSON.parse(body) as Record<string, unknown>) : {};
      call.params = Object.fromEntries(Object.entries(input).map(([k, v]) => [k, JSON.stringify(v)]));
      res.end(JSON.stringify(handleSecretMetadata(target, input, opts.secretMetadata ?? {})));
    } catch (err) {
      const e = asWireError(err);
      call.error = e.code;
      res.statusCode = e.status;
      res.end(JSON.stringify({ __type: e.code, message: e.message }));
    }
  }

  function answerQuery(body: string, res: ServerResponse): void {
    const params = new URLSearchParams(body);
    const action = params.get("Action") ?? "";
    const service = params.get("Version") === "2016-11-15" ? "ec2" : "iam";
    const call: FakeIamEc2Call = { service, action, params: Object.fromEntries(params) };
    calls.push(call);
    res.setHeader("content-type", "text/xml");
    try {
      res.end(service === "ec2" ? ec2Response(action, ec2.handle(action, params)) : iamResponse(action, iam.handle(action, params)));
    } catch (err) {
      const e = asWireError(err);
      call.error = e.code;
      res.statusCode = e.status;
      res.end(service === "ec2" ? ec2ErrorXml(e) : iamErrorXml(e));
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    accountId,
    calls,
    mutatingCalls: () => calls.filter((c) => MUTATING.test(c.action)),
    iam,
    ec2,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function asWireError(err: unknown): QueryWireError {
  if (err instanceof QueryWireError) return err;
  return new QueryWireError("InternalFailure", err instanceof Error ? err.message : String(err), 500);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}
