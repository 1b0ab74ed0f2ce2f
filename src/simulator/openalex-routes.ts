import { type Corpus, primaryDoi, type SimWork } from "./corpus.js";
import { OPENALEX_WORK_FIELDS, openAlexWork } from "./openalex-work.js";
import { hashOf } from "./prng.js";
import { json, openAlexBadRequest, openAlexNotFound, pickFields, type Reply } from "./reply.js";
import { type SearchHit, searchAll } from "./search.js";

/** A request as a route sees it: the path below the API prefix, still percent-encoded. */
export interface RouteRequest {
  method: string;
  path: string;
  params: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Bytes of the request target, for the 8190-byte request-line limit. */
  urlBytes: number;
}

const MAX_FILTER_VALUES = 100;
const MAX_REQUEST_LINE = 8190;
const PARAMS = new Set(
  "filter per_page per-page page select sort search cursor seed sample group_by api_key api-key mailto".split(
    " ",
  ),
);

/** Answer `GET /works?filter=…`, `GET /works/<id>` (doi:, https://doi.org/, W…) like api.openalex.org. */
export function openAlexRoute(corpus: Corpus, request: RouteRequest): Reply {
  if (request.urlBytes > MAX_REQUEST_LINE) {
    return json(400, { error: "Request URL too long", message: "The request line exceeds 8190 bytes." });
  }
  let path: string;
  try {
    path = decodeURIComponent(request.path);
  } catch {
    return openAlexNotFound();
  }
  if (request.method !== "GET") return openAlexNotFound();
  const unknown = [...request.params.keys()].find((k) => !PARAMS.has(k));
  if (unknown) return openAlexBadRequest(`${unknown} is not a valid parameter.`);
  const select = parseSelect(request.params.get("select"));
  if (typeof select === "string") return openAlexBadRequest(select);
  if (path === "/works" || path === "/works/") return listWorks(corpus, request.params, select);
  if (path.startsWith("/works/")) {
    const work = findWork(corpus, path.slice("/works/".length));
    return { ...(work ? json(200, pickFields(openAlexWork(work), select)) : openAlexNotFound()), ids: 1 };
  }
  return openAlexNotFound();
}

/** A singleton id: `doi:<doi>`, `https://doi.org/<doi>`, `W<n>` or `https://openalex.org/W<n>`. Follows merges. */
function findWork(corpus: Corpus, id: string): SimWork | undefined {
  const w = /^(?:https:\/\/openalex\.org\/)?(W\d+)$/i.exec(id);
  if (w) return corpus.byOpenAlexId.get(w[1]!.toUpperCase());
  const doi = bareDoi(id.replace(/^doi:/i, ""));
  return corpus.byDoi.get(doi) ?? corpus.byMergedDoi.get(doi);
}

function bareDoi(value: string): string {
  return value
    .trim()
    .replace(/^https?:\/\/(dx\.)?doi\.org\//i, "")
    .toLowerCase();
}

function parseSelect(raw: string | null): ReadonlySet<string> | undefined | string {
  if (raw === null) return undefined;
  const fields = raw.split(",").map((f) => f.trim());
  const bad = fields.find((f) => !OPENALEX_WORK_FIELDS.has(f));
  if (bad !== undefined) {
    return `${bad} is not a valid select field. Valid fields for select are: ${[...OPENALEX_WORK_FIELDS].join(", ")}.`;
  }
  return new Set(fields);
}

interface Filter {
  dois?: Set<string>;
  search?: string;
  from: number;
  to: number;
}

function parseFilter(raw: string | null): Filter | string {
  const filter: Filter = { from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY };
  for (const part of (raw ?? "").split(",").filter((p) => p !== "")) {
    const colon = part.indexOf(":");
    const [key, value] = colon < 0 ? [part, ""] : [part.slice(0, colon), part.slice(colon + 1)];
    if (key === "doi") {
      const values = value.split("|").map(bareDoi);
      if (values.length > MAX_FILTER_VALUES) {
        return "Maximum number of values exceeded for doi. Decrease values to 100 or below.";
      }
      filter.dois = new Set(values);
    } else if (key === "title.search" || key === "display_name.search") {
      filter.search = value;
    } else if (key === "publication_year") {
      const years = parseYears(value);
      if (!years) return `Value for param publication_year must be a number or a range: ${value}`;
      [filter.from, filter.to] = years;
    } else {
      return `${key} is not a valid field to filter by.`;
    }
  }
  return filter;
}

function parseYears(value: string): [number, number] | undefined {
  const range = /^(\d{4})?-(\d{4})?$/.exec(value);
  if (range && (range[1] || range[2])) {
    return [Number(range[1] ?? Number.NEGATIVE_INFINITY), Number(range[2] ?? Number.POSITIVE_INFINITY)];
  }
  const cmp = /^([<>]?)(\d{4})$/.exec(value);
  if (!cmp) return undefined;
  const year = Number(cmp[2]);
  if (cmp[1] === "<") return [Number.NEGATIVE_INFINITY, year - 1];
  if (cmp[1] === ">") return [year + 1, Number.POSITIVE_INFINITY];
  return [year, year];
}

function listWorks(corpus: Corpus, params: URLSearchParams, select: ReadonlySet<string> | undefined): Reply {
  const filter = parseFilter(params.get("filter"));
  if (typeof filter === "string") return openAlexBadRequest(filter);
  const perPage = Number(params.get("per_page") ?? params.get("per-page") ?? 25);
  const page = Number(params.get("page") ?? 1);
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > 200) {
    return openAlexBadRequest("per-page parameter must be between 1 and 200");
  }
  if (!Number.isInteger(page) || page < 1)
    return openAlexBadRequest("page parameter must be a positive integer");
  if (page * perPage > 10_000) {
    return openAlexBadRequest(
      "Maximum results size of 10,000 records is exceeded. Cursor pagination is required for records beyond 10,000.",
    );
  }
  const inYears = (w: SimWork) => w.year >= filter.from && w.year <= filter.to;
  const hasDoi = (w: SimWork) => !filter.dois || filter.dois.has(primaryDoi(w) ?? "");
  const search = params.get("search")?.trim() || undefined;
  let found: Array<{ work: SimWork; relevance?: number }>;
  if (filter.search !== undefined || search !== undefined) {
    found = searchHits(corpus, filter, search)
      .filter((h) => hasDoi(h.work))
      .map((h) => ({ work: h.work, relevance: relevanceOf(h.rank) }));
  } else if (filter.dois) {
    const works = new Set([...filter.dois].flatMap((d) => corpus.byDoi.get(d) ?? []).filter(inYears));
    found = [...works].sort((a, b) => a.index - b.index).map((work) => ({ work }));
  } else {
    found = corpus.works.filter(inYears).map((work) => ({ work }));
  }
  const results = found
    .slice((page - 1) * perPage, page * perPage)
    .map(({ work, relevance }) => pickFields(openAlexWork(work, relevance), select));
  const meta = {
    count: found.length,
    db_response_time_ms: 5 + (hashOf("db", params.toString()) % 60),
    page,
    per_page: perPage,
    groups_count: null,
  };
  return { ...json(200, { meta, results, group_by: [] }), ids: filter.dois?.size };
}

/**
 * `filter=title.search:` and `search=` hits, both AND searches (every query word must occur, in the
 * title or in title plus abstract); with both, the title search's order, kept to works the other finds.
 */
function searchHits(corpus: Corpus, filter: Filter, search: string | undefined): SearchHit[] {
  const years = { yearFrom: filter.from, yearTo: filter.to };
  const full = search === undefined ? undefined : searchAll(corpus, search, { ...years, abstracts: true });
  if (filter.search === undefined) return full ?? [];
  const hits = searchAll(corpus, filter.search, years);
  if (!full) return hits;
  const inFull = new Set(full.map((h) => h.work.index));
  return hits.filter((h) => inFull.has(h.work.index));
}

/** An Elasticsearch-like score (the fixtures show 800-ish for exact title hits). */
function relevanceOf(score: number): number {
  return Math.round(score * score * 804.17926 * 1e5) / 1e5;
}
