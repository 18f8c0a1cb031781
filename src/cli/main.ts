import { Command, CommanderError } from "commander";
import { ApiClient, ApiError } from "./api-client.js";
import { resolveClientSettings, type ClientFlags } from "./client-settings.js";
import { registerResourceCommands } from "./resources.js";
import { registerDeployCommands } from "./deploy.js";
import { registerServeCommands } from "./serve.js";
import { registerOidcCommands } from "./oidc.js";
import { registerAwsCommands } from "../aws-setup/cli.js";
import { OidcIssuer, loadMasterKey } from "../oidc/index.js";
import { openStore } from "../store/open.js";
import { PorchError } from "../errors/porch-error.js";
import { PORCH_VERSION } from "../api/server.js";

// porch pins AWS SDK v3 releases that support Node 20; their notice about releases after 2026 is not
// actionable for porch's users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const out = (s: string) => process.stdout.write(`${s}\n`);
const err = (s: string) => process.stderr.write(`${s}\n`);

const program = new Command()
  .name("porch")
  .description("porch: a self-hostable Platform Orchestrator for OpenTofu deployments")
  .version(PORCH_VERSION)
  .option("--url <url>", "porch server URL (PORCH_URL; default http://127.0.0.1:8080)")
  .option("--token <token>", "API token (PORCH_TOKEN; default: the local server's admin token)")
  .option("--org <org>", "organization (PORCH_ORG; default 'default')")
  .option("--data-dir <dir>", "data dir of a local server, to find its admin token (PORCH_DATA_DIR; default ./.porch)")
  .showHelpAfterError()
  .exitOverride();

const client = () => new ApiClient(resolveClientSettings(program.opts<ClientFlags>()));

registerServeCommands(program, out, err);
registerResourceCommands(program, client, out);
registerDeployCommands(program, client, out, err);
registerOidcCommands(program, out);
registerAwsCommands(program, {
  issuerUrl: () => {
    const url = process.env.PORCH_OIDC_ISSUER_URL;
    if (!url) throw new Error("set PORCH_OIDC_ISSUER_URL to porch's public OIDC issuer URL (the one the server uses)");
    return url;
  },
  orgId: () => client().settings.org,
  fetchRunner: (runnerId) => client().request("GET", client().orgPath(`/runners/${encodeURIComponent(runnerId)}`)),
  // Minting needs the issuer's signing keys. With a shared PostgreSQL the CLI can open them itself; the
  // embedded store belongs to the running server, so then the doctor skips the OIDC check and says so.
  webIdentityToken:
    process.env.DATABASE_URL && process.env.PORCH_OIDC_ISSUER_URL
      ? async (orgId, runnerId) => {
          const db = await openStore({ databaseUrl: process.env.DATABASE_URL });
          try {
            const masterKey = await loadMasterKey({ env: process.env, dataDir: program.opts<ClientFlags>().dataDir ?? process.env.PORCH_DATA_DIR ?? ".porch" });
            const issuer = await OidcIssuer.open({ db, issuerUrl: process.env.PORCH_OIDC_ISSUER_URL!, masterKey });
            return (await issuer.mintToken({ orgId, runnerId })).token;
          } finally {
            await db.close();
          }
        }
      : undefined,
  out,
});
program
  .command("runner-exec")
  .description("run the runner program (what a local child process or a Fargate task runs; configured by PORCH_* environment variables)")
  .action(async () => {
    await import("../runner/main.js");
  });

function reportError(e: unknown): void {
  if (e instanceof ApiError) {
    err(`error: ${e.message}`);
    for (const d of e.details) err(`  ${d.path}: ${d.message}`);
  } else if (e instanceof PorchError) {
    err(`error: ${e.message}`);
    for (const d of e.details) err(`  ${d.path}: ${d.message}`);
  } else {
    err(`error: ${(e as Error)?.message ?? String(e)}`);
  }
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else {
    reportError(e);
    process.exitCode = 1;
  }
}
