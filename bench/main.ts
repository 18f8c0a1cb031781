// The SDK's notice about its releases after 2026 would interleave with the figures.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
import { benchApi } from "./api-bench.js";
import { benchDeployments } from "./deploy-bench.js";
import { benchEcs } from "./ecs-bench.js";

const only = process.argv[2];
const sections: Array<[string, () => Promise<string[]>]> = [
  ["api", () => benchApi({ clients: 50, perClient: 20 })],
  ["deployments", () => benchDeployments({ envs: 50, standby: 2 })],
  ["deployments-standby", () => benchDeployments({ envs: 50, standby: 50 })],
  ["ecs", () => benchEcs({ deployments: 100, envs: 10, rate: 20 })],
];
for (const [name, run] of sections) {
  if (only && only !== name) continue;
  const lines = await run();
  console.log(lines.join("\n"));
  console.log("");
}
