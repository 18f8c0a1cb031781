// The SDK's notice about its releases after 2026 would interleave with the figures.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
import { benchApi } from "./api-bench.js";
import { benchDeployments } from "./deploy-bench.js";
import { benchEcs } from "./ecs-bench.js";

const only = process.argv[2];
// Set by scripts/with-postgres.mjs (npm run bench:postgres), or your own server through DATABASE_URL.
const pgUrl = process.env.PORCH_TEST_DATABASE_URL ?? process.env.DATABASE_URL;
const sections: Array<[string, () => Promise<string[]>]> = [
  ["api", () => benchApi({ clients: 50, perClient: 20 })],
  ["deployments", () => benchDeployments({ envs: 50 })],
  // Every job a process start: what the figures are without standby runners.
  ["deployments-cold", () => benchDeployments({ envs: 50, standbyCap: 0 })],
  // The same against a real PostgreSQL server: `npm run bench:postgres` (queries off the server's thread).
  ...(pgUrl ? [["deployments-postgres", () => benchDeployments({ envs: 50, databaseUrl: pgUrl })] as [string, () => Promise<string[]>]] : []),
  ["ecs", () => benchEcs({ deployments: 100, envs: 10, rate: 20 })],
];
for (const [name, run] of sections) {
  if (only && only !== name) continue;
  const lines = await run();
  console.log(lines.join("\n"));
  console.log("");
}
