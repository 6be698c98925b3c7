/**
 * The per-client rate limit of a protected server: a token bucket per client address
 * (`RateLimit`: sustained rate and burst). A refused request answers `429` with `Retry-After`
 * (`RequestChecks.ts`).
 */
import type { RateLimit } from "./ProtectionPolicy.ts"

interface Bucket {
  tokens: number
  at: number
}

/** Token buckets by client; full buckets are forgotten, so memory follows the active clients. */
export class ClientRateLimiter {
  private readonly buckets = new Map<string, Bucket>()
  readonly limit: RateLimit
  private readonly now: () => number
  constructor(limit: RateLimit, now: () => number = () => performance.now()) {
    this.limit = limit
    this.now = now
  }

  /** Takes a token for `client`: 0 when allowed, else the seconds until one is available. */
  take(client: string): number {
    const now = this.now()
    if (this.buckets.size > 10_000) this.sweep(now)
    const bucket = this.buckets.get(client) ?? { tokens: this.limit.burst, at: now }
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond)
    bucket.at = now
    this.buckets.set(client, bucket)
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return 0
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.limit.perSecond))
  }

  private sweep(now: number) {
    for (const [client, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond >= this.limit.burst) {
        this.buckets.delete(client)
      }
    }
  }
}
