import { performance } from "node:perf_hooks";
import { afterEach, describe, expect, it } from "vitest";
import { InternalError } from "../../src/errors.js";
import { createHttpClient } from "../../src/sources/http.js";
import { createRateLimiter, type RateLimiter } from "../../src/sources/rate-limiter.js";
import { startTestServer, type TestServer } from "../helpers/http/http-server.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Server-side starts per second over a run: (n - 1) / (last - first). */
function achievedRate(times: readonly number[]): number {
  return ((times.length - 1) * 1000) / (times.at(-1)! - times[0]!);
}

/** The most starts seen in any window of `windowMs` beginning at a start. */
function maxInWindow(times: readonly number[], windowMs: number): number {
  return Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + windowMs).length));
}

describe("createRateLimiter", () => {
  it("pipelines: 60 requests at 20/s against a 200 ms server reach ≥ 95% of the limit, never above it", async () => {
    let concurrent = 0;
    let maxConcurrent = 0;
    server = await startTestServer(async () => {
      maxConcurrent = Math.max(maxConcurrent, ++concurrent);
      await new Promise((resolve) => setTimeout(resolve, 200));
      concurrent--;
      return { body: { ok: true } };
    });
    const limiter = createRateLimiter({ ratePerSecond: 20, maxInFlight: 8 });
    const starts: number[] = [];
    const recording: RateLimiter = {
      ...limiter,
      acquire: async () => {
        const release = await limiter.acquire();
        starts.push(performance.now());
        return release;
      },
    };
    const client = createHttpClient({ version: "0.1.0", limiter: recording });
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => client.getJson(`${server!.url}/w/${i}`)),
    );
    expect(results).toHaveLength(60);
    const times = server.requests.map((r) => r.at);
    const rate = achievedRate(times);
    expect(rate).toBeGreaterThanOrEqual(19);
    expect(rate).toBeLessThanOrEqual(20.5);
    // Client-side starts: at most one over the limit per second (timer lateness is caught up on the grid).
    expect(maxInWindow(starts, 1000)).toBeLessThanOrEqual(21);
    // Server-side arrival times also carry event-loop jitter (client and server share this process).
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(22);
    expect(maxConcurrent).toBeGreaterThan(1);
    expect(maxConcurrent).toBeLessThanOrEqual(8);
  });

  it("starts the first request at once and spaces the next ones evenly", async () => {
    const limiter = createRateLimiter({ ratePerSecond: 50 });
    const t0 = performance.now();
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, () => limiter.schedule(async () => starts.push(performance.now()))),
    );
    expect(starts[0]! - t0).toBeLessThan(15); // no wait for a first slot (an interval is 20.6 ms)
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(18);
  });

  it("never holds more than maxInFlight slots", async () => {
    const limiter = createRateLimiter({ ratePerSecond: 1000, maxInFlight: 2 });
    let peak = 0;
    const work = async () => {
      peak = Math.max(peak, limiter.inFlight);
      await new Promise((resolve) => setTimeout(resolve, 30));
    };
    await Promise.all(Array.from({ length: 6 }, () => limiter.schedule(work)));
    expect(peak).toBe(2);
    expect(limiter.inFlight).toBe(0);
  });

  it("slowDown halves the rate, down to a floor, and successes bring it back gradually", async () => {
    let clock = 0;
    const limiter = createRateLimiter({
      ratePerSecond: 20,
      minRatePerSecond: 4,
      pacing: 1,
      decrease: 0.5,
      now: () => clock,
    });
    limiter.slowDown();
    expect(limiter.currentRate).toBe(10);
    limiter.slowDown(); // within the cooldown: the same burst of 429s counts once
    expect(limiter.currentRate).toBe(10);
    for (const expected of [5, 4, 4]) {
      clock += 1000;
      limiter.slowDown();
      expect(limiter.currentRate).toBe(expected);
    }
    limiter.recordSuccess(); // still within the cooldown: ignored
    expect(limiter.currentRate).toBe(4);
    clock += 1000;
    limiter.recordSuccess();
    expect(limiter.currentRate).toBe(5);
    for (let i = 0; i < 30; i++) limiter.recordSuccess();
    expect(limiter.currentRate).toBe(20);
  });

  it("after slowDown the measured rate is half the limit", async () => {
    server = await startTestServer(() => ({ body: {} }));
    const limiter = createRateLimiter({ ratePerSecond: 40, pacing: 1, decrease: 0.5 });
    limiter.slowDown();
    const client = createHttpClient({ version: "0.1.0", limiter });
    // recordSuccess is ignored during the 1 s cooldown, so the whole run stays at 20/s.
    await Promise.all(Array.from({ length: 11 }, () => client.getJson(`${server!.url}/w`)));
    const rate = achievedRate(server.requests.map((r) => r.at));
    expect(rate).toBeGreaterThan(18);
    expect(rate).toBeLessThanOrEqual(20.5);
  });

  it("a 429 seen by the HTTP client slows its limiter down", async () => {
    server = await startTestServer([{ status: 429, headers: { "retry-after": "0" } }, { body: {} }]);
    const limiter = createRateLimiter({ ratePerSecond: 10, pacing: 1 });
    const client = createHttpClient({ version: "0.1.0", limiter, sleep: async () => {} });
    await client.getJson(`${server.url}/w`);
    expect(limiter.currentRate).toBe(8);
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(110);
  });

  it("paces 2% under the configured rate and backs off by 20% on a 429 by default", () => {
    const limiter = createRateLimiter({ ratePerSecond: 20, now: () => 0 });
    expect(limiter.currentRate).toBeCloseTo(19.6, 10);
    limiter.slowDown();
    expect(limiter.currentRate).toBeCloseTo(15.68, 10);
  });

  it("rejects a non-positive rate", () => {
    expect(() => createRateLimiter({ ratePerSecond: 0 })).toThrow(InternalError);
  });
});
