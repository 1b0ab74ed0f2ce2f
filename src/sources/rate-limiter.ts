import { performance } from "node:perf_hooks";
import { InternalError } from "../errors.js";

/** Options of {@link createRateLimiter}. */
export interface RateLimiterOptions {
  /** Configured (maximum) request starts per second. */
  ratePerSecond: number;
  /** Requests allowed in flight at once (pipelining); default 16. */
  maxInFlight?: number;
  /** Floor for `slowDown()`; default ratePerSecond / 16. */
  minRatePerSecond?: number;
  /** 429s arriving within this window after a slowDown count once; default 1000 ms. */
  slowDownCooldownMs?: number;
  /** Share of the configured rate actually paced (default 0.98), see PACING. */
  pacing?: number;
  /** Factor applied to the rate on a 429 (default 0.8), see DECREASE. */
  decrease?: number;
  /** Monotonic clock in ms; default performance.now. */
  now?: () => number;
}

/** A per-source limiter: evenly spaced starts, bounded in-flight requests, AIMD on 429s. */
export interface RateLimiter {
  /**
   * Wait for a start slot; call the returned function once the request has finished. An aborted
   * `signal` gives up the place in the queue and rejects with its reason (how Ctrl-C stops waiting).
   */
  acquire(signal?: AbortSignal): Promise<() => void>;
  /** Run `fn` in a slot and release it afterwards. */
  schedule<T>(fn: () => Promise<T>): Promise<T>;
  /** Lower the effective rate (×0.8 by default, not below the floor); call on a 429. */
  slowDown(): void;
  /** Record a success; outside the slowDown cooldown the rate recovers additively to the configured one. */
  recordSuccess(): void;
  /** The effective rate in requests per second. */
  readonly currentRate: number;
  /** Requests holding a slot right now. */
  readonly inFlight: number;
}

// Each success gives back this share of the configured rate: from half to full in 10 successes.
const RECOVERY_SHARE = 0.05;
// Servers count requests in sliding windows and arrival times jitter: pacing exactly at the limit
// draws 429s, each costing a retry and a slowdown. 2% under it stays within the ≥ 95% target.
const PACING = 0.98;
// The configured rate is the API's documented limit, so a 429 is mostly jitter: back off a little
// (repeated 429s still converge geometrically), instead of halving as for an unknown capacity.
const DECREASE = 0.8;
// A start this little behind schedule keeps the grid, so timer lateness does not lower the rate.
const GRID_SLACK = 0.1;

/** Create a limiter giving evenly spaced request starts at ≤ ratePerSecond; the first start is immediate. */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  if (!(options.ratePerSecond > 0) || !Number.isFinite(options.ratePerSecond)) {
    throw new InternalError(`ratePerSecond must be a positive number, got ${options.ratePerSecond}`);
  }
  const ratePerSecond = options.ratePerSecond * (options.pacing ?? PACING);
  const decrease = options.decrease ?? DECREASE;
  const maxInFlight = Math.max(1, options.maxInFlight ?? 16);
  const minRate = Math.min(ratePerSecond, options.minRatePerSecond ?? ratePerSecond / 16);
  const cooldownMs = options.slowDownCooldownMs ?? 1000;
  const now = options.now ?? (() => performance.now());

  const waiters: Array<(release: () => void) => void> = [];
  let rate = ratePerSecond;
  let inFlight = 0;
  let nextStart = Number.NEGATIVE_INFINITY;
  let lastSlowDown = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;

  const makeRelease = (): (() => void) => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      inFlight--;
      pump();
    };
  };

  // Starts queued requests whose time has come; the queue is FIFO, so a slowDown applies to all waiters.
  const pump = (): void => {
    while (waiters.length > 0 && inFlight < maxInFlight) {
      const t = now();
      if (t < nextStart) {
        if (timer === undefined) {
          timer = setTimeout(
            () => {
              timer = undefined;
              pump();
            },
            Math.max(1, Math.ceil(nextStart - t)),
          );
        }
        return;
      }
      const interval = 1000 / rate;
      nextStart = (t - nextStart <= interval * GRID_SLACK ? nextStart : t) + interval;
      inFlight++;
      waiters.shift()!(makeRelease());
    }
  };

  const limiter: RateLimiter = {
    acquire(signal) {
      return new Promise((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const onAbort = () => {
          const at = waiters.indexOf(waiter);
          if (at >= 0) waiters.splice(at, 1);
          // A timer for a start nobody waits for would keep the process alive after Ctrl-C.
          if (waiters.length === 0 && timer !== undefined) {
            clearTimeout(timer);
            timer = undefined;
          }
          reject(signal?.reason);
        };
        const waiter = (release: () => void) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(release);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        waiters.push(waiter);
        pump();
      });
    },
    async schedule(fn) {
      const release = await limiter.acquire();
      try {
        return await fn();
      } finally {
        release();
      }
    },
    slowDown() {
      const t = now();
      if (t - lastSlowDown < cooldownMs) return;
      lastSlowDown = t;
      const oldInterval = 1000 / rate;
      rate = Math.max(minRate, rate * decrease);
      // Push the already planned next start out to the new spacing.
      if (Number.isFinite(nextStart)) nextStart += 1000 / rate - oldInterval;
    },
    recordSuccess() {
      // Successes of requests that were already in flight at the last 429 say nothing new.
      if (now() - lastSlowDown < cooldownMs) return;
      rate = Math.min(ratePerSecond, rate + ratePerSecond * RECOVERY_SHARE);
    },
    get currentRate() {
      return rate;
    },
    get inFlight() {
      return inFlight;
    },
  };
  return limiter;
}
