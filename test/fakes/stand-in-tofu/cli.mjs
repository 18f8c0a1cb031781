// Entry point of the stand-in `tofu` (a test double for OpenTofu's CLI, not OpenTofu): global options,
// command dispatch, exit codes and OpenTofu's interrupt behaviour (first SIGINT: stop gracefully, release the
// lock, exit 1; second SIGINT: exit at once, leaving the lock behind).
import { appendFileSync } from "node:fs";
import path from "node:path";
import { COMMANDS } from "./commands.mjs";
import { isDiagnosticError } from "./diagnostics.mjs";
import { Ui } from "./ui.mjs";

const DEFAULT_VERSION = "1.10.7";

const env = process.env;
const interrupt = new AbortController();
let interrupts = 0;

process.on("SIGINT", () => {
  interrupts += 1;
  if (env.STAND_IN_TOFU_SIGNAL_LOG) appendFileSync(env.STAND_IN_TOFU_SIGNAL_LOG, "SIGINT\n");
  if (interrupts === 1) {
    process.stderr.write("\nInterrupt received.\nPlease wait for OpenTofu to exit or data loss may occur.\nGracefully shutting down...\n");
    interrupt.abort(new Error("interrupted"));
    return;
  }
  process.stderr.write("Two interrupts received. Exiting immediately. Note that data loss may have occurred.\n");
  process.exit(1);
});

async function main(argv) {
  let cwd = process.cwd();
  while (argv[0]?.startsWith("-chdir=")) cwd = path.resolve(cwd, argv.shift().slice("-chdir=".length));
  const [name, ...rest] = argv;
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`Usage: tofu [global options] <subcommand> [args]\n\nThe stand-in tofu does not implement "${name ?? ""}"; it supports: ${Object.keys(COMMANDS).join(", ")}.\n`);
    return 1;
  }
  const ctx = {
    cwd,
    env,
    signal: interrupt.signal,
    version: env.STAND_IN_TOFU_VERSION || DEFAULT_VERSION,
    platform: `${process.platform === "win32" ? "windows" : process.platform}_${process.arch === "x64" ? "amd64" : process.arch}`,
    failApply: new Set((env.STAND_IN_TOFU_FAIL_APPLY ?? "").split(",").map((s) => s.trim()).filter(Boolean)),
    progressIntervalMs: Number(env.STAND_IN_TOFU_PROGRESS_INTERVAL_MS) || 10_000,
    stopDelayMs: Number(env.STAND_IN_TOFU_STOP_DELAY_MS) || 0,
  };
  try {
    return await command(rest, ctx);
  } catch (err) {
    if (isDiagnosticError(err)) {
      // Only flag parsing fails outside a command body; OpenTofu reports that as plain text.
      const ui = new Ui({ json: false, version: ctx.version });
      for (const d of err.diagnostics) ui.diagnostic(d);
      return 1;
    }
    process.stderr.write(`stand-in tofu crashed: ${err?.stack ?? err}\n`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
process.stdout.write("", () => process.exit(code));
