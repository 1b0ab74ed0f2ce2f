import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type Corpus, createCorpus } from "./corpus.js";
import {
  decideFault,
  type FaultKind,
  type FaultOptions,
  faultReply,
  openAlexBudgetExhausted,
  openAlexThrottled,
  openAlexUnauthorized,
  RateWindow,
  s2Forbidden,
  s2TooManyRequests,
  secondsToMidnight,
} from "./faults.js";
import { openAlexRoute, type RouteRequest } from "./openalex-routes.js";
import { CREDITS_PER_USD, creditsOfUsd, DailyCredits, openAlexCredits, usdOf } from "./pricing.js";
import { json, type Reply } from "./reply.js";
import { s2Route } from "./s2-routes.js";
import { openAlexKey, readBody, safeDecode, send, truncate } from "./transport.js";

export { type OpenAlexSpend, openAlexSpend } from "./pricing.js";

/** Which simulated API answered. */
export type SimApi = "openalex" | "s2";

/** One answered request; `path` is below the API prefix and never holds a key (the query is left out). */
export interface RequestLogEntry {
  at: number;
  api: SimApi;
  method: string;
  path: string;
  /** 0 when the connection was reset or the client left before the answer. */
  status: number;
  ids?: number;
  retryAfter?: number;
  fault?: FaultKind;
  /** OpenAlex credits this request was charged (0 for a free singleton); absent when refused or faulted. */
  credits?: number;
  /** The same charge in USD (credits / 10,000). */
  costUsd?: number;
  /** The query parameters as sent (decoded), so tests can tell which papers were asked for. */
  query?: string;
  /** The request body, when there is one (Semantic Scholar's batch ids). */
  body?: string;
}

/** Options of {@link startSimulator}; all optional. */
export interface SimulatorOptions {
  seed?: number;
  corpusSize?: number;
  corpus?: Corpus;
  port?: number;
  latencyMs?: number;
  /** Requests per second each API admits; more get a 429. */
  rateLimits?: { openalex?: number; s2?: number };
  faults?: FaultOptions;
  /** OpenAlex requests allowed before every further one gets the daily-budget 429 (whatever they cost). */
  openalexBudget?: number;
  /**
   * OpenAlex's daily budget in USD (2026 pricing, see pricing.ts): a request costing more credits than
   * are left gets the daily-budget 429 and is not charged. Without it the limit is 100,000 credits,
   * shown in the headers but never enforced.
   */
  openalexDailyUsd?: number;
  requireKeys?: { openalex?: string; s2?: string };
  onRequest?: (entry: RequestLogEntry) => void;
  /** Wall clock (epoch ms) for log times, rate windows and Retry-After; default Date.now. */
  now?: () => number;
}

/** A running simulator. */
export interface Simulator {
  url: string;
  /** Base URL for the OpenAlex client (`<url>/openalex`). */
  openalexUrl: string;
  /** Base URL for the Semantic Scholar client (`<url>/s2/graph/v1`). */
  s2Url: string;
  corpus: Corpus;
  requestLog: RequestLogEntry[];
  close(): Promise<void>;
}

const PREFIXES: ReadonlyArray<readonly [SimApi, string]> = [
  ["openalex", "/openalex"],
  ["s2", "/s2/graph/v1"],
];
const DEFAULT_DAILY_LIMIT = 100_000;

/** The day's credits: `usd` worth and enforced, else the default limit shown but never enforced. */
function dailyCredits(usd: number | undefined): DailyCredits {
  if (usd === undefined) return new DailyCredits(DEFAULT_DAILY_LIMIT, false);
  if (!(usd >= 0)) throw new RangeError(`openalexDailyUsd must be a number ≥ 0: ${usd}`);
  return new DailyCredits(creditsOfUsd(usd), true);
}

/** Start the OpenAlex + Semantic Scholar simulator on 127.0.0.1. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const corpus =
    options.corpus ?? createCorpus({ seed: options.seed ?? 1, size: options.corpusSize ?? 3000 });
  const now = options.now ?? Date.now;
  const requestLog: RequestLogEntry[] = [];
  const windows = {
    openalex: options.rateLimits?.openalex ? new RateWindow(options.rateLimits.openalex) : undefined,
    s2: options.rateLimits?.s2 ? new RateWindow(options.rateLimits.s2) : undefined,
  };
  const daily = dailyCredits(options.openalexDailyUsd);
  const cancels = new Set<() => void>();
  let requests = 0;
  let openalexRequests = 0;

  /** Wait `ms`; false when the client left or the server is closing meanwhile. */
  function wait(ms: number, res: ServerResponse): Promise<boolean> {
    if (ms <= 0 || res.destroyed) return Promise.resolve(!res.destroyed);
    return new Promise((resolve) => {
      const done = (alive: boolean) => {
        clearTimeout(timer);
        res.off("close", gone);
        cancels.delete(gone);
        resolve(alive);
      };
      const gone = () => done(false);
      const timer = setTimeout(() => done(true), ms);
      res.on("close", gone);
      cancels.add(gone);
    });
  }

  /** Auth, daily budget and per-second limits, in that order; undefined lets the request through. */
  function gate(
    api: SimApi,
    req: IncomingMessage,
    params: URLSearchParams,
    at: number,
    credits: number,
  ): Reply | undefined {
    if (api === "s2") {
      const wanted = options.requireKeys?.s2;
      if (wanted !== undefined && req.headers["x-api-key"] !== wanted) return s2Forbidden();
      return windows.s2 && !windows.s2.admit(at) ? s2TooManyRequests() : undefined;
    }
    const wanted = options.requireKeys?.openalex;
    if (wanted !== undefined && openAlexKey(req, params) !== wanted) return openAlexUnauthorized();
    openalexRequests++;
    const budget = options.openalexBudget;
    if (budget !== undefined && openalexRequests > budget) {
      // The request-count budget refuses as if every request cost one credit.
      return openAlexBudgetExhausted({ limit: budget, remainingCredits: 0, requiredCredits: 1 }, at);
    }
    if (!daily.fits(credits)) {
      const shortfall = { limit: daily.limit, remainingCredits: daily.remaining, requiredCredits: credits };
      return openAlexBudgetExhausted(shortfall, at);
    }
    if (windows.openalex && !windows.openalex.admit(at)) {
      return openAlexThrottled(options.rateLimits?.openalex ?? 10, budgetHeaders(0, at));
    }
    return undefined;
  }

  /** The rate headers of an answer charged `credits`; with `openalexBudget`, limit and remaining count requests. */
  function budgetHeaders(credits: number, at: number): Record<string, string> {
    const budget = options.openalexBudget;
    const remaining = budget === undefined ? daily.remaining : Math.max(0, budget - openalexRequests);
    return {
      "x-ratelimit-limit": String(budget ?? daily.limit),
      "x-ratelimit-remaining": String(remaining),
      "x-ratelimit-credits-used": String(credits),
      "x-ratelimit-reset": String(secondsToMidnight(at)),
      "x-ratelimit-limit-usd": usdOf(daily.limit),
      "x-ratelimit-remaining-usd": usdOf(daily.remaining),
      "x-ratelimit-cost-usd": usdOf(credits),
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const n = requests++;
    const at = now();
    const target = req.url ?? "/";
    const url = new URL(target, "http://simulator.invalid");
    const match = PREFIXES.find(([, p]) => url.pathname === p || url.pathname.startsWith(`${p}/`));
    if (!match) {
      send(
        res,
        json(404, { error: "Not Found", message: "The simulator serves /openalex and /s2/graph/v1" }),
      );
      return;
    }
    const [api, prefix] = match;
    const body = await readBody(req);
    const request: RouteRequest = {
      method: req.method ?? "GET",
      path: url.pathname.slice(prefix.length) || "/",
      params: url.searchParams,
      headers: req.headers,
      body,
      urlBytes: Buffer.byteLength(target),
    };
    const entry: RequestLogEntry = {
      at,
      api,
      method: request.method,
      path: safeDecode(request.path),
      status: 0,
      // Keys never reach the log (tests print it): `api_key` is named, its value left out.
      ...(url.search
        ? {
            query: [...url.searchParams]
              .map(([k, v]) => (k === "api_key" ? `${k}=[redacted]` : `${k}=${v}`))
              .join("&"),
          }
        : {}),
      ...(body ? { body } : {}),
    };
    const log = (status: number, reply?: Reply) => {
      entry.status = status;
      if (reply?.ids !== undefined) entry.ids = reply.ids;
      const retryAfter = Number(reply?.headers["retry-after"]);
      if (Number.isFinite(retryAfter) && reply?.headers["retry-after"] !== undefined)
        entry.retryAfter = retryAfter;
      requestLog.push(entry);
      options.onRequest?.(entry);
    };

    const credits = api === "openalex" ? openAlexCredits(request.path, url.searchParams) : 0;
    let reply = gate(api, req, url.searchParams, at, credits);
    const fault = reply ? undefined : decideFault(options.faults, n);
    if (fault) entry.fault = fault;
    if (fault === "reset") {
      req.socket.destroy();
      log(0);
      return;
    }
    // Only what the origin answers is charged: refused and faulted requests cost nothing.
    const charged = api === "openalex" && !reply && !fault ? credits : undefined;
    if (charged !== undefined) daily.charge(charged);
    const rateHeaders = budgetHeaders(charged ?? 0, at);
    reply ??= (fault ? faultReply(fault, api, rateHeaders) : undefined) ?? route(api, request);
    if (api === "openalex" && reply.status !== 429 && reply.status !== 401) {
      reply.headers = { ...rateHeaders, ...reply.headers };
    }
    const delay = (options.latencyMs ?? 0) + (fault === "hang" ? (options.faults?.hangMs ?? 60_000) : 0);
    if (!(await wait(delay, res))) {
      if (charged !== undefined) daily.refund(charged);
      log(0, reply);
      return;
    }
    if (charged !== undefined) Object.assign(entry, { credits: charged, costUsd: charged / CREDITS_PER_USD });
    if (fault === "truncate") truncate(res, reply);
    else send(res, reply);
    log(reply.status, reply);
  }

  function route(api: SimApi, request: RouteRequest): Reply {
    return api === "openalex" ? openAlexRoute(corpus, request) : s2Route(corpus, request);
  }

  const server = createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        send(res, json(500, { error: "Simulator error", message: String(error) }));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    openalexUrl: `${url}/openalex`,
    s2Url: `${url}/s2/graph/v1`,
    corpus,
    requestLog,
    close: () =>
      new Promise<void>((resolve) => {
        for (const cancel of [...cancels]) cancel();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
