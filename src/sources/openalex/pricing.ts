import { addUsd, roundUsd } from "../../model/usd.js";
import type { HttpEvent } from "../http.js";
import { HttpError } from "../http-error.js";
import { openalex } from "./source.js";

/**
 * What OpenAlex charges (api-facts "Rate limits / pricing", 2026): a lookup by id or DOI is free, a
 * list or filter request costs $0.0001, any search (`search=`, or a `*.search` filter such as the
 * `title.search` cf uses for title-only papers) $0.001. A free key has $1 a day.
 */
export type OpenAlexRequestKind = "singleton" | "list" | "search";
const PRICES: Readonly<Record<OpenAlexRequestKind, number>> = openalex.pricing ?? {
  singleton: 0,
  list: 0,
  search: 0,
};

/** The kind of an OpenAlex request by its URL: `/works/<id>` is a singleton, `/works?…` a list or a search. */
export function openAlexRequestKind(url: string): OpenAlexRequestKind {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "list";
  }
  // `/works/<id>`: the id may hold (encoded) slashes, `doi:10.1000/x`.
  if (/\/works\/./.test(parsed.pathname)) return "singleton";
  const filter = parsed.searchParams.get("filter") ?? "";
  const searches = parsed.searchParams.has("search") || /(^|,)\s*[a-z_.]+\.search(\.no_stem)?:/.test(filter);
  return searches ? "search" : "list";
}

/** The documented price of a request (what is counted when an answer carries no cost header). */
export function openAlexPrice(url: string): number {
  return PRICES[openAlexRequestKind(url)];
}

/**
 * The run's spending cap (`--openalex-max-cost`): a paid lookup starts only while what the run spent,
 * plus what the lookups in flight may still cost, plus its own most, stays within the cap. A title
 * lookup holds the price of its two searches (title search and fallback) from the start, so that a
 * lookup once begun can finish: holding one search at a time would let parallel first searches
 * take the whole cap and every fallback be refused, and no paper would ever be done. Spend is what
 * the answers report (their cost header, else the documented price).
 */
export class SpendCap {
  private spent = 0;
  private inFlight = 0;

  constructor(readonly capUsd: number) {}

  /** Count what an answer cost (give it every HTTP event of the source). */
  observe(event: HttpEvent): void {
    if (event.type === "response" && event.spend?.costUsd)
      this.spent = addUsd(this.spent, event.spend.costUsd);
  }

  /** A lookup that may cost up to `mostUsd` would start now. */
  fits(mostUsd: number): boolean {
    return mostUsd <= 0 || roundUsd(this.spent + this.inFlight + mostUsd) <= this.capUsd;
  }

  /** Run `lookup`, which may cost up to `mostUsd`, if that fits under the cap; else throw a `budget_exhausted` stop. */
  async within<T>(mostUsd: number, url: string, lookup: () => Promise<T>): Promise<T> {
    if (!this.fits(mostUsd)) {
      // A cap below one lookup would stop every run at once, with nothing done: say so.
      const message =
        mostUsd > this.capUsd
          ? `OpenAlex: the --openalex-max-cost cap of $${this.capUsd} is below what one lookup may cost ($${mostUsd}: a title search and its fallback), so the papers that need one are left; raise the cap to look them up`
          : `OpenAlex: this run reached its --openalex-max-cost cap of $${this.capUsd} ($${this.spent.toFixed(4)} spent, up to $${this.inFlight.toFixed(4)} in flight; the next lookup may cost $${mostUsd})`;
      throw new HttpError({ kind: "budget_exhausted", url, message });
    }
    this.inFlight = addUsd(this.inFlight, mostUsd);
    try {
      return await lookup();
    } finally {
      this.inFlight = roundUsd(this.inFlight - mostUsd);
    }
  }
}

/** The most one title lookup costs: its title search and its fallback search. */
export function titleLookupPrice(): number {
  return 2 * PRICES.search;
}
