import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAws, SEED_DOCUMENTED_ORCHESTRATOR_POLICY, type FakeAws } from "../fakes/aws/index.js";
import { protocolOnlyLauncher } from "../fakes/protocol-only-runner.js";
import { testDatabaseUrl } from "../helpers/api-harness.js";
import { bundleDirectory } from "../../src/cli/bundle-dir.js";
import { ACCOUNT, CLUSTER, EXEC_ROLE, ISSUER, ORCH_ROLE, REGION, TASK_ROLE } from "./ecs-harness.js";

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const dataDir = mkdtempSync(join(tmpdir(), "porch-crash-"));
let port: number;
let url: string;
let aws: FakeAws;
let child: ChildProcess | null = null;
let databaseUrl: string | undefined;
const starts = new Map<string, number>();

async function startPorchProcess(): Promise<void> {
  child = spawn(process.execPath, ["bin/porch.js", "serve", "--data-dir", dataDir, "--port", String(port)], {
    env: {
      ...process.env,
      PORCH_OIDC_ISSUER_URL: ISSUER,
      PORCH_AWS_ENDPOINT_URL: aws.endpoint,
      PORCH_PUBLIC_URL: url,
      PORCH_LOG_LEVEL: "warn",
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(`${url}/health`).then((r) => r.ok).catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("porch did not start");
}

beforeAll(async () => {
  port = await freePort();
  url = `http://127.0.0.1:${port}`;
  databaseUrl = await testDatabaseUrl();
  aws = await startFakeAws({
    accountId: ACCOUNT,
    region: REGION,
    sts: {
      issuer: ISSUER,
      // Like AWS, the fake fetches porch's published JWKS.
      jwks: async () => (await fetch(`${url}/.well-known/jwks.json`)).json() as Promise<{ keys: object[] }>,
      roles: [{ roleArn: ORCH_ROLE, subject: "acme+ecs", policy: SEED_DOCUMENTED_ORCHESTRATOR_POLICY(ACCOUNT, REGION, CLUSTER) }],
    },
    ecs: {
      clusters: [{ name: CLUSTER }],
      knownSubnets: ["subnet-1"],
      roles: [EXEC_ROLE, TASK_ROLE],
      timings: { provisioningMs: 200, pendingMs: 200, stoppingMs: 10, stopTimeoutMs: 200 },
      launcher: protocolOnlyLauncher({ onStart: (id) => starts.set(id, (starts.get(id) ?? 0) + 1) }),
    },
  });
  await startPorchProcess();
}, 120_000);

afterAll(async () => {
  child?.kill("SIGKILL");
  await aws.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("killing the orchestrator mid-flight (SIGKILL) and restarting it", () => {
  it("brings every serverless-ecs deployment to its right end, starting no task twice", async () => {
    const token = readFileSync(join(dataDir, "admin-token"), "utf8").trim();
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: body ? JSON.stringify(body) : undefined });
      return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
    };
    await api("POST", "/orgs", { id: "acme" });
    const runner = await api("POST", "/orgs/acme/runners", {
      id: "ecs",
      runner_configuration: { type: "serverless-ecs", auth: { role_arn: ORCH_ROLE }, job: { region: REGION, cluster: CLUSTER, subnets: ["subnet-1"], execution_role_arn: EXEC_ROLE, task_role_arn: TASK_ROLE } },
      state_storage_configuration: { type: "s3", bucket: "porch-state" },
    });
    expect(runner.status).toBe(201);
    await api("POST", "/orgs/acme/runner-rules", { runner_id: "ecs" });
    await api("POST", "/orgs/acme/env-types", { id: "development" });
    await api("POST", "/orgs/acme/projects", { id: "app" });
    for (let i = 0; i < 10; i++) await api("POST", "/orgs/acme/projects/app/envs", { id: `env-${i}`, env_type_id: "development" });
    const bundle = await bundleDirectory("test/fixtures/modules/hello");
    await fetch(`${url}/orgs/acme/bundles/${bundle.digest}`, { method: "PUT", headers: { authorization: `Bearer ${token}`, "content-type": "application/gzip" }, body: new Uint8Array(bundle.content) });
    const ids: string[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 10; i++) {
        const d = await api("POST", "/orgs/acme/deployments", { project_id: "app", env_id: `env-${i}`, bundle_digest: bundle.digest });
        expect(d.status).toBe(201);
        ids.push(d.body.id);
      }
    }
    // Crash while tasks are starting and others are queued.
    for (let i = 0; i < 200 && aws.ecs.tasks().length < 3; i++) await new Promise((r) => setTimeout(r, 25));
    child!.kill("SIGKILL");
    await new Promise((r) => child!.once("exit", r));
    const inFlightAtCrash = aws.ecs.tasks().length;
    expect(inFlightAtCrash).toBeGreaterThan(0);

    await startPorchProcess();
    const deadline = Date.now() + 240_000;
    let final: any[] = [];
    while (Date.now() < deadline) {
      final = await Promise.all(ids.map(async (id) => (await api("GET", `/orgs/acme/deployments/${id}`)).body));
      if (final.every((d) => ["succeeded", "failed", "cancelled"].includes(d.status))) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(final.map((d) => `${d.id}:${d.status}:${d.error?.message ?? ""}`).filter((s) => !s.includes(":succeeded:"))).toEqual([]);
    const perDeployment = new Map<string, number>();
    for (const t of aws.ecs.tasks()) {
      const dep = t.tags?.["porch:deployment"];
      if (dep) perDeployment.set(dep, (perDeployment.get(dep) ?? 0) + 1);
    }
    for (const id of ids) {
      expect(perDeployment.get(id), `tasks of ${id}`).toBe(1);
      expect(starts.get(id), `runner starts of ${id}`).toBe(1);
    }
  }, 400_000);
});
