/** A token bucket: `burst` calls at once, refilled at `perSecond`. Null rate means unlimited. */
export class TokenBucket {
  private tokens = 0;
  private refilledAt = 0;
  private rate: { perSecond: number; burst: number } | null = null;

  constructor(rate: { perSecond: number; burst: number } | null | undefined) {
    this.setRate(rate ?? null);
  }

  setRate(rate: { perSecond: number; burst: number } | null): void {
    this.rate = rate;
    this.tokens = rate?.burst ?? 0;
    this.refilledAt = performance.now();
  }

  tryTake(): boolean {
    if (!this.rate) return true;
    const now = performance.now();
    this.tokens = Math.min(this.rate.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.rate.perSecond);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
