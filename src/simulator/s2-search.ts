import type { Corpus, SimWork } from "./corpus.js";
import { json, type Reply } from "./reply.js";
import { searchTitles } from "./search.js";

/**
 * S2 `GET /paper/search`: relevance search with `query`, `year`, `offset`, `limit`. Loose title
 * matching like `/paper/search/match` (decoys first), answered as `{total, offset, next?, data}`; an
 * empty result has no `data` key (fixture test_empty_paginated_results).
 */

/** Results the API lets one page through: offset + limit may not exceed it. */
export const S2_SEARCH_WINDOW = 1000;

/** Answer one `/paper/search` request; `render` gives a work with the requested fields. */
export function s2PaperSearch(
  corpus: Corpus,
  params: URLSearchParams,
  render: (work: SimWork) => Record<string, unknown>,
): Reply {
  const query = params.get("query")?.trim();
  if (!query) return json(400, { error: "Missing required parameter: 'query'" });
  const limit = integerParam(params.get("limit"), 10);
  const offset = integerParam(params.get("offset"), 0);
  if (limit === undefined || limit < 1 || limit > 100) {
    return json(400, { error: "Unacceptable query params: limit must be between 1 and 100" });
  }
  if (offset === undefined || offset < 0) {
    return json(400, { error: "Unacceptable query params: offset must be a non-negative integer" });
  }
  if (offset + limit > S2_SEARCH_WINDOW) {
    return json(400, { error: "Requested data for this limit and/or offset is not available" });
  }
  const years = parseYear(params.get("year"));
  if (years === null) return json(400, { error: `Unacceptable query params: year=${params.get("year")}` });
  const hits = searchTitles(corpus, query, years);
  const page = hits.slice(offset, offset + limit);
  const end = offset + page.length;
  return json(200, {
    total: hits.length,
    offset,
    ...(end < hits.length && end < S2_SEARCH_WINDOW ? { next: end } : {}),
    ...(page.length > 0 ? { data: page.map((h) => render(h.work)) } : {}),
  });
}

function integerParam(raw: string | null, fallback: number): number | undefined {
  if (raw === null) return fallback;
  const n = Number(raw);
  return raw.trim() !== "" && Number.isInteger(n) ? n : undefined;
}

/** `2019`, `2019-2021`, `2019-`, `-2021`; `{}` when absent, null when malformed. */
function parseYear(raw: string | null): { yearFrom?: number; yearTo?: number } | null {
  if (raw === null || raw.trim() === "") return {};
  const m = /^(\d{4})?(-)?(\d{4})?$/.exec(raw.trim());
  if (!m || (!m[1] && !m[3])) return null;
  const [from, dash, to] = [
    m[1] ? Number(m[1]) : undefined,
    m[2] !== undefined,
    m[3] ? Number(m[3]) : undefined,
  ];
  if (!dash) return to === undefined ? { yearFrom: from, yearTo: from } : null;
  if (from !== undefined && to !== undefined && from > to) return null;
  return { ...(from === undefined ? {} : { yearFrom: from }), ...(to === undefined ? {} : { yearTo: to }) };
}
