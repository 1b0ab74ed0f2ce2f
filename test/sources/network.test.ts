import { afterEach, describe, expect, it } from "vitest";
import { connectionFailureOf } from "../../src/sources/connection-failure.js";
import {
  type ConnectionFailure,
  createConnectionHealth,
  describeUnreachable,
} from "../../src/sources/connection-health.js";
import { createHttpClient, type HttpClientOptions, HttpError } from "../../src/sources/http.js";
import {
  bypassed,
  createNetwork,
  describeProxySettings,
  proxyFor,
  proxySettings,
  redactProxyUrl,
} from "../../src/sources/proxy.js";
import { startTestServer } from "../helpers/http/http-server.js";
import { closedPort, startDroppableLink, startForwardProxy } from "../helpers/http/net-tools.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** undici's fetch routed by cf's rule for these settings, closed after the test. */
function proxyFetch(settings: ReturnType<typeof proxySettings>) {
  const network = createNetwork(settings);
  cleanups.push(network.close);
  return network.fetch;
}

const FAILURE: ConnectionFailure = { host: "api.example.org", code: "ECONNREFUSED", description: "x" };

describe("connection health", () => {
  it("a source that never got an answer stops after its first 10 failed attempts", () => {
    let t = 0;
    const health = createConnectionHealth({ now: () => t });
    for (let i = 1; i < 10; i++) {
      t += 10;
      expect(health.recordFailure(t - 5, FAILURE)).toBeUndefined();
    }
    expect(health.recordFailure(t, FAILURE)).toBe(FAILURE);
    expect(health.stoppedBy).toBe(FAILURE);
  });

  it("a source that was answering stops after 30 s of connection failures only, not after 10", () => {
    let t = 0;
    const health = createConnectionHealth({ now: () => t });
    health.recordAnswer();
    for (let i = 0; i < 50; i++) expect(health.recordFailure(t, FAILURE)).toBeUndefined();
    t = 29_999;
    expect(health.recordFailure(t, FAILURE)).toBeUndefined();
    t = 30_000;
    expect(health.recordFailure(t, FAILURE)).toBe(FAILURE);
  });

  it("an answer within the window starts the count again (the network came back)", () => {
    let t = 0;
    const health = createConnectionHealth({ now: () => t });
    health.recordAnswer();
    health.recordFailure(0, FAILURE);
    t = 25_000;
    health.recordAnswer();
    t = 50_000;
    expect(health.recordFailure(40_000, FAILURE)).toBeUndefined();
    expect(health.recordFailure(0, FAILURE)).toBeUndefined();
    // The window runs from the first failure seen (t = 50 s).
    t = 79_000;
    expect(health.recordFailure(78_000, FAILURE)).toBeUndefined();
    t = 80_000;
    expect(health.recordFailure(79_000, FAILURE)).toBe(FAILURE);
  });

  it("counts every failed attempt by cause in plain words, those after the stop too", () => {
    const health = createConnectionHealth({ now: () => 0 });
    const refused = {
      host: "127.0.0.1:9",
      code: "ECONNREFUSED",
      description: "connection refused: ECONNREFUSED",
    };
    const dns = { host: "api.example.org", code: "ENOTFOUND", description: "DNS lookup failed: ENOTFOUND" };
    expect(health.failures()).toEqual({});
    for (let i = 0; i < 9; i++) health.recordFailure(0, refused);
    health.recordFailure(0, dns); // the 10th: the source stops
    expect(health.stoppedBy).toBe(dns);
    health.recordFailure(0, refused); // in flight when it stopped
    expect(health.failures()).toEqual({
      "cannot connect to 127.0.0.1:9 (connection refused: ECONNREFUSED)": 10,
      "cannot connect to api.example.org (DNS lookup failed: ENOTFOUND)": 1,
    });
    // A copy: the caller cannot change the counts.
    health.failures().x = 3;
    expect(Object.keys(health.failures())).toHaveLength(2);
  });

  it("a timeout that hung for the whole window does not stop the source alone: a retry after it must fail too", () => {
    let t = 0;
    const health = createConnectionHealth({ now: () => t });
    health.recordAnswer();
    // One attempt begun at 0 hung until its 30 s timeout (the network was down from 0 to 10 s).
    t = 30_000;
    expect(health.recordFailure(0, { ...FAILURE, code: "TIMEOUT" })).toBeUndefined();
    // The retry made at 31 s gets its answer: the source goes on.
    t = 31_000;
    health.recordAnswer();
    expect(health.stoppedBy).toBeUndefined();
    // A server that never answers: the next timeout, of an attempt begun after the first, stops it.
    t = 62_000;
    expect(health.recordFailure(31_000, { ...FAILURE, code: "TIMEOUT" })).toBeUndefined();
    t = 93_000;
    expect(health.recordFailure(62_000, { ...FAILURE, code: "TIMEOUT" })?.code).toBe("TIMEOUT");
  });
});

describe("connection failures in plain words", () => {
  const failureOf = async (url: string, init: RequestInit = {}) => {
    const error = await fetch(url, init).then(
      () => undefined,
      (e: unknown) => e,
    );
    return connectionFailureOf(error, url, undefined, 30_000);
  };

  it("names the host and the cause: DNS, refused port", async () => {
    expect(await failureOf("http://api.openalex.invalid/works")).toEqual({
      host: "api.openalex.invalid",
      code: "ENOTFOUND",
      description: "DNS lookup failed: ENOTFOUND",
      unsent: true,
    });
    const port = await closedPort();
    expect(await failureOf(`http://127.0.0.1:${port}/works`)).toMatchObject({
      host: `127.0.0.1:${port}`,
      code: "ECONNREFUSED",
      description: "connection refused: ECONNREFUSED",
    });
    expect(
      describeUnreachable({
        host: "api.openalex.org",
        code: "ENOTFOUND",
        description: "DNS lookup failed: ENOTFOUND",
      }),
    ).toBe("cannot connect to api.openalex.org (DNS lookup failed: ENOTFOUND)");
  });

  it("names a TLS failure (https to a server speaking plain HTTP)", async () => {
    const server = await startTestServer([{ body: {} }]);
    cleanups.push(() => server.close());
    const failure = await failureOf(server.url.replace("http:", "https:"));
    expect(failure?.description).toMatch(/^TLS failure: /);
  });

  it("says a server whose answer is not HTTP answered, and a certificate error stops at once", async () => {
    const { createServer } = await import("node:net");
    const garbage = createServer((socket) => {
      socket.on("error", () => {});
      socket.once("data", () => socket.end("SSH-2.0-OpenSSH_8.9 garbage\r\n\u0000\u0001"));
    });
    await new Promise<void>((resolve) => garbage.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise<void>((resolve) => garbage.close(() => resolve())));
    const port = (garbage.address() as { port: number }).port;
    const client = createHttpClient({
      version: "0",
      health: createConnectionHealth(),
      sleep: async () => {},
    });
    const error = (await client.getJson(`http://127.0.0.1:${port}/x`).catch((e: unknown) => e)) as HttpError;
    expect(error.kind).toBe("unreachable");
    expect(error.message).toMatch(
      new RegExp(`no usable answer from 127\\.0\\.0\\.1:${port} \\(its answer is not HTTP: HPE_`),
    );
    const cert = Object.assign(new TypeError("fetch failed"), {
      cause: Object.assign(new Error("self-signed certificate"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" }),
    });
    const failure = connectionFailureOf(cert, "https://api.example.org/x", undefined, 1000);
    expect(failure).toMatchObject({
      final: true,
      description: "TLS certificate refused: DEPTH_ZERO_SELF_SIGNED_CERT",
    });
    const health = createConnectionHealth();
    expect(health.recordFailure(Date.now(), failure!)).toBe(failure);
  });

  it("names a timeout as no answer", async () => {
    const error = new DOMException("The operation was aborted due to timeout", "TimeoutError");
    expect(
      connectionFailureOf(error, "https://api.semanticscholar.org/graph/v1/x", undefined, 30_000),
    ).toEqual({
      host: "api.semanticscholar.org",
      code: "TIMEOUT",
      description: "no answer within 30 s",
    });
  });
});

describe("HTTP client with a reachability tracker", () => {
  const fast: Partial<HttpClientOptions> = { sleep: async () => {}, random: () => 0.5, maxAttempts: 3 };

  it("a refused port stops with `unreachable` after 10 attempts, naming host and cause", async () => {
    const port = await closedPort();
    const health = createConnectionHealth();
    const client = createHttpClient({ version: "0", health, ...fast });
    const error = await client.getJson(`http://127.0.0.1:${port}/works`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).kind).toBe("unreachable");
    expect((error as HttpError).message).toContain(
      `cannot connect to 127.0.0.1:${port} (connection refused: ECONNREFUSED)`,
    );
    // Later requests of the source stop at once.
    const again = await client.getJson(`http://127.0.0.1:${port}/other`).catch((e: unknown) => e);
    expect((again as HttpError).kind).toBe("unreachable");
  });

  it("without a tracker, a refused port is a transient failure after maxAttempts (unchanged)", async () => {
    const port = await closedPort();
    const client = createHttpClient({ version: "0", ...fast });
    const error = (await client
      .getJson(`http://127.0.0.1:${port}/works`)
      .catch((e: unknown) => e)) as HttpError;
    expect([error.kind, error.connection?.code]).toEqual(["transient", "ECONNREFUSED"]);
  });

  it("rides out a link that is down for a while: connection failures do not use up the attempts", async () => {
    const server = await startTestServer(() => ({ body: { ok: 1 } }));
    cleanups.push(() => server.close());
    const link = await startDroppableLink(Number(new URL(server.url).port));
    cleanups.push(() => link.close());
    const health = createConnectionHealth();
    let failures = 0;
    const client = createHttpClient({
      version: "0",
      health,
      maxAttempts: 2,
      baseDelayMs: 50,
      onEvent: (e) => {
        if (e.type === "retry") failures += 1;
      },
    });
    expect(await client.getJson(`${link.url}/a`)).toEqual({ ok: 1 });
    await link.down();
    setTimeout(() => void link.up(), 1500);
    expect(await client.getJson(`${link.url}/b`)).toEqual({ ok: 1 });
    expect(failures).toBeGreaterThan(2); // more than maxAttempts, and still no failure
    expect(health.stoppedBy).toBeUndefined();
  });

  for (const [what, step, words] of [
    ["stalls after the headers", { kind: "stall" }, /the answer stopped: not complete within 300 ms/],
    ["closes mid-body", { kind: "truncate", body: '{"resu', declaredLength: 1000 }, /the answer was cut off/],
  ] as const) {
    it(`a server whose answer ${what} is no answer: it counts toward stopping the source, not against the paper`, async () => {
      const server = await startTestServer(() => step);
      cleanups.push(() => server.close());
      const client = createHttpClient({
        version: "0",
        timeoutMs: 300,
        health: createConnectionHealth({ firstAttempts: 3 }),
        sleep: async () => {},
      });
      const error = (await client.getJson(`${server.url}/works`).catch((e: unknown) => e)) as HttpError;
      expect(error.kind).toBe("unreachable");
      expect(error.message).toMatch(words);
      expect(server.requests).toHaveLength(3);
    });
  }

  it("a request that waited for its slot while the source stopped sends nothing", async () => {
    const { createRateLimiter } = await import("../../src/sources/rate-limiter.js");
    let fetches = 0;
    const client = createHttpClient({
      version: "0",
      health: createConnectionHealth({ firstAttempts: 1 }),
      limiter: createRateLimiter({ ratePerSecond: 5 }),
      sleep: async () => {},
      fetch: async () => {
        fetches += 1;
        throw new TypeError("fetch failed", {
          cause: Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" }),
        });
      },
    });
    const both = await Promise.all(
      ["a", "b"].map((p) => client.getJson(`http://dead.invalid/${p}`).catch((e: unknown) => e as HttpError)),
    );
    expect(both.map((e) => (e as HttpError).kind)).toEqual(["unreachable", "unreachable"]);
    expect(fetches).toBe(1);
  });

  it("Ctrl-C ends a backoff wait at once", async () => {
    const port = await closedPort();
    const stop = new AbortController();
    const client = createHttpClient({ version: "0", health: createConnectionHealth(), baseDelayMs: 60_000 });
    const started = Date.now();
    const pending = client.getJson(`http://127.0.0.1:${port}/works`, { stopSignal: stop.signal });
    setTimeout(() => stop.abort(new Error("stop")), 200);
    await expect(pending).rejects.toThrow("stop");
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe("proxies from the environment", () => {
  it("reads HTTPS_PROXY/HTTP_PROXY/NO_PROXY, lower case first, and redacts credentials", () => {
    const settings = proxySettings({
      HTTPS_PROXY: "http://user:pw@proxy.campus.edu:3128",
      http_proxy: "http://lower:8080",
      HTTP_PROXY: "http://upper:8080",
      NO_PROXY: "localhost,.internal.org",
    });
    expect(settings).toEqual({
      httpsProxy: "http://user:pw@proxy.campus.edu:3128",
      httpProxy: "http://lower:8080",
      noProxy: "localhost,.internal.org",
    });
    expect(redactProxyUrl("http://user:pw@proxy.campus.edu:3128")).toBe("http://***@proxy.campus.edu:3128");
    expect(describeProxySettings(settings)).toBe(
      "proxy: https via http://***@proxy.campus.edu:3128; http via http://lower:8080; not for localhost,.internal.org",
    );
    expect(proxyFor("https://api.openalex.org/works", settings)).toBe(settings.httpsProxy);
    expect(proxyFor("https://db.internal.org/x", settings)).toBeUndefined();
    expect(proxyFor("http://localhost:8080/x", settings)).toBeUndefined();
    expect(
      proxyFor("https://x.org", proxySettings({ NO_PROXY: "*", HTTPS_PROXY: "http://p:1" })),
    ).toBeUndefined();
    expect(describeProxySettings(proxySettings({}))).toBeUndefined();
  });

  it("reads NO_PROXY as curl does: domain suffixes either way, CIDR, host:port, *, IPv6", () => {
    const by = (target: string, noProxy: string) => bypassed(new URL(target), noProxy);
    expect(by("https://api.example.test/x", "example.test")).toBe(true);
    expect(by("https://example.test/x", ".example.test")).toBe(true);
    expect(by("https://api.example.test/x", "*.example.test")).toBe(true);
    expect(by("https://badexample.test/x", "example.test")).toBe(false);
    expect(by("http://127.0.0.1:8080/x", "127.0.0.0/8")).toBe(true);
    expect(by("http://128.0.0.1:8080/x", "127.0.0.0/8")).toBe(false);
    expect(by("http://10.1.2.3/x", "192.168.0.0/16 10.0.0.0/8")).toBe(true);
    expect(by("http://127.0.0.1:8080/x", "127.0.0.1:8080")).toBe(true);
    expect(by("http://127.0.0.1:8081/x", "127.0.0.1:8080")).toBe(false);
    expect(by("https://host.test/x", "other.test, host.test")).toBe(true);
    expect(by("https://host.test/x", "*")).toBe(true);
    expect(by("http://[::1]:9/x", "::1")).toBe(true);
    expect(by("http://[::1]:9/x", "[::1]:9")).toBe(true);
    expect(by("http://[::1]:9/x", "[::1]:10")).toBe(false);
    expect(by("http://[0:0:0:0:0:0:0:1]/x", "::1/128")).toBe(true);
    expect(by("http://[fd00::5]/x", "fd00::/8")).toBe(true);
    expect(by("http://[fe00::5]/x", "fd00::/8")).toBe(false);
  });

  it("accepts a proxy without a scheme as http, and refuses an unusable one naming the variable, never the value", () => {
    expect(proxySettings({ HTTP_PROXY: "127.0.0.1:19200" }).httpProxy).toBe("http://127.0.0.1:19200");
    expect(proxySettings({ https_proxy: "localhost:3128" }).httpsProxy).toBe("http://localhost:3128");
    const bad = (() => {
      try {
        proxySettings({ https_proxy: "http://al ice:s3cret@[bad" });
      } catch (error) {
        return error as Error & { exitCode?: number };
      }
      return undefined;
    })();
    expect(bad?.exitCode).toBe(2);
    expect(bad?.message).toContain("https_proxy");
    expect(bad?.message).not.toContain("s3cret");
    expect(() => proxySettings({ HTTP_PROXY: "socks5://127.0.0.1:1080" })).toThrow(/HTTP_PROXY.*socks5/);
    expect(redactProxyUrl("http://alice:s3cret@proxy:3128")).toBe("http://***@proxy:3128");
    expect(redactProxyUrl("http://token@proxy:3128")).toBe("http://***@proxy:3128");
    expect(redactProxyUrl("http://proxy:3128")).toBe("http://proxy:3128");
  });

  it("sends http targets as absolute-URI requests (no CONNECT) through a proxy that refuses CONNECT", async () => {
    const server = await startTestServer(() => ({ body: { ok: 1 } }));
    cleanups.push(() => server.close());
    const proxy = await startForwardProxy({ refuseConnect: true });
    cleanups.push(() => proxy.close());
    const client = createHttpClient({
      version: "0",
      fetch: proxyFetch(proxySettings({ HTTP_PROXY: proxy.url }))!,
    });
    expect(await client.getJson(`${server.url}/works`)).toEqual({ ok: 1 });
    expect(proxy.requests).toEqual([{ method: "GET", target: `${server.url}/works` }]);
  });

  it("sends every request through the proxy, and NO_PROXY bypasses it", async () => {
    const server = await startTestServer(() => ({ body: { ok: 1 } }));
    cleanups.push(() => server.close());
    const proxy = await startForwardProxy();
    cleanups.push(() => proxy.close());
    const port = new URL(server.url).port;
    const viaProxy = await proxyFetch(proxySettings({ HTTP_PROXY: proxy.url }));
    const client = createHttpClient({ version: "0", ...(viaProxy ? { fetch: viaProxy } : {}) });
    expect(await client.getJson(`${server.url}/works`)).toEqual({ ok: 1 });
    expect(proxy.requests.map((r) => r.target)).toEqual([
      expect.stringMatching(new RegExp(`^(127\\.0\\.0\\.1:${port}|http://127\\.0\\.0\\.1:${port}/works)$`)),
    ]);
    const bypass = await proxyFetch(proxySettings({ HTTP_PROXY: proxy.url, NO_PROXY: "127.0.0.1" }));
    const direct = createHttpClient({ version: "0", ...(bypass ? { fetch: bypass } : {}) });
    expect(await direct.getJson(`${server.url}/works`)).toEqual({ ok: 1 });
    expect(proxy.requests).toHaveLength(1);
  });

  it("a proxy that refuses connections is named as the failing host", async () => {
    const port = await closedPort();
    const settings = proxySettings({ HTTP_PROXY: `http://user:secret@127.0.0.1:${port}` });
    const viaProxy = await proxyFetch(settings);
    const client = createHttpClient({
      version: "0",
      health: createConnectionHealth(),
      proxy: settings,
      sleep: async () => {},
      ...(viaProxy ? { fetch: viaProxy } : {}),
    });
    const error = (await client
      .getJson("http://api.openalex.org/works")
      .catch((e: unknown) => e)) as HttpError;
    expect(error.kind).toBe("unreachable");
    expect(error.message).toContain(
      `cannot connect to 127.0.0.1:${port} (proxy connection refused: ECONNREFUSED)`,
    );
    expect(error.message).not.toContain("secret");
  });

  it("a proxy that demands credentials (407) is named with its answer", async () => {
    const proxy = await startForwardProxy({ requireAuth: "Basic dTpw" });
    cleanups.push(() => proxy.close());
    const server = await startTestServer(() => ({ body: { ok: 1 } }));
    cleanups.push(() => server.close());
    const settings = proxySettings({ HTTP_PROXY: proxy.url });
    const viaProxy = await proxyFetch(settings);
    const client = createHttpClient({
      version: "0",
      health: createConnectionHealth(),
      proxy: settings,
      sleep: async () => {},
      ...(viaProxy ? { fetch: viaProxy } : {}),
    });
    const error = (await client.getJson(`${server.url}/works`).catch((e: unknown) => e)) as HttpError;
    expect(error.kind).toBe("unreachable");
    expect(error.message).toMatch(/cannot connect to 127\.0\.0\.1:\d+ \(the proxy answered HTTP 407/);
    // Retrying cannot bring credentials: the source stops at the first 407.
    expect(proxy.requests).toHaveLength(1);
  });
});

describe("rate limiter waits end at Ctrl-C", () => {
  it("an aborted acquire gives up its place and rejects with the signal's reason", async () => {
    const { createRateLimiter } = await import("../../src/sources/rate-limiter.js");
    const limiter = createRateLimiter({ ratePerSecond: 0.05 });
    const first = await limiter.acquire();
    first();
    const stop = new AbortController();
    const waiting = limiter.acquire(stop.signal);
    stop.abort(new Error("interrupted"));
    await expect(waiting).rejects.toThrow("interrupted");
    await expect(limiter.acquire(stop.signal)).rejects.toThrow("interrupted");
  });
});
