import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { protocolOnlyLauncher } from "../fakes/protocol-only-runner.js";
import { startEcsHarness, type EcsHarness } from "./ecs-harness.js";

const ENVS = 200;
const PER_ENV = 5;
let h: EcsHarness;
const starts = new Map<string, number>();

beforeAll(async () => {
  h = await startEcsHarness({
    ecs: {
      launcher: protocolOnlyLauncher({ onStart: (id) => starts.set(id, (starts.get(id) ?? 0) + 1) }),
      // Well below porch's own limiter (200/s here), so AWS really throttles and porch has to back off and retry.
      runTaskRate: { perSecond: 40, burst: 5 },
      timings: { provisioningMs: 1, pendingMs: 1, activatingMs: 1, stoppingMs: 1, stopTimeoutMs: 100 },
    },
    runTaskRatePerSecond: 200,
  });
  for (let i = 0; i < ENVS; i++) await h.porch.api("POST", "/orgs/acme/projects/app/envs", { id: `env-${i}`, env_type_id: "development" });
}, 120_000);
afterAll(() => h.close());

describe("serverless-ecs at scale", () => {
  it(`runs ${ENVS * PER_ENV} deployments over ${ENVS} environments with RunTask throttled: all succeed, none twice`, async () => {
    const digest = await h.porch.upload("hello");
    const ids: string[] = [];
    for (let round = 0; round < PER_ENV; round++) {
      await Promise.all(
        Array.from({ length: ENVS }, async (_, i) => {
          const res = await h.porch.api("POST", "/orgs/acme/deployments", { project_id: "app", env_id: `env-${i}`, bundle_digest: digest });
          expect(res.status).toBe(201);
          ids.push(res.body.id);
        }),
      );
    }
    for (;;) {
      const res = await h.porch.server.db.query<{ status: string; n: number }>(
        "SELECT status, count(*)::int AS n FROM deployments WHERE env_id LIKE 'env-%' GROUP BY status",
      );
      const open = res.rows.filter((r) => !["succeeded", "failed", "cancelled"].includes(r.status)).reduce((a, r) => a + r.n, 0);
      if (open === 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const failed = await h.porch.server.db.query<{ id: string; error: unknown }>("SELECT id, error FROM deployments WHERE env_id LIKE 'env-%' AND status <> 'succeeded'");
    expect(failed.rows).toEqual([]);
    expect(ids).toHaveLength(ENVS * PER_ENV);
    // Throttling happened and was absorbed.
    expect(h.aws.calls.some((c) => c.action === "RunTask" && /Throttl|Rate exceeded/.test(c.error ?? ""))).toBe(true);
    // None started twice: one task per deployment in ECS, one runner start per deployment.
    const tasksPerDeployment = new Map<string, number>();
    for (const t of h.aws.ecs.tasks()) {
      const dep = t.tags?.["porch:deployment"];
      if (dep) tasksPerDeployment.set(dep, (tasksPerDeployment.get(dep) ?? 0) + 1);
    }
    for (const id of ids) {
      expect(tasksPerDeployment.get(id), id).toBe(1);
      expect(starts.get(id), id).toBe(1);
    }
  }, 600_000);
});
