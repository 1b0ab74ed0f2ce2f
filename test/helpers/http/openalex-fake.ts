import type { RecordedRequest, Script, Step } from "./http-server.js";

/** The body OpenAlex really sends for an unknown DOI (paper-qa cassette, 2025-11-04): HTML, not JSON. */
export const OPENALEX_404_HTML = `<!doctype html>
<html lang=en>
<title>404 Not Found</title>
<h1>Not Found</h1>
<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>
`;

/** A 404 step with the real HTML body and content type. */
export const NOT_FOUND_HTML: Step = {
  status: 404,
  headers: { "content-type": "text/html; charset=utf-8" },
  body: OPENALEX_404_HTML,
};

/** A work as the fake serves it (only what the tests need). */
export type FakeWork = Record<string, unknown> & { id: string; doi?: string | null; title?: string };

/** An OpenAlex-shaped work; `doi` is given bare and served as `https://doi.org/<lowercase>`. */
export function fakeWork(
  id: string,
  fields: { doi?: string; title?: string; year?: number; cited?: number; authors?: string[] } = {},
): FakeWork {
  const doi = fields.doi ? `https://doi.org/${fields.doi.toLowerCase()}` : null;
  return {
    id: `https://openalex.org/${id}`,
    doi,
    title: fields.title ?? `Work ${id}`,
    display_name: fields.title ?? `Work ${id}`,
    publication_year: fields.year ?? 2023,
    ids: { openalex: `https://openalex.org/${id}`, ...(doi ? { doi } : {}) },
    cited_by_count: fields.cited ?? 1,
    abstract_inverted_index: { Hello: [0], world: [1] },
    authorships: (fields.authors ?? []).map((name) => ({ author: { display_name: name }, institutions: [] })),
    primary_location: { pdf_url: null, landing_page_url: doi },
    best_oa_location: null,
    locations: [],
  };
}

/** What the fake knows; `override` may answer any request first (errors, counting, ...). */
export interface FakeOpenAlex {
  works: readonly FakeWork[];
  /** Bare lowercase DOIs the list endpoint leaves out (a merged preprint, an indexing hole). */
  hiddenFromList?: readonly string[];
  /** Singleton-only answers: bare lowercase DOI → the work the merge leads to. */
  aliases?: Readonly<Record<string, FakeWork>>;
  /** Candidates for a title search (default: none). */
  search?: (query: string, years: string | undefined) => readonly FakeWork[];
  /** Candidates for a `search=` query over title and text (default: none). */
  fullSearch?: (query: string, years: string | undefined) => readonly FakeWork[];
  override?: (request: ParsedRequest) => Step | undefined;
}

/** A request split into path, query and `filter` parts. */
export interface ParsedRequest {
  path: string;
  params: URLSearchParams;
  /** `filter=a:x,b:y` as `{a: "x", b: "y"}` (split on the first colon). */
  filter: Record<string, string>;
  /** Values of `filter=doi:A|B|…`. */
  dois: string[];
  raw: RecordedRequest;
}

/** Parse a recorded request as OpenAlex would read it. */
export function parseRequest(raw: RecordedRequest): ParsedRequest {
  const url = new URL(raw.url, "http://fake");
  const filter: Record<string, string> = {};
  for (const part of (url.searchParams.get("filter") ?? "").split(",")) {
    const colon = part.indexOf(":");
    if (colon > 0) filter[part.slice(0, colon)] = part.slice(colon + 1);
  }
  const dois = filter.doi ? filter.doi.split("|") : [];
  return { path: decodeURIComponent(url.pathname), params: url.searchParams, filter, dois, raw };
}

/** A list envelope like the real one (meta, results, group_by). */
export function listBody(results: readonly unknown[], perPage = 25): Record<string, unknown> {
  const meta = {
    count: results.length,
    db_response_time_ms: 3,
    page: 1,
    per_page: perPage,
    groups_count: null,
  };
  return { meta, results, group_by: [] };
}

/** A server script answering DOI lists, `/works/doi:` singletons and title searches from `fake`. */
export function openAlexScript(fake: FakeOpenAlex): Script {
  const bare = (doi: string) => doi.replace(/^https:\/\/doi\.org\//, "").toLowerCase();
  const byDoi = new Map(fake.works.filter((w) => w.doi).map((w) => [bare(w.doi!), w]));
  const hidden = new Set(fake.hiddenFromList ?? []);
  return (raw) => {
    const request = parseRequest(raw);
    const overridden = fake.override?.(request);
    if (overridden) return overridden;
    const perPage = Number(request.params.get("per_page") ?? 25);
    if (request.path.startsWith("/works/doi:")) {
      const doi = bare(request.path.slice("/works/doi:".length));
      const work = fake.aliases?.[doi] ?? byDoi.get(doi);
      return work ? { body: work } : NOT_FOUND_HTML;
    }
    if (request.path === "/works" && request.filter.doi !== undefined) {
      const found = request.dois.map(bare).flatMap((d) => (hidden.has(d) ? [] : (byDoi.get(d) ?? [])));
      return { body: listBody(found, perPage) };
    }
    if (request.path === "/works" && request.filter["title.search"] !== undefined) {
      const hits = fake.search?.(request.filter["title.search"], request.filter.publication_year) ?? [];
      return { body: listBody(hits.slice(0, perPage), perPage) };
    }
    if (request.path === "/works" && request.params.has("search")) {
      const hits =
        fake.fullSearch?.(request.params.get("search") ?? "", request.filter.publication_year) ?? [];
      return { body: listBody(hits.slice(0, perPage), perPage) };
    }
    return { status: 400, body: { error: "Invalid query parameters error.", message: raw.url } };
  };
}
