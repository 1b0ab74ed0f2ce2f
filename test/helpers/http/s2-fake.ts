import { type Paper, parsePaper } from "../../../src/model/paper.js";
import type { RecordedRequest, Script, Step } from "./http-server.js";

/** Fields of a test paper; `paper_id` and `title` are required, the rest has defaults. */
export interface TestPaperFields {
  paper_id: string;
  title: string;
  year?: number;
  doi?: string | null;
  arxiv_id?: string | null;
  authors?: unknown[];
}

/** A parsed paper for client tests. */
export function testPaper(fields: TestPaperFields): Paper {
  const result = parsePaper({ venue: "NeurIPS", year: 2017, authors: ["Ada Quill"], ...fields }, 0);
  if (!result.ok) throw new Error(`bad test paper: ${JSON.stringify(result.issues)}`);
  return result.paper;
}

/** An S2 paper object as the batch endpoint answers it for `id` ("DOI:..." / "ARXIV:..."). */
export function s2PaperFor(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const [prefix, value = ""] = id.split(/:(.*)/s);
  const externalIds = prefix === "DOI" ? { DOI: value } : { ArXiv: value };
  const hash = [...id].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
  return {
    paperId: `s2-${hash.toString(16)}`,
    corpusId: hash % 1_000_000,
    externalIds: { ...externalIds, CorpusId: hash % 1_000_000 },
    title: `Paper ${value}`,
    year: 2017,
    abstract: `Abstract of ${id}`,
    citationCount: hash % 1000,
    openAccessPdf: { url: "", status: null, license: null },
    authors: [{ authorId: "1", name: "Ada Quill", affiliations: [] }],
    ...extra,
  };
}

/** How the fake Semantic Scholar server answers. */
export interface S2FakeOptions {
  /** Answer for one batch id; `null` is "not found". Default {@link s2PaperFor}. */
  paper?: (id: string) => unknown;
  /** The `/paper/search/match` candidate for a title query; undefined gives S2's 404. */
  match?: (query: string) => Record<string, unknown> | undefined;
  /** `/paper/search` hits for a query and `year` range (default none: `{total: 0, offset: 0}`). */
  search?: (query: string, year: string | null) => readonly Record<string, unknown>[];
  /** A step that overrides the normal answer for a request (e.g. a 429 for the first one). */
  override?: (request: RecordedRequest) => Step | undefined;
}

/** The ids of a recorded `POST /paper/batch` request. */
export function batchIds(request: RecordedRequest | undefined): string[] {
  return (JSON.parse(request?.body ?? "{}") as { ids?: string[] }).ids ?? [];
}

/** A script for `startTestServer` that behaves like the S2 batch and title-match endpoints. */
export function s2FakeScript(options: S2FakeOptions = {}): Script {
  const paper = options.paper ?? ((id: string) => s2PaperFor(id));
  return (request) => {
    const overridden = options.override?.(request);
    if (overridden) return overridden;
    const url = new URL(request.url, "http://127.0.0.1");
    if (request.method === "POST" && url.pathname.endsWith("/paper/batch")) {
      return { body: batchIds(request).map((id) => paper(id)) };
    }
    if (request.method === "GET" && url.pathname.endsWith("/paper/search/match")) {
      const hit = options.match?.(url.searchParams.get("query") ?? "");
      return hit ? { body: { data: [hit] } } : { status: 404, body: { error: "Title match not found" } };
    }
    if (request.method === "GET" && url.pathname.endsWith("/paper/search")) {
      const hits = options.search?.(url.searchParams.get("query") ?? "", url.searchParams.get("year")) ?? [];
      // The real API leaves `data` out of an empty result.
      return {
        body: hits.length > 0 ? { total: hits.length, offset: 0, data: hits } : { total: 0, offset: 0 },
      };
    }
    return { status: 404, body: { error: `no route ${request.method} ${url.pathname}` } };
  };
}
