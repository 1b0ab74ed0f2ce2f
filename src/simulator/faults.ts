import { usdOf } from "./pricing.js";
import { unitOf } from "./prng.js";
import { HTML_429, html, json, type Reply } from "./reply.js";

/** Injected failure kinds. */
export type FaultKind = "500" | "503" | "429" | "429-html" | "reset" | "truncate" | "hang";

/** Every fault kind. */
export const FAULT_KINDS: readonly FaultKind[] = [
  "500",
  "503",
  "429",
  "429-html",
  "reset",
  "truncate",
  "hang",
];

/** Random failures: a share `rate` of requests fails with one of `kinds`, fixed by `seed` and request number. */
export interface FaultOptions {
  rate: number;
  kinds?: readonly FaultKind[];
  seed?: number;
  /** How long a "hang" waits before answering (default 60000 ms). */
  hangMs?: number;
}

/** The fault of request number `n` (0-based, all APIs counted together), if any. */
export function decideFault(options: FaultOptions | undefined, n: number): FaultKind | undefined {
  if (!options || !(options.rate > 0)) return undefined;
  const kinds = options.kinds && options.kinds.length > 0 ? options.kinds : FAULT_KINDS;
  const seed = options.seed ?? 0;
  if (unitOf("fault", seed, n) >= options.rate) return undefined;
  return kinds[Math.floor(unitOf("fault-kind", seed, n) * kinds.length)];
}

/** A sliding one-second window admitting at most `perSecond` requests. */
export class RateWindow {
  private readonly starts: number[] = [];
  constructor(private readonly perSecond: number) {}

  /** Admit a request at `nowMs` (true) or refuse it (false); refused requests take no slot. */
  admit(nowMs: number): boolean {
    while (this.starts.length > 0 && this.starts[0]! <= nowMs - 1000) this.starts.shift();
    if (this.starts.length >= this.perSecond) return false;
    this.starts.push(nowMs);
    return true;
  }
}

/** Whole seconds from `nowMs` to the next midnight UTC (at least 1). */
export function secondsToMidnight(nowMs: number): number {
  const d = new Date(nowMs);
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
  return Math.max(1, Math.ceil((midnight - nowMs) / 1000));
}

/** OpenAlex's per-second throttle: JSON body, `Retry-After: 1`, budget headers showing credit left. */
export function openAlexThrottled(perSecond: number, headers: Record<string, string>): Reply {
  const message = `Rate limit exceeded: ${perSecond} requests per second. Please slow down.`;
  return json(
    429,
    { error: "Rate limit exceeded", message, retryAfter: 1 },
    { ...headers, "retry-after": "1" },
  );
}

/** A refused request's numbers: the daily limit, what is left of it and what the request would cost. */
export interface BudgetShortfall {
  limit: number;
  remainingCredits: number;
  requiredCredits: number;
}

/** OpenAlex's daily budget exhausted (openalex-api-proxy body): Retry-After runs to midnight UTC. */
export function openAlexBudgetExhausted(shortfall: BudgetShortfall, nowMs: number): Reply {
  const retryAfter = secondsToMidnight(nowMs);
  const { limit, remainingCredits, requiredCredits } = shortfall;
  const [cost, left] = [usdOf(requiredCredits), usdOf(remainingCredits)];
  const body = {
    error: "Rate limit exceeded",
    message: `Insufficient budget. This request costs $${cost} but you only have $${left} remaining. Resets at midnight UTC. Need more? Add funds at https://openalex.org/pricing`,
    retryAfter,
    costUsd: Number(cost),
    dailyRemainingUsd: Number(left),
    prepaidRemainingUsd: 0,
    creditsRequired: requiredCredits,
    creditsRemaining: remainingCredits,
    onetimeCreditsRemaining: 0,
  };
  return json(429, body, {
    "x-ratelimit-limit": String(limit),
    "x-ratelimit-remaining": String(remainingCredits),
    "x-ratelimit-credits-required": String(requiredCredits),
    "x-ratelimit-cost-required-usd": cost,
    "x-ratelimit-reset": String(retryAfter),
    "retry-after": String(retryAfter),
  });
}

/** S2's 429: its JSON body, no Retry-After and no rate-limit headers (api-facts B2). */
export function s2TooManyRequests(headers: Record<string, string> = {}): Reply {
  const message =
    "Too Many Requests. Please wait and try again or apply for a key for higher rate limits. https://www.semanticscholar.org/product/api#api-key-form";
  return json(429, { message, code: "429" }, headers);
}

/** A bad or missing OpenAlex key (openalex-api-proxy): 401 JSON. */
export const openAlexUnauthorized = (): Reply =>
  json(401, {
    error: "Invalid or missing API key",
    message: "Get a free API key at https://openalex.org/settings/api and send it as the api_key parameter.",
  });

/** A bad or missing S2 key: the API gateway's 403. */
export const s2Forbidden = (): Reply => json(403, { message: "Forbidden" });

/** The reply of a status-code fault (OpenAlex 429s carry `rateHeaders`); undefined for reset, truncate, hang. */
export function faultReply(
  kind: FaultKind,
  api: "openalex" | "s2",
  rateHeaders: Record<string, string> = {},
): Reply | undefined {
  switch (kind) {
    case "500":
      return api === "s2"
        ? json(500, { message: "Internal server error" })
        : json(500, { error: "Internal Server Error", message: "The server encountered an internal error." });
    case "503":
      return html(503, "<html><body><h1>503 Service Unavailable</h1>No server is available.</body></html>\n");
    case "429":
      return api === "s2" ? s2TooManyRequests({ "retry-after": "1" }) : openAlexThrottled(10, rateHeaders);
    case "429-html":
      return html(429, HTML_429);
    default:
      return undefined;
  }
}
