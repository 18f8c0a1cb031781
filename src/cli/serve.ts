import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { readServerSettings } from "../server/settings.js";
import { startPorch, type PorchServer } from "../server/porch-server.js";
import { createLogger } from "../util/logger.js";
import { ApiClient, ApiError } from "./api-client.js";
import { DEFAULT_ORG } from "./client-settings.js";
import { followDeployment, summarize } from "./deploy.js";
import { bundleDirectory } from "./bundle-dir.js";
import { RUNNER_ENV } from "../jobs/protocol.js";

async function ensureDefaultOrg(server: PorchServer, token: string): Promise<void> {
  const client = new ApiClient({ url: server.url, token, org: DEFAULT_ORG });
  await client.request("POST", "/orgs", { id: DEFAULT_ORG, display_name: "Default" }).catch((err: unknown) => {
    if (!(err instanceof ApiError && err.status === 409)) throw err;
  });
}

function shutdownOn(server: PorchServer): void {
  let closing = false;
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.on(sig, () => {
      if (closing) process.exit(1);
      closing = true;
      void server.close().then(() => process.exit(0));
    });
  }
}

export function examplesDir(name: string): string {
  return fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
}

export function registerServeCommands(program: Command, out: (s: string) => void, err: (s: string) => void): void {
  program
    .command("serve")
    .description("run the porch server (embedded PostgreSQL in --data-dir unless DATABASE_URL is set)")
    .option("--port <n>", "port (default 8080, or PORCH_PORT)")
    .option("--host <host>", "interface to listen on (default 127.0.0.1, or PORCH_HOST)")
    .addHelpText("after", "\nThe global --data-dir (default ./.porch, or PORCH_DATA_DIR) is where porch keeps its database, keys and job directories.")
    .action(async (_o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<{ dataDir?: string; port?: string; host?: string }>();
      const settings = readServerSettings(process.env, { dataDir: o.dataDir, host: o.host, port: o.port ? Number(o.port) : undefined });
      const server = await startPorch({ settings });
      const { readFileSync } = await import("node:fs");
      await ensureDefaultOrg(server, readFileSync(server.adminTokenPath, "utf8").trim());
      err(`porch is serving on ${server.url} (data: ${settings.dataDir}; admin token: ${server.adminTokenPath})`);
      shutdownOn(server);
    });

  program
    .command("quickstart")
    .description("the main job on embedded defaults: start porch, register a local runner, deploy examples/hello and show its logs and outputs")
    .option("--keep-serving", "keep the server running afterwards")
    .action(async (_o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<{ dataDir?: string; keepServing?: boolean }>();
      const settings = readServerSettings(process.env, { dataDir: o.dataDir, port: process.env.PORCH_PORT ? undefined : 0 });
      const logger = createLogger({ level: process.env.PORCH_LOG_LEVEL ?? "warn" });
      if (!process.env[RUNNER_ENV.iacBinary] && !onPath("tofu")) {
        err("OpenTofu ('tofu') is not on PATH: the runner will download the pinned OpenTofu release once into ~/.cache/porch/opentofu (set PORCH_IAC_BINARY to use your own binary).");
      }
      const server = await startPorch({ settings, logger });
      const { readFileSync } = await import("node:fs");
      const token = readFileSync(server.adminTokenPath, "utf8").trim();
      await ensureDefaultOrg(server, token);
      const c = new ApiClient({ url: server.url, token, org: DEFAULT_ORG });
      const ensure = async (path: string, body: unknown) =>
        c.request("POST", c.orgPath(path), body).catch((e: unknown) => {
          if (!(e instanceof ApiError && e.status === 409)) throw e;
        });
      await ensure("/runners", { id: "local", description: "embedded local runner", runner_configuration: { type: "local" }, state_storage_configuration: { type: "local" } });
      await ensure("/runner-rules", { runner_id: "local" });
      await ensure("/env-types", { id: "development" });
      await ensure("/projects", { id: "hello" });
      await ensure("/projects/hello/envs", { id: "dev", env_type_id: "development" });
      const bundle = await bundleDirectory(examplesDir("hello"));
      await c.request("PUT", c.orgPath(`/bundles/${bundle.digest}`), undefined, { raw: bundle.content });
      const dep = await c.request<{ id: string }>("POST", c.orgPath("/deployments"), {
        project_id: "hello",
        env_id: "dev",
        bundle_digest: bundle.digest,
        inputs: { greeting: "Hello from porch" },
      });
      err(`porch ${server.url} · runner 'local' · deploying examples/hello to hello/dev (deployment ${dep.id})`);
      const final = await followDeployment(c, dep.id, out);
      out(summarize(final));
      if (final.status !== "succeeded") process.exitCode = 1;
      if (o.keepServing) {
        err(`porch keeps serving on ${server.url}; try: PORCH_URL=${server.url} porch get deployments`);
        shutdownOn(server);
        return;
      }
      await server.close({ killJobs: true });
    });
}

function onPath(bin: string): boolean {
  return (process.env.PATH ?? "").split(":").some((dir) => dir && existsSync(`${dir}/${bin}`));
}
