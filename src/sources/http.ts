import { setTimeout as delay } from "node:timers/promises";
import { connectionFailureOf } from "./connection-failure.js";
import { type ConnectionFailure, type ConnectionHealth, describeUnreachable } from "./connection-health.js";
import type { FetchFunction, ProxySettings } from "./proxy.js";
import type { RateLimiter } from "./rate-limiter.js";

/**
 * How a caller must treat a failed request. `unreachable`: the source's server cannot be reached at
 * all (see connection-health.ts); like `auth` and `budget_exhausted` it stops the whole source.
 */
export type HttpErrorKind =
  | "not_found"
  | "transient"
  | "permanent"
  | "auth"
  | "budget_exhausted"
  | "unreachable";

/** Fields of an {@link HttpError}; the constructor redacts `url`. */
export type HttpErrorInit = Pick<
  HttpError,
  "kind" | "message" | "url" | "status" | "excerpt" | "retryAfterMs" | "resetsAt" | "connection"
>;

/** A classified HTTP failure; its message, url and excerpt never contain an API key. */
export class HttpError extends Error {
  readonly kind: HttpErrorKind;
  readonly status?: number;
  readonly url: string;
  readonly excerpt?: string;
  readonly retryAfterMs?: number;
  readonly resetsAt?: Date;
  /** Set when the attempt got no HTTP answer at all (DNS, refused, TLS, proxy, timeout …). */
  readonly connection?: ConnectionFailure;
  /** Requests the failed batch had sent when this stopped it (counted although nothing is journaled). */
  apiCalls?: number;

  constructor(init: HttpErrorInit) {
    super(init.message);
    this.name = "HttpError";
    this.kind = init.kind;
    this.status = init.status;
    this.url = redactUrl(init.url);
    this.excerpt = init.excerpt;
    this.retryAfterMs = init.retryAfterMs;
    this.resetsAt = init.resetsAt;
    this.connection = init.connection;
  }
}

/**
 * A 401/403 says nothing but the status after a long URL: say that the key (or its absence) was
 * refused. Other errors are returned as they are.
 */
export function refusedKeyError(error: unknown, label: string, keyGiven: boolean): unknown {
  if (!(error instanceof HttpError) || error.kind !== "auth") return error;
  const status = answerOf(error);
  const message = keyGiven
    ? `${label} refused the API key (${status})`
    : `${label} refused requests without an API key (${status})`;
  const renamed = new HttpError({ kind: "auth", url: error.url, status: error.status, message });
  if (error.apiCalls !== undefined) renamed.apiCalls = error.apiCalls;
  return renamed;
}

/** `error` with the requests its batch had sent, for the source's API-call count. */
export function withApiCalls(error: unknown, apiCalls: number): unknown {
  if (error instanceof HttpError && apiCalls > 0) error.apiCalls = (error.apiCalls ?? 0) + apiCalls;
  return error;
}

/** "HTTP 401 Invalid or missing API key": the status and the server's words, without the request line. */
export function answerOf(error: HttpError): string {
  const at = error.message.indexOf("HTTP ");
  return at >= 0 ? error.message.slice(at, at + 160) : `HTTP ${error.status ?? "?"}`;
}

/** Options of {@link createHttpClient}; `sleep`, `now` (wall clock, epoch ms) and `random` are for tests. */
export interface HttpClientOptions {
  version: string;
  timeoutMs?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Sent on every request (`x-api-key`); key-like values are scrubbed from errors and events. */
  headers?: Record<string, string>;
  /** Appended to every URL (OpenAlex `api_key`); key-like values are scrubbed too. */
  query?: Record<string, string>;
  secrets?: readonly string[];
  /** Treat 403 as a throttle (retried like a 429), as OpenAlex documents it; otherwise 403 is `auth`. */
  forbiddenIsThrottle?: boolean;
  /** Each attempt takes a slot; a 429 slows it down, a success lets it recover. */
  limiter?: RateLimiter;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  random?: () => number;
  onEvent?: (event: HttpEvent) => void;
  /**
   * The source's reachability tracker. With it, attempts that get no answer at all are retried until
   * an answer comes or the tracker gives up on the server (then `unreachable`), not `maxAttempts` times.
   */
  health?: ConnectionHealth;
  /** The fetch to use (undici's through a proxy); default the global one. */
  fetch?: FetchFunction;
  /** The proxy settings in force, to tell a proxy's failure from the API's. */
  proxy?: ProxySettings;
  /**
   * Most bytes one response body may have (default {@link DEFAULT_MAX_BODY_BYTES}); a longer one is
   * aborted while it is read and fails `permanent` ("response larger than 64 MB"), not retried.
   */
  maxBodyBytes?: number;
}

/** Per-request options; an aborted `signal` rethrows its reason as is, without retrying. */
export interface RequestOptions {
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined>;
  signal?: AbortSignal;
  /**
   * Once aborted, no attempt of this request starts any more (its reason is thrown instead), but an
   * attempt already sent runs to its end: how Ctrl-C stops sending while in-flight requests finish.
   */
  stopSignal?: AbortSignal;
  timeoutMs?: number;
}

/** A parsed 2xx JSON response. */
export interface JsonResponse {
  status: number;
  headers: Headers;
  data: unknown;
}

/** A debug event; `url` is redacted. */
export interface HttpEvent {
  type: "retry" | "response" | "error";
  method: string;
  url: string;
  attempt: number;
  status?: number;
  kind?: HttpErrorKind;
  message?: string;
  delayMs?: number;
  durationMs?: number;
}

type Method = "GET" | "POST";

/** The one HTTP seam of the API clients; every method throws {@link HttpError}. */
export interface HttpClient {
  /** GET and parse JSON. */
  getJson(url: string, init?: RequestOptions): Promise<unknown>;
  /** POST a JSON body and parse the JSON answer. */
  postJson(url: string, body: unknown, init?: RequestOptions): Promise<unknown>;
  /** Like getJson/postJson, also returning status and headers (e.g. X-RateLimit-Remaining). */
  requestJson(method: Method, url: string, init?: RequestOptions & { body?: unknown }): Promise<JsonResponse>;
}

// Waits between attempts that got no answer at all: short, so a network back within the health
// window is noticed quickly.
const CONNECTION_RETRY_CAP_MS = 5000;

const SECRET_PARAM = /^(api[_-]?key|key|mailto|email|token|access_token)$/i;
const SECRET_HEADER = /key|token|secret|authorization|cookie/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MINUTE_MS = 60_000;

/** Default cap on one response body (64 MB): a body that never ends must not exhaust memory. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * Replace credentials (`user:password@` → `***@`) and the values of key, api_key, token, mailto and
 * e-mail-like query params by `***`.
 */
export function redactUrl(url: string): string {
  const safe = redactUserinfo(url);
  const q = safe.indexOf("?");
  if (q < 0) return safe;
  const end = safe.includes("#", q) ? safe.indexOf("#", q) : safe.length;
  const pairs = safe.slice(q + 1, end).split("&");
  const redacted = pairs.map((pair) => {
    const [name = "", value] = pair.split("=", 2);
    if (value === undefined || !(SECRET_PARAM.test(decode(name)) || EMAIL.test(decode(value)))) return pair;
    return `${name}=***`;
  });
  return `${safe.slice(0, q + 1)}${redacted.join("&")}${safe.slice(end)}`;
}

/** `scheme://user:password@host/…` → `scheme://***@host/…` (the last `@` of the authority ends the userinfo). */
function redactUserinfo(url: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url);
  if (!scheme) return url;
  const start = scheme[0].length;
  const rest = url.slice(start);
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd < 0 ? rest : rest.slice(0, authorityEnd);
  const at = authority.lastIndexOf("@");
  return at < 0 ? url : `${url.slice(0, start)}***${url.slice(start + at)}`;
}

/**
 * The secrets a URL carries: the password (or a lone user name, often a token) of its userinfo, raw
 * and decoded, and the values of key-like query params.
 */
export function urlSecrets(url: string): string[] {
  if (!URL.canParse(url)) return [];
  const parsed = new URL(url);
  const found: string[] = [];
  const cred = parsed.password || parsed.username;
  if (cred) found.push(cred, decodePercent(cred));
  for (const [name, value] of parsed.searchParams) if (SECRET_PARAM.test(name) && value) found.push(value);
  return [...new Set(found)];
}

/** The URL without `user:password@`, and the Basic authorization those credentials stand for. */
function splitCredentials(url: string): { url: string; authorization?: string } {
  if (!URL.canParse(url)) return { url };
  const parsed = new URL(url);
  if (parsed.username === "" && parsed.password === "") return { url };
  const pair = `${decodePercent(parsed.username)}:${decodePercent(parsed.password)}`;
  parsed.username = "";
  parsed.password = "";
  return { url: parsed.toString(), authorization: `Basic ${Buffer.from(pair).toString("base64")}` };
}

/** "64 MB" for whole megabytes, else the byte count. */
function sizeText(bytes: number): string {
  const mb = 1024 * 1024;
  return bytes % mb === 0 ? `${bytes / mb} MB` : `${bytes} bytes`;
}

/** Create the HTTP client: timeout, retries with full-jitter backoff, error classification, no secrets out. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const { limiter, version } = options;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const [baseMs, capMs] = [options.baseDelayMs ?? 500, options.maxDelayMs ?? 30_000];
  const sleep = options.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }));
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const emit = options.onEvent ?? (() => {});
  const doFetch: FetchFunction = options.fetch ?? ((url, init) => fetch(url, init));
  const { health } = options;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const secrets = [...(options.secrets ?? []), ...secretsOf(options.query, SECRET_PARAM)];
  secrets.push(...secretsOf(options.headers, SECRET_HEADER));

  async function requestJson(method: Method, rawUrl: string, init: RequestOptions & { body?: unknown } = {}) {
    const fullUrl = withQuery(rawUrl, { ...options.query, ...init.query });
    // fetch refuses URLs with credentials: they travel as a Basic authorization header instead.
    const { url, authorization } = splitCredentials(fullUrl);
    const allSecrets = [...secrets, ...secretsOf(init.headers, SECRET_HEADER), ...urlSecrets(fullUrl)];
    if (authorization) allSecrets.push(authorization.slice("Basic ".length));
    const scrub = (text: string): string => scrubText(text, allSecrets);
    const safeUrl = scrub(redactUrl(url));
    const fail: Fail = (kind, what, extra = {}) =>
      new HttpError({ kind, url: safeUrl, message: scrub(`${method} ${safeUrl}: ${what}`), ...extra });
    if (!URL.canParse(url)) throw fail("permanent", "invalid URL");
    const headers: Record<string, string> = {
      accept: "application/json",
      "user-agent": `cf/${version} (+https://github.com/cf)`,
      ...(authorization ? { authorization } : {}),
      ...options.headers,
      ...init.headers,
    };
    if (init.body !== undefined) headers["content-type"] = "application/json";
    const body = init.body === undefined ? undefined : JSON.stringify(init.body);
    const attemptTimeout = init.timeoutMs ?? timeoutMs;

    async function attemptOnce(): Promise<JsonResponse> {
      const signals = [AbortSignal.timeout(attemptTimeout), ...(init.signal ? [init.signal] : [])];
      let res: Response | undefined;
      let text: string | undefined;
      try {
        res = await doFetch(url, { method, headers, body, signal: AbortSignal.any(signals) });
        // undici rejects here when the body is shorter than Content-Length or the socket closes mid-body.
        text = await readBody(res, maxBodyBytes);
      } catch (error) {
        if (init.signal?.aborted) throw init.signal.reason;
        throw networkError(error, fail, attemptTimeout, res?.status, url, options.proxy);
      }
      const { status } = res;
      if (text === undefined) {
        throw fail("permanent", `response larger than ${sizeText(maxBodyBytes)}`, { status });
      }
      // Scrubbed whole before any cut, so a cut can never leave part of a secret behind.
      const clean = scrub(text);
      const excerpt = clean.replace(/\s+/g, " ").trim().slice(0, 200);
      if (status >= 200 && status < 300) {
        return { status, headers: res.headers, data: parseBody(res, text, excerpt, fail) };
      }
      const verdict =
        status === 403 && options.forbiddenIsThrottle
          ? classify(429, res.headers, text, now())
          : classify(status, res.headers, text, now());
      const detail = `HTTP ${status}${excerpt ? ` ${jsonDetail(clean) ?? excerpt}` : ""}`;
      throw fail(verdict.kind, detail, { ...verdict, status, excerpt });
    }

    const unreachable = (failure: ConnectionFailure) =>
      fail("unreachable", describeUnreachable(failure), { connection: failure });
    // Ctrl-C (stopSignal) ends a wait for a slot or a backoff at once; no attempt starts after it.
    const waitSignal = anySignal(init.stopSignal, init.signal);
    let connectionRetries = 0;
    for (let attempt = 1; ; attempt++) {
      if (init.stopSignal?.aborted) throw init.stopSignal.reason;
      if (health?.stoppedBy) throw unreachable(health.stoppedBy);
      const release = limiter ? await limiter.acquire(waitSignal).catch(rethrowSignal(init)) : undefined;
      if (init.stopSignal?.aborted) {
        release?.();
        throw init.stopSignal.reason;
      }
      const started = now();
      const event = { method, url: safeUrl, attempt };
      let error: HttpError;
      try {
        const response = await attemptOnce();
        limiter?.recordSuccess();
        health?.recordAnswer();
        emit({ type: "response", ...event, status: response.status, durationMs: now() - started });
        return response;
      } catch (caught) {
        if (!(caught instanceof HttpError)) throw caught;
        error = caught;
      } finally {
        release?.();
      }
      const { kind, status, message, connection } = error;
      if (status !== undefined) {
        health?.recordAnswer();
        emit({ type: "response", ...event, status, durationMs: now() - started });
      }
      if (status === 429) limiter?.slowDown();
      let delayMs: number;
      if (connection && health) {
        // No answer at all: the tracker, not the attempt count, decides when to give up on the server.
        const stoppedBy = health.recordFailure(started, connection);
        if (stoppedBy) {
          const stop = unreachable(stoppedBy);
          emit({ type: "error", ...event, kind: stop.kind, message: stop.message });
          throw stop;
        }
        attempt -= 1;
        connectionRetries += 1;
        delayMs = random() * Math.min(CONNECTION_RETRY_CAP_MS, baseMs * 2 ** (connectionRetries - 1));
      } else {
        if (kind !== "transient" || attempt >= maxAttempts) {
          emit({ type: "error", ...event, kind, status, message });
          throw error;
        }
        const backoff = random() * Math.min(capMs, baseMs * 2 ** (attempt - 1));
        delayMs = Math.max(backoff, error.retryAfterMs ?? 0);
      }
      emit({ type: "retry", ...event, kind, status, message, delayMs });
      await sleep(delayMs, waitSignal).catch(rethrowSignal(init));
      if (init.stopSignal?.aborted) throw init.stopSignal.reason;
      if (init.signal?.aborted) throw init.signal.reason;
    }
  }

  return {
    requestJson,
    getJson: async (url, init) => (await requestJson("GET", url, init)).data,
    postJson: async (url, body, init) => (await requestJson("POST", url, { ...init, body })).data,
  };
}

type Fail = (kind: HttpErrorKind, what: string, extra?: Partial<HttpErrorInit>) => HttpError;
type Verdict = { kind: HttpErrorKind; retryAfterMs?: number; resetsAt?: Date };

function classify(status: number, headers: Headers, text: string, nowMs: number): Verdict {
  const retryAfterMs = parseRetryAfter(headers.get("retry-after"), nowMs);
  if (status === 404 || status === 410) return { kind: "not_found" };
  if (status === 401 || status === 403) return { kind: "auth" };
  if ([500, 502, 503, 504].includes(status)) return { kind: "transient", retryAfterMs };
  if (status !== 429) return { kind: "permanent" };
  const toMidnight = untilMidnight(nowMs);
  // A Retry-After running to about midnight UTC is OpenAlex's daily budget, not a per-second throttle.
  // Under a minute it is cheaper to wait, which also keeps a throttle at 23:59:30 a throttle.
  let budget =
    retryAfterMs !== undefined &&
    (retryAfterMs > 60 * MINUTE_MS || (retryAfterMs >= MINUTE_MS && retryAfterMs >= toMidnight - MINUTE_MS));
  if (!budget) {
    const json = tryJson(text);
    const remaining = numberOf(headers.get("x-ratelimit-remaining") ?? json?.creditsRemaining);
    const required = numberOf(headers.get("x-ratelimit-credits-required") ?? json?.creditsRequired);
    budget =
      remaining !== undefined && required !== undefined
        ? remaining < required
        : remaining === 0 && headers.has("x-ratelimit-limit");
  }
  if (!budget) return { kind: "transient", retryAfterMs };
  const resetSeconds = numberOf(headers.get("x-ratelimit-reset"));
  const resetMs = retryAfterMs ?? (resetSeconds === undefined ? toMidnight : resetSeconds * 1000);
  return { kind: "budget_exhausted", retryAfterMs, resetsAt: new Date(nowMs + resetMs) };
}

/** The first of the given signals to abort, as one signal (undefined when none is given). */
function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  return present.length <= 1 ? present[0] : AbortSignal.any(present);
}

/** A wait ended by a signal rethrows that signal's reason (the stop signal's first). */
function rethrowSignal(init: RequestOptions): (error: unknown) => never {
  return (error) => {
    if (init.stopSignal?.aborted) throw init.stopSignal.reason;
    if (init.signal?.aborted) throw init.signal.reason;
    throw error;
  };
}

// `status` is set when the headers arrived and the body then failed.
function networkError(
  error: unknown,
  fail: Fail,
  timeoutMs: number,
  status: number | undefined,
  url: string,
  proxy: ProxySettings | undefined,
): HttpError {
  const name = error instanceof Error ? error.name : "";
  const timedOut = name === "TimeoutError" || name === "AbortError";
  // Headers arrived: the server answered, so this is not a connection failure.
  const connection = status === undefined ? connectionFailureOf(error, url, proxy, timeoutMs) : undefined;
  if (timedOut) {
    return fail("transient", `timed out after ${timeoutMs} ms`, {
      status,
      ...(connection ? { connection } : {}),
    });
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const reason = [code, cause?.message ?? (error instanceof Error ? error.message : String(error))];
  // undici reports every socket-level failure (reset, refused, closed mid-body) as a TypeError.
  const kind = error instanceof TypeError || code !== undefined ? "transient" : "permanent";
  const what = status === undefined ? "request failed" : "body cut short";
  return fail(kind, `${what} (${reason.filter(Boolean).join(": ")})`, {
    status,
    ...(connection ? { connection } : {}),
  });
}

/**
 * The body as text, read chunk by chunk; undefined (and the stream cancelled) as soon as it passes
 * `maxBytes`, so an endless body never holds more than the cap in memory.
 */
async function readBody(res: Response, maxBytes: number): Promise<string | undefined> {
  const declared = Number(res.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => {});
    return undefined;
  }
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

function parseBody(res: Response, text: string, excerpt: string, fail: Fail): unknown {
  const type = res.headers.get("content-type") ?? "";
  const extra = { status: res.status, excerpt };
  if (res.status === 204 || (text === "" && type === "")) return null;
  if (!/json/i.test(type) && !(type === "" && /^\s*[[{]/.test(text))) {
    throw fail("permanent", `expected JSON, got ${type || "no content type"}: ${excerpt}`, extra);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : "";
    const position = Number(/position (\d+)/.exec(message)?.[1] ?? Number.NaN);
    const cutShort = /end of JSON input/.test(message) || position >= text.trimEnd().length;
    if (cutShort) throw fail("transient", "JSON body ended early", extra);
    throw fail("permanent", `invalid JSON body: ${excerpt}`, extra);
  }
}

function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

function untilMidnight(nowMs: number): number {
  const d = new Date(nowMs);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1) - nowMs;
}

function numberOf(value: unknown): number | undefined {
  const n =
    typeof value === "number"
      ? value
      : typeof value === "string" && value.trim()
        ? Number(value)
        : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

function tryJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

// S2 answers {"error": ...} or {"message": ...}; OpenAlex {"error", "message"}.
function jsonDetail(text: string): string | undefined {
  const json = tryJson(text);
  const parts = [json?.error, json?.message].filter((p): p is string => typeof p === "string" && p !== "");
  return parts.length > 0 ? parts.join(": ").slice(0, 200) : undefined;
}

function withQuery(url: string, query: Record<string, string | number | boolean | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.append(k, String(v));
  const extra = params.toString();
  return extra === "" ? url : `${url}${url.includes("?") ? "&" : "?"}${extra}`;
}

function secretsOf(record: Record<string, string> | undefined, names: RegExp): string[] {
  return Object.entries(record ?? {})
    .filter(([k]) => names.test(k))
    .map(([, v]) => v.replace(/^Bearer\s+/i, ""));
}

function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets.filter((x) => x.length >= 4)) {
    for (const form of new Set([s, encodeURIComponent(s)])) out = out.split(form).join("***");
  }
  return out;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}

function decodePercent(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
