/**
 * A token bucket that queues callers instead of rejecting them: AWS rate limits RunTask per account
 * and region, and a burst of deployments should wait its turn rather than collect ThrottlingExceptions.
 * Callers are served first come, first served.
 */
export class TokenBucket {
  private tokens: number;
  private lastRefill: number;
  private blockedUntil = 0;
  private readonly waiting: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError("ratePerSecond must be > 0");
    this.tokens = burst;
    this.lastRefill = now();
  }

  acquire(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.drain();
    });
  }

  /** AWS throttled us anyway (other clients share the account's limit): hold everyone back a while. */
  pause(ms: number): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
    this.blockedUntil = Math.max(this.blockedUntil, this.now() + ms);
  }

  get queued(): number {
    return this.waiting.length;
  }

  private refill(): void {
    const now = this.now();
    const from = Math.max(this.lastRefill, this.blockedUntil);
    if (now > from) this.tokens = Math.min(this.burst, this.tokens + ((now - from) * this.ratePerSecond) / 1000);
    this.lastRefill = Math.max(now, this.lastRefill);
  }

  private drain(): void {
    this.refill();
    while (this.waiting.length > 0 && this.tokens >= 1 && this.now() >= this.blockedUntil) {
      this.tokens -= 1;
      this.waiting.shift()!();
    }
    if (this.waiting.length > 0 && !this.timer) {
      const untilToken = Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond);
      const wait = Math.max(1, untilToken, this.blockedUntil - this.now());
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.drain();
      }, wait);
    }
  }
}

/** One bucket per key (account + region), shared by every runner that deploys into that account. */
export class RateLimiters {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst = Math.max(1, Math.ceil(ratePerSecond)),
    private readonly now: () => number = Date.now,
  ) {}

  for(accountId: string, region: string): TokenBucket {
    const key = `${accountId}/${region}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.ratePerSecond, this.burst, this.now);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }
}
