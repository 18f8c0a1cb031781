import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { readFileSync } from "node:fs";
import { startPorch, type PorchServer, type StartOptions } from "../../src/server/porch-server.js";
import { readServerSettings } from "../../src/server/settings.js";
import { silentLogger } from "../../src/util/logger.js";
import { bundleDirectory } from "../../src/cli/bundle-dir.js";
import { testDatabaseUrl } from "./api-harness.js";

export const STAND_IN_TOFU = resolve("test/fakes/stand-in-tofu/tofu");
export const FIXTURES = resolve("test/fixtures/modules");

export interface PorchHarness {
  server: PorchServer;
  dataDir: string;
  token: string;
  api<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T }>;
  setup(opts?: { runner?: Record<string, unknown>; envs?: string[]; project?: string }): Promise<void>;
  upload(moduleName: string): Promise<string>;
  deploy(env: string, moduleName: string, extra?: Record<string, unknown>): Promise<any>;
  waitFor(id: string, statuses?: string[]): Promise<any>;
  logs(id: string): Promise<Array<{ seq: number; text: string; stream: string }>>;
  close(): Promise<void>;
}

export async function startPorchHarness(opts: Partial<StartOptions> & { publicUrl?: string; env?: Record<string, string> } = {}): Promise<PorchHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), "porch-test-"));
  const settings = { ...readServerSettings({}, { dataDir, port: 0 }), databaseUrl: await testDatabaseUrl(), publicUrl: opts.publicUrl, logLevel: "silent" };
  const server = await startPorch({
    logger: silentLogger,
    schedulerTuning: { pollMs: 200, sweepMs: 500 },
    localKillGraceMs: 5000,
    ...opts,
    settings: { ...settings, ...opts.settings },
    extraJobEnv: { PORCH_IAC_BINARY: STAND_IN_TOFU, PORCH_HEARTBEAT_MS: "300", PORCH_LOG_FLUSH_MS: "50", ...opts.extraJobEnv },
  });
  const token = readFileSync(server.adminTokenPath, "utf8").trim();
  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const h: PorchHarness = {
    server,
    dataDir,
    token,
    api,
    async setup(o = {}) {
      const project = o.project ?? "app";
      await api("POST", "/orgs", { id: "acme" });
      await api("POST", "/orgs/acme/runners", {
        id: "local",
        runner_configuration: { type: "local" },
        state_storage_configuration: { type: "local" },
        ...o.runner,
      });
      await api("POST", "/orgs/acme/runner-rules", { runner_id: "local" });
      await api("POST", "/orgs/acme/env-types", { id: "development" });
      await api("POST", "/orgs/acme/projects", { id: project });
      for (const env of o.envs ?? ["dev"]) await api("POST", `/orgs/acme/projects/${project}/envs`, { id: env, env_type_id: "development" });
    },
    async upload(moduleName) {
      const bundle = await bundleDirectory(join(FIXTURES, moduleName));
      const res = await fetch(`${server.url}/orgs/acme/bundles/${bundle.digest}`, {
        method: "PUT",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/gzip" },
        body: new Uint8Array(bundle.content),
      });
      if (res.status >= 300) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
      return bundle.digest;
    },
    async deploy(env, moduleName, extra = {}) {
      const digest = await h.upload(moduleName);
      const res = await api("POST", "/orgs/acme/deployments", { project_id: "app", env_id: env, bundle_digest: digest, ...extra });
      if (res.status !== 201) throw new Error(`deploy failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    async waitFor(id, statuses = ["succeeded", "failed", "cancelled"]) {
      for (;;) {
        const res = await api("GET", `/orgs/acme/deployments/${id}`);
        if (statuses.includes(res.body.status)) return res.body;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async logs(id) {
      const res = await api("GET", `/orgs/acme/deployments/${id}/logs?limit=5000`);
      return res.body.items;
    },
    async close() {
      await server.close({ killJobs: true });
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return h;
}
