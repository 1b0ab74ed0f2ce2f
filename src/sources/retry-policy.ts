import { connectionFailureOf } from "./connection-failure.js";
import { tryJson } from "./http-body.js";
import type { Fail, HttpError, HttpErrorKind } from "./http-error.js";
import type { ProxySettings } from "./proxy.js";

/**
 * What a failed attempt means and how long to wait before the next: HTTP statuses and network
 * errors are classified (retry, stop the source, fail the paper), backoff is full-jitter.
 */

// Waits between attempts that got no answer at all: short, so a network back within the health
// window is noticed quickly.
export const CONNECTION_RETRY_CAP_MS = 5000;

const MINUTE_MS = 60_000;

/** Full-jitter backoff before retry number `n` (from 1): random up to `baseMs`·2^(n−1), at most `capMs`. */
export function jitteredBackoff(random: () => number, baseMs: number, capMs: number, n: number): number {
  return random() * Math.min(capMs, baseMs * 2 ** (n - 1));
}

export type Verdict = { kind: HttpErrorKind; retryAfterMs?: number; resetsAt?: Date };

/** The kind of a non-2xx answer; a 429 is a throttle (transient) or an exhausted budget. */
export function classify(status: number, headers: Headers, text: string, nowMs: number): Verdict {
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

/**
 * The failure of an attempt that threw (no answer, a timeout, a body cut short). `status` is set
 * when the headers arrived and the body then failed.
 */
export function networkError(
  error: unknown,
  fail: Fail,
  timeoutMs: number,
  status: number | undefined,
  url: string,
  proxy: ProxySettings | undefined,
): HttpError {
  const name = error instanceof Error ? error.name : "";
  const timedOut = name === "TimeoutError" || name === "AbortError";
  // No answer, or an answer that never completed (its body stalled past the timeout, or the
  // connection closed mid-body): a state of the connection, not of the paper.
  const failure = connectionFailureOf(error, url, proxy, timeoutMs);
  const connection =
    status === undefined || !failure
      ? failure
      : {
          ...failure,
          answered: true as const,
          description: timedOut
            ? `the answer stopped: not complete within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}`
            : `the answer was cut off: ${failure.description}`,
        };
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
