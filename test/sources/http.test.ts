import { afterEach, describe, expect, it } from "vitest";
import {
  createHttpClient,
  type HttpClientOptions,
  HttpError,
  type HttpEvent,
  redactUrl,
} from "../../src/sources/http.js";
import {
  type Script,
  startEndlessServer,
  startTestServer,
  type TestServer,
} from "../helpers/http/http-server.js";

// Real bodies: the OpenAlex 404 (paper-qa cassette, 2025-11-04) and an S2 429 (SakanaAI/AI-Scientist#84).
const OPENALEX_404_HTML = `<!doctype html>
<html lang=en>
<title>404 Not Found</title>
<h1>Not Found</h1>
<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>
`;
const S2_429 = {
  message:
    "Too Many Requests. Please wait and try again or apply for a key for higher rate limits. https://www.semanticscholar.org/product/api#api-key-form",
  code: "429",
};
const HTML = { "content-type": "text/html; charset=utf-8" };
const KEY = "SECRET-KEY-123";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(script: Script, options: Partial<HttpClientOptions> = {}) {
  server = await startTestServer(script);
  const events: HttpEvent[] = [];
  const sleeps: number[] = [];
  const client = createHttpClient({
    version: "0.1.0",
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    onEvent: (e) => events.push(e),
    ...options,
  });
  return { client, events, sleeps, url: `${server.url}/works`, log: server.requests };
}

async function failure(promise: Promise<unknown>): Promise<HttpError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpError);
  return error as HttpError;
}

describe("createHttpClient: success and retries", () => {
  it("GETs JSON with the cf User-Agent and Accept header", async () => {
    const { client, url, log, events } = await setup([{ body: { results: [1, 2] } }]);
    expect(await client.getJson(url, { query: { per_page: 100 } })).toEqual({ results: [1, 2] });
    expect(log[0]?.headers["user-agent"]).toBe("cf/0.1.0 (+https://github.com/cf)");
    expect(log[0]?.headers.accept).toBe("application/json");
    expect(log[0]?.url).toBe("/works?per_page=100");
    expect(events.map((e) => e.type)).toEqual(["response"]);
  });

  it("POSTs a JSON body and returns status and headers from requestJson", async () => {
    const { client, url, log } = await setup([
      { body: [null, { paperId: "a" }], headers: { "x-ratelimit-remaining": "9" } },
    ]);
    const res = await client.requestJson("POST", url, { body: { ids: ["x", "y"] } });
    expect(res.data).toEqual([null, { paperId: "a" }]);
    expect(res.headers.get("x-ratelimit-remaining")).toBe("9");
    expect(log[0]?.method).toBe("POST");
    expect(log[0]?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(log[0]?.body ?? "")).toEqual({ ids: ["x", "y"] });
  });

  it("honours Retry-After: 1 on a 429 (real sleep, gap measured on the server)", async () => {
    const { client, url, log } = await setup(
      [{ status: 429, body: S2_429, headers: { "retry-after": "1" } }, { body: {} }],
      {
        sleep: undefined,
        random: () => 0,
      },
    );
    expect(await client.getJson(url)).toEqual({});
    expect(log).toHaveLength(2);
    expect(log[1]!.at - log[0]!.at).toBeGreaterThanOrEqual(1000);
  });

  it("honours Retry-After as an HTTP-date", async () => {
    const now = Date.parse("2026-03-01T12:00:00Z");
    const retryAt = new Date(now + 7000).toUTCString();
    const { client, url, sleeps } = await setup(
      [{ status: 429, headers: { "retry-after": retryAt } }, { body: {} }],
      {
        now: () => now,
      },
    );
    await client.getJson(url);
    expect(sleeps).toEqual([7000]);
  });

  it.each<[string, Script, RegExp]>([
    [
      "429 with an HTML body",
      [{ status: 429, headers: HTML, body: "<html><body>Too many</body></html>" }, { body: { ok: 1 } }],
      /HTTP 429 <html><body>Too many/,
    ],
    ["503", [{ status: 503, body: { error: "busy" } }, { body: { ok: 1 } }], /HTTP 503 busy/],
    [
      "a connection reset",
      [{ kind: "reset" }, { body: { ok: 1 } }],
      /connection closed by the other side: UND_ERR_SOCKET/,
    ],
    [
      "a body shorter than Content-Length",
      [{ kind: "truncate", body: '{"ok":', declaredLength: 500 }, { body: { ok: 1 } }],
      /no usable answer from .*the answer was cut off/,
    ],
    [
      "chunked JSON that ends early",
      [{ headers: { "content-type": "application/json" }, body: '{"ok":[1,2' }, { body: { ok: 1 } }],
      /JSON body ended early/,
    ],
    ["a hang past the timeout", [{ kind: "hang" }, { body: { ok: 1 } }], /no answer within 300 ms/],
  ])("retries %s, then succeeds", async (_name, script, message) => {
    const { client, url, log, events, sleeps } = await setup(script, { timeoutMs: 300 });
    expect(await client.getJson(url)).toEqual({ ok: 1 });
    expect(log).toHaveLength(2);
    const retry = events.find((e) => e.type === "retry");
    expect(retry).toMatchObject({ kind: "transient", attempt: 1 });
    expect(retry?.message).toMatch(message);
    expect(sleeps).toEqual([250]); // full jitter: 0.5 × 500 ms
  });

  it("retries a refused connection, then gives up with a transient error", async () => {
    const { client, url, sleeps } = await setup([]);
    await server?.close();
    const error = await failure(client.getJson(url));
    expect(error.kind).toBe("transient");
    expect(error.message).toContain("ECONNREFUSED");
    expect(sleeps).toHaveLength(4);
  });

  it("gives up after maxAttempts with a transient error; delays grow exponentially up to the cap", async () => {
    const script = Array.from({ length: 6 }, () => ({ status: 502, body: { error: "bad gateway" } }));
    const { client, url, log, sleeps, events } = await setup(script, { random: () => 1, maxDelayMs: 1500 });
    const error = await failure(client.getJson(url));
    expect(error).toMatchObject({ kind: "transient", status: 502 });
    expect(log).toHaveLength(5);
    expect(sleeps).toEqual([500, 1000, 1500, 1500]);
    expect(events.at(-1)).toMatchObject({ type: "error", attempt: 5, kind: "transient" });
  });

  it("honours maxAttempts", async () => {
    const { client, url, log } = await setup([{ status: 500 }, { status: 500 }, { body: {} }], {
      maxAttempts: 2,
    });
    expect((await failure(client.getJson(url))).kind).toBe("transient");
    expect(log).toHaveLength(2);
  });
});

describe("createHttpClient: classification", () => {
  it.each<[number, string]>([
    [400, "permanent"],
    [422, "permanent"],
    [401, "auth"],
    [403, "auth"],
    [404, "not_found"],
  ])("HTTP %i is %s and never retried", async (status, kind) => {
    const body = { error: "Unrecognized or unsupported fields: [unknown]" };
    const { client, url, log } = await setup([{ status, body }, { body: {} }]);
    const error = await failure(client.getJson(url));
    expect(error).toMatchObject({ kind, status, excerpt: JSON.stringify(body) });
    expect(error.message).toContain("Unrecognized or unsupported fields");
    expect(log).toHaveLength(1);
  });

  it("retries a 403 as a throttle when forbiddenIsThrottle is set (OpenAlex)", async () => {
    const forbidden = {
      status: 403,
      body: { error: "Forbidden", message: "rate limit exceeded; slow down" },
    };
    const { client, url, log } = await setup([forbidden, { body: { ok: true } }], {
      forbiddenIsThrottle: true,
    });
    expect(await client.getJson(url)).toEqual({ ok: true });
    expect(log).toHaveLength(2);
  });

  it("turns the HTML 404 into not_found with a short excerpt", async () => {
    const { client, url } = await setup([{ status: 404, headers: HTML, body: OPENALEX_404_HTML }]);
    const error = await failure(client.getJson(url));
    expect(error.kind).toBe("not_found");
    expect(error.excerpt).toMatch(/^<!doctype html> <html lang=en> <title>404 Not Found<\/title>/);
    expect(error.excerpt!.length).toBeLessThanOrEqual(200);
  });

  it("rejects an HTML 200 as permanent, with an excerpt", async () => {
    const { client, url, log } = await setup([{ headers: HTML, body: `<html>${"x".repeat(500)}</html>` }]);
    const error = await failure(client.getJson(url));
    expect(error).toMatchObject({ kind: "permanent", status: 200 });
    expect(error.message).toContain("expected JSON, got text/html");
    expect(error.excerpt!.length).toBe(200);
    expect(log).toHaveLength(1);
  });

  it("rejects complete but invalid JSON as permanent", async () => {
    const { client, url } = await setup([
      { headers: { "content-type": "application/json" }, body: '{"a":1}}' },
    ]);
    expect((await failure(client.getJson(url))).kind).toBe("permanent");
  });

  it("treats a 429 whose Retry-After runs to midnight UTC as budget_exhausted, not retried", async () => {
    const now = Date.parse("2026-03-01T23:30:00Z");
    const { client, url, log } = await setup([{ status: 429, headers: { "retry-after": "1790" } }], {
      now: () => now,
    });
    const error = await failure(client.getJson(url));
    expect(error).toMatchObject({ kind: "budget_exhausted", status: 429, retryAfterMs: 1_790_000 });
    expect(error.resetsAt?.toISOString()).toBe("2026-03-01T23:59:50.000Z");
    expect(log).toHaveLength(1);
  });

  it("treats a 429 with Retry-After over an hour as budget_exhausted", async () => {
    const body = { error: "Rate limit exceeded", message: "Insufficient budget.", retryAfter: 57505 };
    const { client, url } = await setup([{ status: 429, headers: { "retry-after": "57505" }, body }]);
    expect((await failure(client.getJson(url))).kind).toBe("budget_exhausted");
  });

  it("treats X-RateLimit-Remaining < X-RateLimit-Credits-Required as budget_exhausted until midnight", async () => {
    const now = Date.parse("2026-03-01T08:00:00Z");
    const headers = {
      "x-ratelimit-limit": "10000",
      "x-ratelimit-remaining": "3",
      "x-ratelimit-credits-required": "10",
    };
    const { client, url, log } = await setup(
      [{ status: 429, headers, body: { error: "Rate limit exceeded" } }],
      {
        now: () => now,
      },
    );
    const error = await failure(client.getJson(url));
    expect(error.kind).toBe("budget_exhausted");
    expect(error.resetsAt?.toISOString()).toBe("2026-03-02T00:00:00.000Z");
    expect(log).toHaveLength(1);
  });

  it("keeps a short per-second 429 transient, even just before midnight", async () => {
    const now = Date.parse("2026-03-01T23:59:30Z");
    const headers = { "retry-after": "1", "x-ratelimit-limit": "10000", "x-ratelimit-remaining": "9000" };
    const { client, url, sleeps } = await setup([{ status: 429, headers }, { body: {} }], { now: () => now });
    expect(await client.getJson(url)).toEqual({});
    expect(sleeps).toEqual([1000]);
  });

  it("stops waiting for a backoff when the caller's signal aborts", async () => {
    const controller = new AbortController();
    const { client, url, log } = await setup([{ status: 503, headers: { "retry-after": "30" } }], {
      sleep: undefined,
    });
    setTimeout(() => controller.abort(new Error("cancelled")), 100);
    await expect(client.getJson(url, { signal: controller.signal })).rejects.toThrow("cancelled");
    expect(log).toHaveLength(1);
  });

  it("rejects an unparsable URL as permanent without a request", async () => {
    const { client } = await setup([]);
    const error = await failure(client.getJson(`http://[bad?api_key=${KEY}`));
    expect(error.kind).toBe("permanent");
    expect(error.message).not.toContain(KEY);
  });

  it("stops at once when the caller's signal aborts", async () => {
    const controller = new AbortController();
    const { client, url } = await setup([{ kind: "hang" }]);
    const pending = client.getJson(url, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("cancelled")), 50);
    await expect(pending).rejects.toThrow("cancelled");
  });
});

describe("createHttpClient: secrets", () => {
  it("sends the key but never shows it in errors, urls or events", async () => {
    const echo = { error: `Invalid or missing API key ${KEY}` };
    const { client, url, log, events } = await setup(
      [{ status: 503 }, { kind: "reset" }, { status: 401, body: echo }],
      {
        query: { api_key: KEY },
        headers: { "x-api-key": KEY },
      },
    );
    const error = await failure(client.getJson(`${url}?filter=doi:10.1/x&mailto=me@example.org`));
    expect(error.kind).toBe("auth");
    expect(log[0]?.url).toContain(`api_key=${KEY}`);
    expect(log[0]?.headers["x-api-key"]).toBe(KEY);
    expect(error.url).toBe(`${url}?filter=doi:10.1/x&mailto=***&api_key=***`);
    for (const text of [error.message, error.url, error.excerpt, error.stack, JSON.stringify(events)]) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain("me@example.org");
    }
    expect(events.filter((e) => e.type === "retry")).toHaveLength(2);
  });

  it("redactUrl hides key, api_key, mailto and e-mail values only", () => {
    expect(redactUrl("https://x.org/w?key=a&api-key=b&q=Recall@k&who=a%40b.org&page=2#f")).toBe(
      "https://x.org/w?key=***&api-key=***&q=Recall@k&who=***&page=2#f",
    );
  });

  it("redactUrl hides credentials (user:password@) too", () => {
    expect(redactUrl("http://user:pa%40ss@proxy.example:8080/v1/works?api_key=k1")).toBe(
      "http://***@proxy.example:8080/v1/works?api_key=***",
    );
    expect(redactUrl("https://token@host/x")).toBe("https://***@host/x");
    expect(redactUrl("https://host/a@b?q=1")).toBe("https://host/a@b?q=1");
  });
});

describe("HttpClient: secrets in the URL", () => {
  it("sends user:password@ as Basic authorization and scrubs the password from an echoed error", async () => {
    const password = "pw-SECRET-4242";
    const { client } = await setup((req) => ({
      status: 400,
      body: { error: `bad request from ${String(req.headers.authorization)} pw=${password}` },
    }));
    const url = server!.url.replace("http://", `http://user:${password}@`);
    const error = await client.getJson(`${url}/works?api_key=QUERYKEY1`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    const basic = Buffer.from(`user:${password}`).toString("base64");
    expect(server!.requests[0]?.headers.authorization).toBe(`Basic ${basic}`);
    const { message, url: shown, excerpt } = error as HttpError;
    const text = `${message} ${shown} ${excerpt}`;
    expect(text).toContain("HTTP 400");
    for (const secret of [password, basic, "QUERYKEY1"]) expect(text).not.toContain(secret);
    expect(shown).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/works\?api_key=\*\*\*$/);
  });
});

describe("HttpClient: response size cap", () => {
  const endless = async () => {
    const srv = await startEndlessServer();
    return { ...srv, requests: () => srv.requests.length };
  };

  it("aborts an endless body at maxBodyBytes: permanent, not retried", async () => {
    const srv = await endless();
    try {
      const client = createHttpClient({ version: "0.1.0", maxBodyBytes: 1024 * 1024, sleep: async () => {} });
      const error = await client.getJson(`${srv.url}/works`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HttpError);
      expect((error as HttpError).kind).toBe("permanent");
      expect((error as HttpError).message).toMatch(/: response larger than 1 MB$/);
      expect(srv.requests()).toBe(1);
    } finally {
      await srv.close();
    }
  });

  it("caps at 64 MB by default without buffering past it", async () => {
    const srv = await endless();
    try {
      const client = createHttpClient({ version: "0.1.0", sleep: async () => {} });
      const before = process.memoryUsage();
      const error = await client.getJson(`${srv.url}/works`).catch((e: unknown) => e);
      const after = process.memoryUsage();
      expect((error as HttpError).message).toMatch(/: response larger than 64 MB$/);
      const grew = after.rss + after.arrayBuffers - (before.rss + before.arrayBuffers);
      expect(grew).toBeLessThan(400 * 1024 * 1024);
    } finally {
      await srv.close();
    }
  }, 30_000);

  it("refuses at once a body whose Content-Length is over the cap", async () => {
    const { client } = await setup([{ status: 200, body: "x".repeat(2048) }], { maxBodyBytes: 1024 });
    const error = await client.getJson(`${server!.url}/w`).catch((e: unknown) => e);
    expect((error as HttpError).message).toMatch(/response larger than 1024 bytes$/);
  });
});
