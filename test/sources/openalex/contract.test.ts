import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { type Paper, parsePaper } from "../../../src/model/paper.js";
import { applyPaperUpdate, type PaperUpdate } from "../../../src/model/paper-update.js";
import { createOpenAlexClient } from "../../../src/sources/openalex/client.js";
import { mapWork, rebuildAbstract } from "../../../src/sources/openalex/mapping.js";
import { type OpenAlexWork, workSchema, worksListSchema } from "../../../src/sources/openalex/schema.js";
import { compareTitles } from "../../../src/sources/title-matcher.js";
import { startTestServer, type TestServer } from "../../helpers/http/http-server.js";

// Real recorded OpenAlex bodies, read in place (provenance: ../../../../shared/fixtures/SOURCES.md).
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../shared/fixtures");
const EXTRACTED = path.join(FIXTURES, "extracted");
const B_VITAMINS = "b-vitamins-openalex-python__W2741809807.json";
const GO_OPENALEX = "max-planck-innovation-competition-go-openalex__W2741809807.json";
const PAPER_QA = "Future-House-paper-qa__test_";
// Local time: records carry a naive local timestamp like the Python tool wrote.
const NOW = new Date(2026, 2, 1, 12, 0, 0, 250);

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, "utf8"));
const work = (file: string): OpenAlexWork => workSchema.parse(readJson(file));
const extracted = (name: string) => path.join(EXTRACTED, `${PAPER_QA}${name}`);

function paper(fields: Record<string, unknown>): Paper {
  const result = parsePaper({ venue: "ICML", year: 2018, paper_id: "P1", ...fields }, 0);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.paper;
}

function values(update: PaperUpdate) {
  const r = update.records;
  return {
    citations: r.citations?.map((c) => c.data.count),
    abstract: r.abstracts?.[0]?.data.text,
    urls: r.urls?.map((u) => u.data.url) ?? [],
    ids: Object.fromEntries(
      r.identifiers?.map((i) => [i.data.identifier_type, i.data.identifier_value]) ?? [],
    ),
    idTypes: r.identifiers?.map((i) => i.data.identifier_type) ?? [],
  };
}

const STATE_OF_OA = {
  title: "The state of OA: a large-scale analysis of the prevalence and impact of Open Access articles",
  authors: [
    "Heather Piwowar",
    { name: "Jason Priem", affiliations: ["Our Lab"] },
    "Vincent Lariviere",
    "Alperin, J. P.",
    "Jevin West",
    "Somebody Else",
  ],
};

describe("OpenAlex single work W2741809807 (2025 schema, b-vitamins)", () => {
  const w = work(path.join(FIXTURES, B_VITAMINS));
  const p = paper(STATE_OF_OA);
  const update = mapWork(p, w, () => NOW);

  it("maps citation count, abstract, DOI and every identifier once", () => {
    const v = values(update);
    expect(v.citations).toEqual([962]);
    expect(v.abstract).toMatch(
      /^Despite growing interest in Open Access \(OA\) to scholarly literature, there/,
    );
    expect(v.abstract?.split(" ")).toHaveLength(258);
    expect(v.ids).toEqual({
      openalex: "https://openalex.org/W2741809807",
      doi: "10.7717/peerj.4375",
      pmid: "https://pubmed.ncbi.nlm.nih.gov/29456894",
      pmcid: "https://www.ncbi.nlm.nih.gov/pmc/articles/5815332",
      mag: "2741809807",
    });
    expect(v.idTypes).toHaveLength(5);
    expect(update.fill).toEqual({
      openalex_id: "https://openalex.org/W2741809807",
      doi: "10.7717/peerj.4375",
    });
    expect(update.records.citations?.[0]).toMatchObject({
      source: "openalex",
      timestamp: "2026-03-01T12:00:00.250000",
      original: false,
    });
  });

  it("collects PDF URLs from primary, best OA and all locations without repeats", () => {
    expect(values(update).urls).toEqual([
      "https://peerj.com/articles/4375.pdf",
      "https://europepmc.org/articles/pmc5815332?pdf=render",
      "https://digitalcommons.unl.edu/cgi/viewcontent.cgi?article=1143&context=scholcom",
      "https://papyrus.bib.umontreal.ca/xmlui/bitstream/1866/23242/1/peerj-06-4375.pdf",
    ]);
  });

  it("fills empty affiliations of matching authors only (accents, 'Last, F.', initials)", () => {
    expect(update.affiliations).toEqual([
      { index: 0, name: "Heather Piwowar", affiliations: ["Impact Technology Development (United States)"] },
      {
        index: 2,
        name: "Vincent Lariviere",
        affiliations: ["Université de Montréal", "Université du Québec à Montréal"],
      },
      {
        index: 3,
        name: "Alperin, J. P.",
        affiliations: ["Simon Fraser University", "Public Knowledge Project"],
      },
      { index: 4, name: "Jevin West", affiliations: ["University of Washington", "Seattle University"] },
    ]);
    const target = paper(STATE_OF_OA);
    expect(applyPaperUpdate(target, update).affiliationsFilled).toBe(4);
    expect(target.authors[1]?.affiliations).toEqual(["Our Lab"]);
    expect(target.processing_flags.affiliation_sources).toEqual({
      0: "openalex",
      2: "openalex",
      3: "openalex",
      4: "openalex",
    });
    expect(applyPaperUpdate(target, update)).toEqual({
      recordsAdded: 0,
      fieldsFilled: 0,
      affiliationsFilled: 0,
    });
  });
});

describe("OpenAlex single work W2741809807 (2023 schema, go-openalex)", () => {
  it("parses the older schema (raw_affiliation_string, ngrams_url, no indexed_in) to the same values", () => {
    const update = mapWork(paper(STATE_OF_OA), work(path.join(FIXTURES, GO_OPENALEX)), () => NOW);
    const v = values(update);
    expect(v.citations).toEqual([562]);
    expect(v.abstract).toMatch(/^Despite growing interest in Open Access/);
    expect(v.ids.mag).toBe("2741809807");
    expect(v.urls[0]).toBe("https://peerj.com/articles/4375.pdf");
    expect(v.urls).toHaveLength(4);
    expect(update.affiliations?.find((a) => a.index === 3)?.affiliations).toEqual([
      "Simon Fraser University",
    ]);
  });
});

describe("paper-qa singleton works (GET /works/https://doi.org/<doi>)", () => {
  it("maps a work with a null abstract and no PDF: citations and ids only", () => {
    const w = work(extracted("doi_search_paper_attributes0___2_openalex_200.json"));
    const p = paper({ title: "High-throughput screening", authors: ["Michael Herger", "G. M. Findlay"] });
    const update = mapWork(p, w, () => NOW);
    const v = values(update);
    expect(v.citations).toEqual([3]);
    expect(update.records.abstracts).toBeUndefined();
    expect(update.records.urls).toBeUndefined();
    expect(v.ids).toEqual({
      openalex: "https://openalex.org/W4408732759",
      doi: "10.1016/j.xgen.2025.100814",
      pmid: "https://pubmed.ncbi.nlm.nih.gov/40120586",
    });
    expect(update.affiliations?.map((a) => [a.index, a.affiliations])).toEqual([
      [0, ["The Francis Crick Institute"]],
      [1, ["The Francis Crick Institute"]],
    ]);
  });

  it("keeps a zero citation count and a DOI with a colon; no authorships means no affiliations", () => {
    const zero = mapWork(
      paper({ title: "X", authors: ["A B"] }),
      work(extracted("doi_search_paper_attributes2___2_openalex_200.json")),
      () => NOW,
    );
    expect(values(zero).citations).toEqual([0]);
    expect(zero.affiliations).toBeUndefined();
    const colon = values(
      mapWork(
        paper({ title: "Y" }),
        work(extracted("doi_search_paper_attributes1___2_openalex_200.json")),
        () => NOW,
      ),
    );
    expect(colon.ids.doi).toBe("10.1023/a:1007154515475");
    expect(colon.ids.mag).toBe("1554322594");
    expect(colon.citations).toEqual([7]);
  });

  it("reads a select=open_access,doi body (no id): only the DOI comes out", () => {
    const w = work(extracted("does_openalex_work_oa-in-openalex1___0_openalex_200.json"));
    expect(w.id).toBeUndefined();
    const update = mapWork(paper({ title: "Z" }), w, () => NOW);
    expect(values(update).ids).toEqual({ doi: "10.1021/acs.jctc.5b00178" });
    expect(update.records.citations).toBeUndefined();
    expect(update.fill).toEqual({ doi: "10.1021/acs.jctc.5b00178" });
  });
});

describe("paper-qa title.search lists", () => {
  it("parses meta/results/group_by and the matcher accepts the hit", () => {
    const list = worksListSchema.parse(
      readJson(extracted("title_search_paper_attributes0___3_openalex_200.json")),
    );
    expect(list.meta?.count).toBe(1);
    const hit = list.results[0]!;
    const title =
      "Effect of native oxide layers on copper thin-film tensile properties: A reactive molecular dynamics study";
    expect(compareTitles({ title, year: 2015 }, { title: hit.title, year: hit.publication_year }).type).toBe(
      "exact",
    );
    const v = values(mapWork(paper({ title, year: 2015 }), hit, () => NOW));
    expect(v.citations).toEqual([9]);
    expect(v.abstract).toMatch(/^Metal-oxide layers are likely to be present on metallic nano-structures/);
    expect(v.ids.doi).toBe("10.1063/1.4938384");
  });

  it("maps an arXiv record: arXiv DOI fills arxiv_id, empty institutions give no affiliations", () => {
    const list = worksListSchema.parse(
      readJson(extracted("title_search_paper_attributes1___2_openalex_200.json")),
    );
    const p = paper({ title: "PaperQA", authors: ["Jakub Lala", "Sam Cox"] });
    const update = mapWork(p, list.results[0]!, () => NOW);
    expect(values(update).citations).toEqual([27]);
    expect(values(update).abstract).toMatch(/^Large Language Models \(LLMs\) generalize well/);
    expect(update.fill).toEqual({
      openalex_id: "https://openalex.org/W4389761608",
      doi: "10.48550/arxiv.2312.07559",
      arxiv_id: "2312.07559",
    });
    expect(update.affiliations).toBeUndefined();
  });
});

describe("every recorded OpenAlex body", () => {
  const files = [
    ...[B_VITAMINS, GO_OPENALEX].map((f) => path.join(FIXTURES, f)),
    ...readdirSync(EXTRACTED)
      .filter((f) => /_openalex_\d+\.(json|txt)$/.test(f))
      .map((f) => path.join(EXTRACTED, f)),
  ];

  it("parses each 200 body as a work or a list, and maps each work", () => {
    const json = files.filter((f) => f.endsWith(".json"));
    expect(json.length).toBeGreaterThanOrEqual(9);
    for (const file of json) {
      const body = readJson(file) as Record<string, unknown>;
      const works = "results" in body ? worksListSchema.parse(body).results : [workSchema.parse(body)];
      for (const w of works) expect(mapWork(paper({ title: "T" }), w, () => NOW).source).toBe("openalex");
    }
  });

  let server: TestServer | undefined;
  afterEach(async () => server?.close());

  it("treats the recorded HTML 404 of an unknown DOI as not_found, not as a JSON error", async () => {
    const [file] = files.filter((f) => f.endsWith("_404.txt"));
    const html = readFileSync(file!, "utf8");
    expect(() => JSON.parse(html)).toThrow();
    // A lone DOI is asked for alone (the singleton is free).
    server = await startTestServer([
      { status: 404, headers: { "content-type": "text/html; charset=utf-8" }, body: html },
    ]);
    const client = createOpenAlexClient({ baseUrl: server.url, version: "0.0.0", ratePerSecond: 1000 });
    const p = paper({ title: "Unknown", doi: "10.1046/j.1365-2699.2003.00795" });
    const { results, apiCalls } = await client.lookupBatch([p]);
    expect(results).toEqual([
      {
        paper_id: "P1",
        outcome: "not_found",
        answer: expect.objectContaining({ status: "not_found", payload: null }),
      },
    ]);
    expect(apiCalls).toBe(1);
    expect(decodeURIComponent(server.requests[0]!.url)).toMatch(
      /^\/works\/doi:10\.1046\/j\.1365-2699\.2003\.00795\?/,
    );
  });
});

describe("rebuildAbstract", () => {
  it("orders by position, breaks ties by word, and gives none for an empty index", () => {
    expect(rebuildAbstract({ We: [0], study: [1], tiny: [2, 4], experts: [3] })).toBe(
      "We study tiny experts tiny",
    );
    expect(rebuildAbstract({ b: [0], a: [0] })).toBe("a b");
    expect(rebuildAbstract({})).toBeUndefined();
    expect(rebuildAbstract(null)).toBeUndefined();
  });
});
