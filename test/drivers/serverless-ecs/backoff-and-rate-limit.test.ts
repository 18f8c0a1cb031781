import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError, TransientError } from "../../../src/errors/porch-error.js";
import { fullJitterDelay, retryWithinBudget } from "../../../src/drivers/serverless-ecs/backoff.js";
import { RateLimiters, TokenBucket } from "../../../src/drivers/serverless-ecs/rate-limiter.js";

describe("retryWithinBudget", () => {
  const policy = { budgetMs: 1_000, baseMs: 1, capMs: 2, now: Date.now, random: () => 0.5 };

  it("retries transient errors until success", async () => {
    let calls = 0;
    const out = await retryWithinBudget("op", async () => {
      calls++;
      if (calls < 3) throw new TransientError("busy", "busy");
      return "ok";
    }, policy);
    expect(out).toBe("ok");
    expect(calls).toBe(3);
  });

  it("fails at once on a user error", async () => {
    let calls = 0;
    await expect(
      retryWithinBudget("op", async () => {
        calls++;
        throw new ConfigError("fix it", "bad");
      }, policy),
    ).rejects.toMatchObject({ code: "bad", category: "user" });
    expect(calls).toBe(1);
  });

  it("gives up with the last transient error once the budget is spent", async () => {
    let clock = 0;
    const err = await retryWithinBudget("op", async () => {
      clock += 600;
      throw new TransientError("busy", "busy");
    }, { ...policy, now: () => clock, random: () => 0.99, baseMs: 10, capMs: 10 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ category: "transient", code: "busy" });
    expect((err as Error).message).toContain("gave up after 2 attempts");
  });

  it("does not count time queued in porch's own rate limiter against the budget", async () => {
    let clock = 0;
    let queued = 0;
    let calls = 0;
    const out = await retryWithinBudget(
      "op",
      async () => {
        calls++;
        // Each attempt first waits 10 s for a RunTask token, then meets a network blip once.
        clock += 10_000;
        queued += 10_000;
        if (calls < 2) throw new TransientError("ECONNRESET", "ecs_unavailable");
        return "ok";
      },
      { budgetMs: 1_000, baseMs: 1, capMs: 2, now: () => clock, random: () => 0.5, queuedMs: () => queued },
    );
    expect(out).toBe("ok");
    expect(calls).toBe(2);
  });

  it("full jitter stays below the exponential ceiling", () => {
    expect(fullJitterDelay(0, () => 0.999, 100, 5000)).toBeLessThan(100);
    expect(fullJitterDelay(3, () => 0.999, 100, 5000)).toBeLessThan(800);
    expect(fullJitterDelay(20, () => 0.999, 100, 5000)).toBeLessThan(5000);
    expect(fullJitterDelay(5, () => 0, 100, 5000)).toBe(0);
  });
});

describe("TokenBucket", () => {
  afterEach(() => vi.useRealTimers());

  it("serves a burst at once and queues the rest in order", async () => {
    vi.useFakeTimers();
    const bucket = new TokenBucket(10, 2, Date.now);
    const served: number[] = [];
    const all = [1, 2, 3, 4].map((n) => bucket.acquire().then(() => served.push(n)));
    await vi.advanceTimersByTimeAsync(0);
    expect(served).toEqual([1, 2]);
    expect(bucket.queued).toBe(2);
    await vi.advanceTimersByTimeAsync(100);
    expect(served).toEqual([1, 2, 3]);
    await vi.advanceTimersByTimeAsync(100);
    await Promise.all(all);
    expect(served).toEqual([1, 2, 3, 4]);
  });

  it("pause holds everyone back", async () => {
    vi.useFakeTimers();
    const bucket = new TokenBucket(1000, 5, Date.now);
    bucket.pause(500);
    let served = false;
    const p = bucket.acquire().then(() => (served = true));
    await vi.advanceTimersByTimeAsync(400);
    expect(served).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    await p;
    expect(served).toBe(true);
  });

  it("one bucket per account and region", () => {
    const limiters = new RateLimiters(20);
    expect(limiters.for("1", "eu-central-1")).toBe(limiters.for("1", "eu-central-1"));
    expect(limiters.for("1", "eu-central-1")).not.toBe(limiters.for("2", "eu-central-1"));
    expect(limiters.for("1", "eu-central-1")).not.toBe(limiters.for("1", "us-east-1"));
  });
});
