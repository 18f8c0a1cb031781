import { afterEach, describe, expect, it } from "vitest";
import { dispatchRequest, startHarness, type Harness } from "./support/harness.js";

let h: Harness;
afterEach(async () => h?.close());

describe("RunTask rate limiting", () => {
  it("1,000 deployments at once against a throttling ECS: none fails, none starts twice", async () => {
    h = await startHarness({
      // Tasks stay PROVISIONING and nothing polls: this test is about RunTask alone.
      ecs: { runTaskRate: { perSecond: 2_000, burst: 100 }, timings: { provisioningMs: 60_000 } },
      driver: { runTaskRatePerSecond: 4_000, retryBudgetMs: 20_000, retryBaseMs: 5, pollFastMs: 60_000 },
    });
    // Other clients of the account used up its RunTask budget: ECS throttles hard until porch has
    // been refused a few dozen times.
    h.aws.ecs.setRunTaskRate({ perSecond: 1, burst: 1 });
    const relax = setInterval(() => {
      if (h.callsOf("RunTask").filter((c) => c.error === "ThrottlingException").length < 30) return;
      h.aws.ecs.setRunTaskRate({ perSecond: 2_000, burst: 100 });
      clearInterval(relax);
    }, 5);

    const ids = Array.from({ length: 1_000 }, (_, i) => `bulk-${i}`);
    const results = await Promise.allSettled(ids.map((id) => h.driver.dispatch(dispatchRequest(id))));
    clearInterval(relax);

    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    const tasks = h.aws.ecs.tasks();
    expect(tasks).toHaveLength(1_000);
    expect(new Set(tasks.map((t) => t.startedBy)).size).toBe(1_000);
    const throttled = h.callsOf("RunTask").filter((c) => c.error === "ThrottlingException").length;
    expect(throttled).toBeGreaterThan(0);
    // stats() counts every attempt porch sent, including any lost on the way under load.
    expect(h.driver.stats()["ecs:RunTask"]).toBeGreaterThanOrEqual(1_000 + throttled);
  });

  it("porch's token bucket queues a burst so that ECS never throttles it", async () => {
    // porch's bucket (40/s, burst 5) is stricter than the account's (60/s, burst 10); without it the
    // 60 concurrent dispatches would exceed the account's burst at once.
    h = await startHarness({
      ecs: { runTaskRate: { perSecond: 60, burst: 10 }, timings: { provisioningMs: 60_000 } },
      driver: { runTaskRatePerSecond: 40, runTaskBurst: 5, pollFastMs: 60_000 },
    });
    const ids = Array.from({ length: 60 }, (_, i) => `q-${i}`);
    await Promise.all(ids.map((id) => h.driver.dispatch(dispatchRequest(id))));
    expect(h.callsOf("RunTask").filter((c) => c.error === "ThrottlingException")).toEqual([]);
    expect(h.aws.ecs.tasks()).toHaveLength(60);
  });
});
