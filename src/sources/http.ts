import { setTimeout as delay } from "node:timers/promises";
import { type ConnectionFailure, type ConnectionHealth, describeUnreachable } from "./connection-health.js";
import { DEFAULT_MAX_BODY_BYTES, jsonDetail, parseBody, readBody, sizeText } from "./http-body.js";
import { type Fail, HttpError, type HttpErrorKind } from "./http-error.js";
import type { FetchFunction, ProxySettings } from "./proxy.js";
import type { RateLimiter } from "./rate-limiter.js";
import {
  redactUrl,
  SECRET_HEADER,
  SECRET_PARAM,
  scrubSecrets,
  secretsOf,
  splitCredentials,
  urlSecrets,
} from "./redact.js";
import { CONNECTION_RETRY_CAP_MS, classify, jitteredBackoff, networkError } from "./retry-policy.js";
import { type SpendHeaders, spendHeaders } from "./spend.js";

/**
 * The one HTTP seam of the API clients: timeouts, retries (retry-policy.ts), capped bodies
 * (http-body.ts), classified errors (http-error.ts) and no secret in any message (redact.ts).
 */

export {
  answerOf,
  HttpError,
  type HttpErrorInit,
  type HttpErrorKind,
  refusedKeyError,
  stopsTheSource,
  withApiCalls,
  withPartial,
} from "./http-error.js";
export { redactUrl } from "./redact.js";

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
  /**
   * The documented price of a request in USD, counted for a successful answer that carries no cost
   * header (a metered API whose headers a proxy dropped); default none.
   */
  priceOf?: (method: string, url: string) => number | undefined;
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
  /** The attempt never reached a server (DNS, refused, TLS …): not an API call. */
  notSent?: true;
  /** The source whose request this is, when the caller labels its events (see buildClients). */
  source?: string;
  method: string;
  url: string;
  attempt: number;
  status?: number;
  kind?: HttpErrorKind;
  message?: string;
  delayMs?: number;
  durationMs?: number;
  /**
   * What the answer says it cost (a metered API's cost headers), on response events; for a 2xx
   * answer without a cost header, `costUsd` is the client's documented price (`priceOf`).
   */
  spend?: SpendHeaders;
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
    // Secrets shorter than 4 characters are left alone: they would turn up inside ordinary words.
    const scrubbed = allSecrets.filter((s) => s.length >= 4);
    const scrub = (text: string): string => scrubSecrets(text, scrubbed);
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

    // The headers of the last attempt that got an answer (its cost, for a failed one too).
    let answered: Headers | undefined;
    async function attemptOnce(): Promise<JsonResponse> {
      answered = undefined;
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
      answered = res.headers;
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
    let sent = 0;
    for (let attempt = 1; ; attempt++) {
      if (init.stopSignal?.aborted) throw init.stopSignal.reason;
      if (health?.stoppedBy) throw unreachable(health.stoppedBy);
      const release = limiter ? await limiter.acquire(waitSignal).catch(rethrowSignal(init)) : undefined;
      if (init.stopSignal?.aborted) {
        release?.();
        throw init.stopSignal.reason;
      }
      // The source may have stopped while this request waited for its slot.
      if (health?.stoppedBy) {
        release?.();
        throw unreachable(health.stoppedBy);
      }
      const started = now();
      sent += 1;
      // The attempt as sent (connection retries included), for events: not the paper's retry count.
      const event = { method, url: safeUrl, attempt: sent };
      let error: HttpError;
      try {
        const response = await attemptOnce();
        limiter?.recordSuccess();
        health?.recordAnswer();
        const spend = spendHeaders(response.headers);
        if (spend.costUsd === undefined) {
          const price = options.priceOf?.(method, url);
          if (price !== undefined) spend.costUsd = price;
        }
        emit({ type: "response", ...event, status: response.status, durationMs: now() - started, spend });
        return response;
      } catch (caught) {
        if (!(caught instanceof HttpError)) throw caught;
        error = caught;
      } finally {
        release?.();
      }
      const { kind, status, message, connection } = error;
      if (status !== undefined) {
        // Headers that came with a body that never completed are no answer (see networkError).
        if (!connection) health?.recordAnswer();
        const spend = answered ? spendHeaders(answered) : {};
        emit({ type: "response", ...event, status, durationMs: now() - started, spend });
      }
      if (status === 429) limiter?.slowDown();
      let delayMs: number;
      if (connection && health) {
        // No answer at all: the tracker, not the attempt count, decides when to give up on the server.
        const stoppedBy = health.recordFailure(started, connection);
        if (stoppedBy) {
          const stop = unreachable(stoppedBy);
          const notSent = connection.unsent ? { notSent: true as const } : {};
          emit({ type: "error", ...event, kind: stop.kind, message: stop.message, ...notSent });
          throw stop;
        }
        attempt -= 1;
        connectionRetries += 1;
        delayMs = jitteredBackoff(random, baseMs, CONNECTION_RETRY_CAP_MS, connectionRetries);
      } else {
        if (kind !== "transient" || attempt >= maxAttempts) {
          const notSent = connection?.unsent ? { notSent: true as const } : {};
          emit({ type: "error", ...event, kind, status, message, ...notSent });
          throw error;
        }
        const backoff = jitteredBackoff(random, baseMs, capMs, attempt);
        delayMs = Math.max(backoff, error.retryAfterMs ?? 0);
      }
      // A connection failure is said by host and cause (describeUnreachable), not by undici's words.
      const said = connection ? describeUnreachable(connection) : message;
      const notSent = connection?.unsent ? { notSent: true as const } : {};
      emit({ type: "retry", ...event, kind, status, message: said, delayMs, ...notSent });
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

function withQuery(url: string, query: Record<string, string | number | boolean | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.append(k, String(v));
  const extra = params.toString();
  return extra === "" ? url : `${url}${url.includes("?") ? "&" : "?"}${extra}`;
}
