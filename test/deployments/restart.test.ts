import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startPorch } from "../../src/server/porch-server.js";
import { readServerSettings } from "../../src/server/settings.js";
import { silentLogger } from "../../src/util/logger.js";
import { testDatabaseUrl } from "../helpers/api-harness.js";
import { STAND_IN_TOFU } from "../helpers/porch-harness.js";
import { bundleDirectory } from "../../src/cli/bundle-dir.js";
import { readFileSync } from "node:fs";

const dataDir = mkdtempSync(join(tmpdir(), "porch-restart-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("orchestrator restart", () => {
  it("fails a local job whose process did not survive, with a clear reason, and keeps scheduling", async () => {
    const databaseUrl = await testDatabaseUrl();
    const settings = { ...readServerSettings({}, { dataDir, port: 0 }), databaseUrl };
    const start = () =>
      startPorch({ settings, logger: silentLogger, extraJobEnv: { PORCH_IAC_BINARY: STAND_IN_TOFU }, schedulerTuning: { pollMs: 200, sweepMs: 300 } });
    const first = await start();
    const token = readFileSync(first.adminTokenPath, "utf8").trim();
    const api = async (url: string, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: body ? JSON.stringify(body) : undefined });
      return (await res.json().catch(() => undefined)) as any;
    };
    await api(first.url, "POST", "/orgs", { id: "acme" });
    await api(first.url, "POST", "/orgs/acme/runners", { id: "local", runner_configuration: { type: "local" }, state_storage_configuration: { type: "local" } });
    await api(first.url, "POST", "/orgs/acme/runner-rules", { runner_id: "local" });
    await api(first.url, "POST", "/orgs/acme/env-types", { id: "development" });
    await api(first.url, "POST", "/orgs/acme/projects", { id: "app" });
    await api(first.url, "POST", "/orgs/acme/projects/app/envs", { id: "dev", env_type_id: "development" });
    const bundle = await bundleDirectory("test/fixtures/modules/sleepy");
    await fetch(`${first.url}/orgs/acme/bundles/${bundle.digest}`, { method: "PUT", headers: { authorization: `Bearer ${token}`, "content-type": "application/gzip" }, body: new Uint8Array(bundle.content) });
    const dep = await api(first.url, "POST", "/orgs/acme/deployments", { project_id: "app", env_id: "dev", bundle_digest: bundle.digest, inputs: { seconds: "60s" } });
    for (let i = 0; i < 200; i++) {
      if ((await api(first.url, "GET", `/orgs/acme/deployments/${dep.id}`)).status === "running") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // A crash: the job's process dies with the orchestrator.
    await first.close({ killJobs: true });

    const second = await start();
    try {
      let after: any;
      for (let i = 0; i < 200; i++) {
        after = await api(second.url, "GET", `/orgs/acme/deployments/${dep.id}`);
        if (after.status === "failed") break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(after.status).toBe("failed");
      expect(after.error.message).toMatch(/orchestrator restarted|exited|killed/);
      const next = await api(second.url, "POST", "/orgs/acme/deployments", { project_id: "app", env_id: "dev", bundle_digest: bundle.digest, inputs: { seconds: "0s" } });
      let final: any;
      for (let i = 0; i < 400; i++) {
        final = await api(second.url, "GET", `/orgs/acme/deployments/${next.id}`);
        if (["succeeded", "failed", "cancelled"].includes(final.status)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(final.status).toBe("succeeded");
    } finally {
      await second.close({ killJobs: true });
    }
  });
});
