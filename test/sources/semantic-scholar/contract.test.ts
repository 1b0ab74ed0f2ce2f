import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { z } from "zod";
import { type PaperUpdate, paperUpdateSchema } from "../../../src/model/paper-update.js";
import { createSemanticScholarClient } from "../../../src/sources/semantic-scholar/client.js";
import { mapS2Paper, sameAuthorName } from "../../../src/sources/semantic-scholar/mapping.js";
import {
  type S2Paper,
  s2AuthorBatchResponseSchema,
  s2AuthorPageSchema,
  s2AuthorSchema,
  s2BatchResponseSchema,
  s2ErrorBodySchema,
  s2MatchResponseSchema,
  s2PaperSchema,
  s2SearchResponseSchema,
  TITLE_MATCH_NOT_FOUND,
} from "../../../src/sources/semantic-scholar/schema.js";
import { startTestServer, type TestServer } from "../../helpers/http/http-server.js";
import { testPaper } from "../../helpers/http/s2-fake.js";

// Real recorded S2 bodies, read in place (provenance: fixtures/SOURCES.md and extracted/MANIFEST_*.json).
const FIXTURES = path.resolve(import.meta.dirname, "../../../../shared/fixtures");
const read = (file: string): unknown => JSON.parse(readFileSync(path.join(FIXTURES, file), "utf8"));
const X = (name: string) => `extracted/${name}`;
const TS = "2026-01-02T03:04:05";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface ManifestEntry {
  file: string;
  method: string;
  uri: string;
  status: number;
}

const manifest = readdirSync(path.join(FIXTURES, "extracted"))
  .filter((f) => /^MANIFEST_.*\.json$/.test(f))
  .flatMap((f) => read(X(f)) as ManifestEntry[]);
const s2Entries = manifest.filter((e) => new URL(e.uri).host === "api.semanticscholar.org");

function schemaFor(e: ManifestEntry): z.ZodType {
  const route = new URL(e.uri).pathname.replace(/^\/graph\/v1/, "");
  if (e.status >= 400) return s2ErrorBodySchema;
  if (route === "/paper/batch") return s2BatchResponseSchema;
  if (route === "/author/batch") return s2AuthorBatchResponseSchema;
  if (route === "/paper/search/match") return s2MatchResponseSchema;
  if (route === "/paper/search" || route === "/paper/search/bulk") return s2SearchResponseSchema;
  if (route.startsWith("/paper/") && route.endsWith("/authors")) return s2AuthorPageSchema;
  if (route.startsWith("/paper/")) return s2PaperSchema;
  throw new Error(`no schema for ${e.method} ${route}`);
}

// Every S2 body: the 39 decoded recordings, the 3 top-level JSON dumps and the 2 quoted 429 bodies.
const CASES: [string, z.ZodType][] = [
  ...s2Entries.map((e): [string, z.ZodType] => [e.file, schemaFor(e)]),
  ["danielnsilva-semanticscholar__Paper.json", s2PaperSchema],
  ["danielnsilva-semanticscholar__PaperWithNullValues.json", s2PaperSchema],
  ["danielnsilva-semanticscholar__Author.json", s2AuthorSchema],
  ...readdirSync(path.join(FIXTURES, "quoted"))
    .filter((f) => f.includes("429"))
    .map((f): [string, z.ZodType] => [`quoted/${f}`, s2ErrorBodySchema]),
];

function parse<S extends z.ZodType>(schema: S, file: string): z.infer<S> {
  return schema.parse(read(file));
}

/** Every paper object of a parsed 200 body. */
function papersIn(body: unknown): S2Paper[] {
  const list = Array.isArray(body) ? body : ((body as { data?: unknown[] | null }).data ?? [body]);
  return list.flatMap((p) => (s2PaperSchema.safeParse(p).success ? [s2PaperSchema.parse(p)] : []));
}

const ours = (fields: Partial<Parameters<typeof testPaper>[0]> = {}) =>
  testPaper({ paper_id: "P1", title: "Some title", ...fields });
const ids = (u: PaperUpdate) =>
  u.records.identifiers?.map((r) => [r.data.identifier_type, r.data.identifier_value]);

describe("Semantic Scholar fixtures: every recorded body parses", () => {
  it("finds all 39 S2 recordings (the *s2_* glob also catches one OpenAlex file: attributes2___2_openalex)", () => {
    const globbed = readdirSync(path.join(FIXTURES, "extracted")).filter((f) => /s2_.*\.json$/.test(f));
    const s2Files = new Set(s2Entries.map((e) => e.file));
    expect(s2Files.size).toBe(39);
    expect(globbed.filter((f) => !s2Files.has(X(f)))).toEqual([
      "Future-House-paper-qa__test_doi_search_paper_attributes2___2_openalex_200.json",
    ]);
    expect(CASES).toHaveLength(44);
  });

  it.each(CASES)("%s", (file, schema) => {
    const result = schema.safeParse(read(file));
    expect(result.error).toBeUndefined();
  });

  it("maps every recorded paper to a valid update with each identifier once and one s2_paper", () => {
    const bodies = s2Entries.filter((e) => e.status === 200).map((e) => read(e.file));
    const papers = [...bodies, read("danielnsilva-semanticscholar__Paper.json")].flatMap(papersIn);
    expect(papers.length).toBeGreaterThan(1000);
    for (const s2 of papers) {
      const update = paperUpdateSchema.parse(mapS2Paper(ours(), s2, TS));
      const pairs = (ids(update) ?? []).map((p) => p.join("="));
      expect(new Set(pairs).size).toBe(pairs.length);
      expect(pairs.filter((p) => p.startsWith("s2_paper="))).toEqual([`s2_paper=${s2.paperId}`]);
    }
  });
});

describe("Semantic Scholar fixtures: concrete values", () => {
  const BATCH = X("danielnsilva-semanticscholar__test_get_papers_not_found_warning__0_s2_200.json");

  it("batch with an unknown id: null at its input position, full paper mapped", () => {
    const body = parse(s2BatchResponseSchema, BATCH);
    expect(body).toHaveLength(4);
    expect(body[0]).toBeNull();
    const s2 = body[1]!;
    expect([s2.paperId, s2.corpusId, s2.externalIds?.DOI]).toEqual([
      "c31c87c591a25c64fbaa82e8ac6a81831b6ac7ce",
      470667,
      "10.2139/ssrn.288970",
    ]);
    const update = mapS2Paper(ours({ doi: "" }), s2, TS);
    expect(update.records.citations).toEqual([
      { source: "semantic_scholar", timestamp: TS, original: false, data: { count: 10670 } },
    ]);
    expect(update.records.abstracts?.[0]?.data.text).toMatch(
      /^Most Difference-in-Difference \(DD\) papers rely/,
    );
    expect(update.records.urls?.map((r) => r.data.url)).toEqual(["http://papers.nber.org/papers/w8841.pdf"]);
    expect(ids(update)).toEqual([
      ["s2_paper", "c31c87c591a25c64fbaa82e8ac6a81831b6ac7ce"],
      ["s2_corpus", "470667"],
      ["doi", "10.2139/ssrn.288970"],
      ["mag", "2096684396"],
    ]);
    expect(update.fill).toEqual({ doi: "10.2139/ssrn.288970" });
    expect(body[3]?.openAccessPdf).toBeNull();
    expect(mapS2Paper(ours(), body[3]!, TS).records.urls).toBeUndefined();
  });

  it("a null in a batch answer gives not_found through the client", async () => {
    server = await startTestServer([{ body: read(BATCH) }]);
    const client = createSemanticScholarClient({ baseUrl: server.url, version: "0.1.0", ratePerSecond: 100 });
    const dois = ["10.1/unknown", "10.2139/ssrn.288970", "10.2139/ssrn.2250500", "10.1257/rct.1355"];
    const batch = dois.map((doi, i) => ours({ paper_id: `B${i}`, doi }));
    const { results } = await client.lookupBatch(batch);
    expect(results.map((r) => r.outcome)).toEqual(["not_found", "matched", "matched", "matched"]);
    expect(results[2]?.outcome === "matched" && results[2].update.records.citations?.[0]?.data.count).toBe(
      2185,
    );
  });

  it("empty openAccessPdf.url ({url:'', status:null|CLOSED}) gives no url record; count 0 is kept", () => {
    const s2 = parse(s2PaperSchema, X("Future-House-paper-qa__test_bulk_doi_search__1_s2_200.json"));
    expect(s2.openAccessPdf).toEqual({ url: "", status: null, license: null });
    const update = mapS2Paper(ours(), s2, TS);
    expect(update.records.urls).toBeUndefined();
    expect(update.records.citations?.[0]?.data.count).toBe(0);
    const closed = parse(
      s2MatchResponseSchema,
      X("Future-House-paper-qa__test_bulk_title_search__2_s2_200.json"),
    );
    expect(closed.data?.[0]?.openAccessPdf?.status).toBe("CLOSED");
    expect(closed.data?.[0]?.venue).toBe("");
    expect(mapS2Paper(ours(), closed.data![0]!, TS).records.urls).toBeUndefined();
  });

  it("Paper.json: openAccessPdf null, upper-case DOI, dblp and mag ids", () => {
    const s2 = parse(s2PaperSchema, "danielnsilva-semanticscholar__Paper.json");
    const update = mapS2Paper(ours({ doi: null }), s2, TS);
    expect(update.records.citations?.[0]?.data.count).toBe(10059);
    expect(update.records.abstracts?.[0]?.data.text).toMatch(
      /^I propose to consider the question, “Can machines/,
    );
    expect(update.records.urls).toBeUndefined();
    expect(ids(update)).toEqual([
      ["s2_paper", "2d5673caa9e6af3a7b82a43f19ee920992db07ad"],
      ["s2_corpus", "14636783"],
      ["doi", "10.1093/MIND/LIX.236.433"],
      ["mag", "2145482038"],
      ["dblp", "journals/x/Turing50"],
    ]);
    expect(update.fill).toEqual({ doi: "10.1093/mind/lix.236.433" });
    expect(update.affiliations).toBeUndefined(); // S2 lists A. Turing with no affiliations
  });

  it("search/match: matchScore parsed; arXiv and PubMed ids mapped; DOI fill normalised", () => {
    const match = parse(
      s2MatchResponseSchema,
      X("danielnsilva-semanticscholar__test_search_paper_match_title__0_s2_200.json"),
    );
    expect(match.data?.[0]).toMatchObject({
      title: "Mining association rules between sets of items in large databases",
    });
    expect(match.data?.[0]?.matchScore).toBe(109.55098);
    const paperqa = parse(
      s2MatchResponseSchema,
      X("Future-House-paper-qa__test_title_search_paper_attributes1___1_s2_200.json"),
    );
    const update = mapS2Paper(ours({ doi: "", arxiv_id: null }), paperqa.data![0]!, TS);
    expect(update.records.citations?.[0]?.data.count).toBe(106);
    expect(ids(update)).toContainEqual(["doi", "10.48550/arXiv.2312.07559"]);
    expect(update.fill).toEqual({ doi: "10.48550/arxiv.2312.07559", arxiv_id: "2312.07559" });
    const chem = parse(
      s2MatchResponseSchema,
      X("Future-House-paper-qa__test_author_matching__1_s2_200.json"),
    );
    expect(ids(mapS2Paper(ours(), chem.data![0]!, TS))).toContainEqual(["pmid", "38799228"]);
  });

  it("search without hits has no data key; a page has total/next", () => {
    const empty = parse(
      s2SearchResponseSchema,
      X("danielnsilva-semanticscholar__test_empty_paginated_results__0_s2_200.json"),
    );
    expect(empty).toEqual({ total: 0, offset: 0 });
    const page = parse(
      s2SearchResponseSchema,
      X("danielnsilva-semanticscholar__test_search_paper__0_s2_200.json"),
    );
    expect([page.total, page.next, page.data?.length]).toEqual([70499, 100, 100]);
  });

  it("error bodies: 404 title / paper not found, 400 unsupported fields, 429 quoted", () => {
    const error = (file: string) => parse(s2ErrorBodySchema, file);
    expect(error(X("Future-House-paper-qa__test_bad_titles__1_s2_404.json")).error).toBe(
      TITLE_MATCH_NOT_FOUND,
    );
    expect(error(X("Future-House-paper-qa__test_bulk_doi_search__3_s2_404.json")).error).toBe(
      "Paper with id DOI:10.1101/2024.04.01.587366 not found",
    );
    expect(error(X("danielnsilva-semanticscholar__test_not_found__0_s2_404.json")).error).toBe(
      "Paper with id 0 not found",
    );
    expect(error(X("danielnsilva-semanticscholar__test_bad_query_parameters__0_s2_400.json")).error).toBe(
      "Unrecognized or unsupported fields: [unknown]",
    );
    const tooMany = error("quoted/issue-SakanaAI-AI-Scientist-84__s2_429_with_url.json");
    expect([tooMany.code, tooMany.message?.startsWith("Too Many Requests.")]).toEqual(["429", true]);
  });

  it("a recorded 404 Title match not found body gives not_found through the client", async () => {
    const body = read(X("Future-House-paper-qa__test_bad_dois__0_s2_404.json"));
    // Then the fallback search; its recorded empty answer has no `data` key.
    const empty = { total: 0, offset: 0 };
    server = await startTestServer([{ status: 404, body }, { body: empty }]);
    const client = createSemanticScholarClient({ baseUrl: server.url, version: "0.1.0", ratePerSecond: 100 });
    const { results, apiCalls } = await client.lookupBatch([ours({ title: "abs12032jsdafn" })]);
    expect(results).toEqual([
      {
        paper_id: "P1",
        outcome: "not_found",
        answer: expect.objectContaining({ status: "not_found", payload: null }),
      },
    ]);
    expect(apiCalls).toBe(2);
    expect(new URL(server.requests[1]!.url, "http://x").pathname).toMatch(/\/paper\/search$/);
  });

  it("after a match miss, takes the verified candidate of a recorded /paper/search page (100 results)", async () => {
    const miss = read(X("Future-House-paper-qa__test_bad_dois__0_s2_404.json"));
    const page = read(X("danielnsilva-semanticscholar__test_search_paper__0_s2_200.json"));
    server = await startTestServer([{ status: 404, body: miss }, { body: page }]);
    const client = createSemanticScholarClient({ baseUrl: server.url, version: "0.1.0", ratePerSecond: 100 });
    const title = "Quantum theory, the Church&#8211;Turing principle and the universal quantum computer*";
    const { results } = await client.lookupBatch([ours({ title, year: 1985 })]);
    expect(results[0]?.outcome).toBe("matched");
    const ids = results[0]?.outcome === "matched" ? (results[0].update.records.identifiers ?? []) : [];
    expect(ids.find((r) => r.data.identifier_type === "s2_paper")?.data.identifier_value).toBe(
      "6b0f06617d9f5256a80ed62d9398acb92a55a6bd",
    );
    const search = new URL(server.requests[1]!.url, "http://x");
    expect(search.searchParams.get("query")).toBe(
      "Quantum theory the Church Turing principle and the universal quantum computer",
    );
    expect(search.searchParams.get("year")).toBe("1984-1986");
  });
});

describe("Semantic Scholar mapping: author affiliations", () => {
  const turing = parse(s2PaperSchema, "danielnsilva-semanticscholar__Paper.json");
  const withAffiliation = {
    ...turing,
    authors: [{ ...turing.authors![0]!, affiliations: ["University of Manchester"] }],
  };

  it("fills an empty list when the name matches, never overwrites, ignores other names", () => {
    const fill = (authors: unknown[]) => mapS2Paper(ours({ authors }), withAffiliation, TS).affiliations;
    expect(fill(["Alan M. Turing"])).toEqual([
      { index: 0, name: "Alan M. Turing", affiliations: ["University of Manchester"] },
    ]);
    expect(fill([{ name: "Turing, Alan", affiliations: ["NPL"] }])).toBeUndefined();
    expect(fill(["Ada Quill", "B. Turing"])).toBeUndefined();
  });

  it.each([
    ["E. Duflo", "Esther Duflo", true],
    ["Andrés M Bran", "ANDRES BRAN", true],
    ["Odhran O'Donoghue", "Odhran ODonoghue", true],
    ["Ming-Wei Chang", "M. Chang", true],
    ["Turing, Alan", "A. Turing", true],
    ["A. Banerjee", "Esther Banerjee", false],
    ["Sam Cox", "Sam Cole", false],
  ])("sameAuthorName(%s, %s) = %s", (a, b, expected) => {
    expect(sameAuthorName(a, b)).toBe(expected);
  });
});
