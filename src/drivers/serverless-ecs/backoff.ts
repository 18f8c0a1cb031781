import { PorchError, TransientError, toPorchError } from "../../errors/porch-error.js";

export interface BackoffPolicy {
  /** Total time retries may take before the last transient error is returned to the caller. */
  budgetMs: number;
  /** @default 100 */
  baseMs?: number;
  /** @default 5000 */
  capMs?: number;
  now: () => number;
  random: () => number;
  /**
   * Time spent waiting in porch's own queue (the RunTask rate limiter) so far: it does not count against
   * the budget, or a large burst would fail deployments that never got a chance to call AWS.
   */
  queuedMs?: () => number;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** "Full jitter": a uniform delay up to the exponential ceiling, so many retrying callers spread out. */
export function fullJitterDelay(attempt: number, random: () => number, baseMs = 100, capMs = 5000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/**
 * Runs `attempt` until it succeeds, throws a non-transient error, or the budget is spent. Whether to
 * retry is decided by the error's category alone: `attempt` must throw PorchErrors that say so.
 */
export async function retryWithinBudget<T>(
  what: string,
  attempt: (n: number) => Promise<T>,
  policy: BackoffPolicy,
  onRetry?: (err: PorchError, delayMs: number, n: number) => void,
): Promise<T> {
  const deadline = policy.now() + policy.budgetMs;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (thrown) {
      const err = toPorchError(thrown);
      if (!err.retryable) throw err;
      const delay = fullJitterDelay(n - 1, policy.random, policy.baseMs, policy.capMs);
      if (policy.now() - (policy.queuedMs?.() ?? 0) + delay > deadline) {
        throw new TransientError(`${err.message} (${what}: gave up after ${n} attempt${n === 1 ? "" : "s"})`, err.code, err);
      }
      onRetry?.(err, delay, n);
      await sleep(delay);
    }
  }
}
