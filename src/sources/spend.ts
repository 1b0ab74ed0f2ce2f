/**
 * What a metered API says a request cost (OpenAlex, 2026: a USD budget per day). Its answers carry
 * `X-RateLimit-Cost-USD` (this request), `X-RateLimit-Remaining-USD` and `X-RateLimit-Limit-USD`
 * (today's budget). Sums are kept with model/usd.ts.
 */

export interface SpendHeaders {
  costUsd?: number;
  remainingUsd?: number;
  limitUsd?: number;
}

/** The cost headers of an answer; a header that is absent or not a non-negative number is left out. */
export function spendHeaders(headers: Headers): SpendHeaders {
  const read = (name: string): number | undefined => {
    const raw = headers.get(name);
    if (raw === null || raw.trim() === "") return undefined;
    const value = Number(raw);
    return Number.isFinite(value) && value >= 0 ? value : undefined;
  };
  const found: SpendHeaders = {};
  const cost = read("x-ratelimit-cost-usd");
  const remaining = read("x-ratelimit-remaining-usd");
  const limit = read("x-ratelimit-limit-usd");
  if (cost !== undefined) found.costUsd = cost;
  if (remaining !== undefined) found.remainingUsd = remaining;
  if (limit !== undefined) found.limitUsd = limit;
  return found;
}
