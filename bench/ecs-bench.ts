import { startFakeAws, SEED_DOCUMENTED_ORCHESTRATOR_POLICY } from "../test/fakes/aws/index.js";
import { protocolOnlyLauncher } from "../test/fakes/protocol-only-runner.js";
import { startPorchHarness } from "../test/helpers/porch-harness.js";
import type { ServerlessEcsDriver } from "../src/drivers/serverless-ecs/index.js";
import type { OidcIssuer } from "../src/oidc/index.js";

const ACCOUNT = "123456789012";
const REGION = "eu-central-1";
const CLUSTER = "runners";
const ISSUER = "https://oidc.porch.test";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/porch-orchestrator`;

/**
 * Issue 4: AWS calls per deployment by operation (100 deployments over 10 environments, through the
 * real SDK against the wire-level fakes), and the RunTask dispatch rate against the configured limit.
 */
export async function benchEcs(opts: { deployments: number; envs: number; rate: number }): Promise<string[]> {
  let issuer: OidcIssuer | null = null;
  const aws = await startFakeAws({
    accountId: ACCOUNT,
    region: REGION,
    sts: { issuer: ISSUER, jwks: async () => (issuer ? issuer.jwks() : { keys: [] }), roles: [{ roleArn: ROLE, subject: "acme+ecs", policy: SEED_DOCUMENTED_ORCHESTRATOR_POLICY(ACCOUNT, REGION, CLUSTER) }] },
    ecs: {
      clusters: [{ name: CLUSTER }],
      timings: { provisioningMs: 1, pendingMs: 1, activatingMs: 1, stoppingMs: 1, stopTimeoutMs: 50 },
      launcher: protocolOnlyLauncher(),
    },
  });
  const h = await startPorchHarness({
    settings: { oidcIssuerUrl: ISSUER, awsEndpointUrl: aws.endpoint, runTaskRatePerSecond: opts.rate } as never,
    ecsDriverTuning: { pollFastMs: 1000, pollSlowMs: 5000 },
  });
  issuer = h.server.oidc;
  await h.setup({ envs: [] });
  await h.api("POST", "/orgs/acme/runners", {
    id: "ecs",
    runner_configuration: {
      type: "serverless-ecs",
      auth: { role_arn: ROLE },
      job: { region: REGION, cluster: CLUSTER, subnets: ["subnet-1"], execution_role_arn: `arn:aws:iam::${ACCOUNT}:role/exec` },
    },
    state_storage_configuration: { type: "s3", bucket: "state-bucket" },
  });
  await h.api("POST", "/orgs/acme/runner-rules", { runner_id: "ecs", project_id: "app" });
  for (let i = 0; i < opts.envs; i++) await h.api("POST", "/orgs/acme/projects/app/envs", { id: `env-${i}`, env_type_id: "development" });
  const digest = await h.upload("hello");
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: opts.deployments }, (_, n) => h.api("POST", "/orgs/acme/deployments", { project_id: "app", env_id: `env-${n % opts.envs}`, bundle_digest: digest })),
  );
  for (;;) {
    const res = await h.server.db.query<{ n: number }>("SELECT count(*)::int AS n FROM deployments WHERE status NOT IN ('succeeded','failed','cancelled')");
    if (res.rows[0]!.n === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const failed = await h.server.db.query<{ n: number }>("SELECT count(*)::int AS n FROM deployments WHERE status <> 'succeeded'");
  const driver = h.server.drivers.get("serverless-ecs") as ServerlessEcsDriver;
  await driver.idle();
  const stats = driver.stats();
  const total = Object.values(stats).reduce((a, b) => a + b, 0);
  const runTimes = aws.calls.filter((c) => c.action === "RunTask").length;
  const elapsed = (Date.now() - t0) / 1000;
  // Burst test: RunTask rate against the limit, many environments at once.
  const burstEnvs = opts.rate * 4;
  for (let i = 0; i < burstEnvs; i++) await h.api("POST", "/orgs/acme/projects/app/envs", { id: `burst-${i}`, env_type_id: "development" });
  const before = aws.calls.length;
  const b0 = Date.now();
  await Promise.all(Array.from({ length: burstEnvs }, (_, i) => h.api("POST", "/orgs/acme/deployments", { project_id: "app", env_id: `burst-${i}`, bundle_digest: digest })));
  for (;;) {
    const res = await h.server.db.query<{ n: number }>("SELECT count(*)::int AS n FROM deployments WHERE status NOT IN ('succeeded','failed','cancelled')");
    if (res.rows[0]!.n === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const runTaskCalls = aws.calls.slice(before).filter((c) => c.action === "RunTask");
  const burstSeconds = (Date.now() - b0) / 1000;
  const throttled = runTaskCalls.filter((c) => /Throttl/.test(c.error ?? "")).length;
  await h.close();
  await aws.stop();
  return [
    `serverless-ecs AWS calls (${opts.deployments} deployments over ${opts.envs} environments, fake ECS/STS through the real SDK; ${failed.rows[0]!.n} not succeeded, ${elapsed.toFixed(1)} s):`,
    ...Object.entries(stats)
      .sort((a, b) => b[1] - a[1])
      .map(([op, n]) => `  ${op.padEnd(32)} ${String(n).padStart(5)}  (${(n / opts.deployments).toFixed(2)} per deployment)`),
    `  total ${total} calls = ${(total / opts.deployments).toFixed(2)} per deployment (target <= 4, amortised; RunTask answered ${runTimes} times)`,
    `RunTask dispatch rate: ${burstEnvs} environments at once with the limit at ${opts.rate}/s -> ${runTaskCalls.length} RunTask calls in ${burstSeconds.toFixed(1)} s = ${(runTaskCalls.length / burstSeconds).toFixed(1)}/s, ${throttled} throttled`,
  ];
}
