import type { RequestLogEntry } from "./server.js";

/**
 * OpenAlex's 2026 pricing (api-facts "Rate limits / pricing"): every request costs credits, 1 credit
 * = $0.0001. A singleton is free, a list or filter costs 1 and any full-text search 10, so a title
 * match by search costs ten times a DOI OR-filter. Amounts stay in whole credits; dollars are only
 * derived from them, so sums never drift.
 */

export const SINGLETON_CREDITS = 0;
export const LIST_CREDITS = 1;
export const SEARCH_CREDITS = 10;
export const CREDITS_PER_USD = 10_000;

/** The credits of an OpenAlex request: `path` below the API prefix (encoded or not), `params` its query. */
export function openAlexCredits(path: string, params: URLSearchParams): number {
  // `/works/<id>`; the id itself may hold slashes (`https://doi.org/10.…`).
  if (/^\/[^/]+\/./.test(path)) return SINGLETON_CREDITS;
  return isSearch(params) ? SEARCH_CREDITS : LIST_CREDITS;
}

/** `search=` or a filter such as `title.search:` or `default.search.no_stem:`. */
function isSearch(params: URLSearchParams): boolean {
  if (params.has("search")) return true;
  return params
    .getAll("filter")
    .flatMap((filter) => filter.split(","))
    .some((part) => /\.search(\.no_stem)?$/.test(part.split(":", 1)[0]!.trim()));
}

/** Dollars of whole `credits`, as OpenAlex prints them ("0.001", never "0.30000000000000004"). */
export function usdOf(credits: number): string {
  return String(credits / CREDITS_PER_USD);
}

/** Whole credits of a dollar amount ($0.0025 is 25 credits). */
export function creditsOfUsd(usd: number): number {
  return Math.round(usd * CREDITS_PER_USD);
}

/** Today's credits: spent by answered requests, refunded when the client left before the answer. */
export class DailyCredits {
  private spent = 0;
  /** `enforced`: refuse requests that do not fit; otherwise the limit only shows in the headers. */
  constructor(
    readonly limit: number,
    private readonly enforced: boolean,
  ) {}

  get remaining(): number {
    return Math.max(0, this.limit - this.spent);
  }

  /** Whether a request of `credits` may run; a free one always may. */
  fits(credits: number): boolean {
    return !this.enforced || credits <= this.remaining;
  }

  charge(credits: number): void {
    this.spent += credits;
  }

  refund(credits: number): void {
    this.spent -= credits;
  }
}

/** What an OpenAlex run was charged, summed from the request log. */
export interface OpenAlexSpend {
  credits: number;
  usd: number;
  searches: number;
  lists: number;
  singletons: number;
}

/** Sum the charged OpenAlex requests of `log` (entries with `credits`); refused ones carry none. */
export function openAlexSpend(log: readonly RequestLogEntry[]): OpenAlexSpend {
  const spend = { credits: 0, usd: 0, searches: 0, lists: 0, singletons: 0 };
  for (const entry of log) {
    if (entry.api !== "openalex" || entry.credits === undefined) continue;
    spend.credits += entry.credits;
    if (entry.credits === SEARCH_CREDITS) spend.searches++;
    else if (entry.credits === LIST_CREDITS) spend.lists++;
    else if (entry.credits === SINGLETON_CREDITS) spend.singletons++;
  }
  spend.usd = spend.credits / CREDITS_PER_USD;
  return spend;
}
