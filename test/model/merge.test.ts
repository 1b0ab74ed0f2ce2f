import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/model/canonical-json.js";
import { mergeEnrichments } from "../../src/model/merge.js";
import { type Paper, parsePaper } from "../../src/model/paper.js";
import { applyPaperUpdate, inputView } from "../../src/model/paper-update.js";
import type { EnrichmentSet } from "../../src/model/records.js";

const RUNS = Number(process.env.CF_PROPERTY_RUNS ?? 1000);

function newPaper(): Paper {
  const result = parsePaper({ title: "T", venue: "V", year: 2020, authors: ["Ada Quill", "Bo"] }, 0);
  if (!result.ok) throw new Error("bad fixture");
  return result.paper;
}

const source = fc.constantFrom("openalex", "semantic_scholar", "semanticscholar", "pmlr");
const timestamp = fc.constantFrom("2025-01-01T00:00:00", "2025-06-01T12:30:00.5");
const citation = fc.record({
  source,
  timestamp,
  original: fc.boolean(),
  data: fc.record({ count: fc.nat(50) }),
});
const url = fc.record({
  source,
  timestamp,
  original: fc.boolean(),
  data: fc.record({ url: fc.constantFrom("https://a/x.pdf", "https://b/y.pdf") }),
});
const identifier = fc.record({
  source,
  timestamp,
  original: fc.boolean(),
  data: fc.record({
    identifier_type: fc.constantFrom("doi", "mag"),
    identifier_value: fc.constantFrom("1", "2"),
  }),
});
const abstract = fc.record({
  source,
  timestamp,
  original: fc.boolean(),
  data: fc.record({ text: fc.constantFrom("a", "b"), language: fc.constant("en") }),
});
const enrichmentSet: fc.Arbitrary<EnrichmentSet> = fc.record(
  {
    citations: fc.array(citation, { maxLength: 4 }),
    abstracts: fc.array(abstract, { maxLength: 3 }),
    urls: fc.array(url, { maxLength: 3 }),
    identifiers: fc.array(identifier, { maxLength: 4 }),
  },
  { requiredKeys: [] },
);

/** The paper's records as a multiset-free comparable form (order-insensitive). */
function recordSets(paper: Paper) {
  const keyOf = (r: { source: string; data: unknown }) => `${r.source}|${JSON.stringify(r.data)}`;
  return {
    citations: paper.citations.map(keyOf).sort(),
    abstracts: paper.abstracts.map(keyOf).sort(),
    urls: paper.urls.map(keyOf).sort(),
    identifiers: paper.identifiers.map(keyOf).sort(),
  };
}

describe("mergeEnrichments", () => {
  it("appends new records, skips equal ones regardless of timestamp, original flag and key order", () => {
    const paper = newPaper();
    const a = { source: "openalex", timestamp: "2025-01-01T00:00:00", original: false, data: { count: 3 } };
    expect(mergeEnrichments(paper, { citations: [a] })).toBe(1);
    expect(
      mergeEnrichments(paper, { citations: [{ ...a, timestamp: "2026-01-01T00:00:00", original: true }] }),
    ).toBe(0);
    const id1 = { identifier_type: "doi", identifier_value: "10.1/x" };
    const id2 = { identifier_value: "10.1/x", identifier_type: "doi" };
    expect(
      mergeEnrichments(paper, {
        identifiers: [
          { ...a, data: id1 },
          { ...a, data: id2 },
        ],
      }),
    ).toBe(1);
    // A different source or a changed count is a new record.
    expect(
      mergeEnrichments(paper, {
        citations: [
          { ...a, source: "semantic_scholar" },
          { ...a, data: { count: 4 } },
        ],
      }),
    ).toBe(2);
    expect(paper.citations).toHaveLength(3);
  });

  it("treats the legacy label semanticscholar as semantic_scholar", () => {
    const paper = newPaper();
    const r = { source: "semantic_scholar", timestamp: "t", original: false, data: { url: "https://x" } };
    mergeEnrichments(paper, { urls: [r] });
    expect(mergeEnrichments(paper, { urls: [{ ...r, source: "semanticscholar" }] })).toBe(0);
  });

  it("notices records appended behind its back (the index is rebuilt)", () => {
    const paper = newPaper();
    const r = { source: "openalex", timestamp: "t", original: false, data: { count: 1 } };
    mergeEnrichments(paper, { citations: [r] });
    paper.citations.push({ ...r, data: { count: 2 } });
    expect(mergeEnrichments(paper, { citations: [{ ...r, data: { count: 2 } }] })).toBe(0);
  });

  it("is idempotent: merging the same records twice adds nothing (property)", () => {
    fc.assert(
      fc.property(fc.array(enrichmentSet, { maxLength: 5 }), (sets) => {
        const paper = newPaper();
        for (const set of sets) mergeEnrichments(paper, set);
        const before = JSON.stringify(paper);
        let added = 0;
        for (const set of sets) added += mergeEnrichments(paper, set);
        expect(added).toBe(0);
        expect(JSON.stringify(paper)).toBe(before);
      }),
      { numRuns: RUNS },
    );
  });

  it("is order and batching independent: any split and order gives the same record sets (property)", () => {
    fc.assert(
      fc.property(
        fc.array(enrichmentSet, { minLength: 1, maxLength: 6 }),
        fc.func(fc.nat()),
        (sets, shuffleKey) => {
          const reference = newPaper();
          for (const set of sets) mergeEnrichments(reference, set);
          const shuffled = [...sets].map((s, i) => ({ s, k: shuffleKey(i) })).sort((x, y) => x.k - y.k);
          const other = newPaper();
          for (const { s } of shuffled) {
            // Split each set into single-record batches.
            for (const kind of ["citations", "abstracts", "urls", "identifiers"] as const) {
              for (const record of s[kind] ?? []) mergeEnrichments(other, { [kind]: [record] });
            }
          }
          expect(recordSets(other)).toEqual(recordSets(reference));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("counts exactly the distinct (kind, source, data) keys (property)", () => {
    fc.assert(
      fc.property(fc.array(enrichmentSet, { maxLength: 6 }), (sets) => {
        const paper = newPaper();
        let added = 0;
        for (const set of sets) added += mergeEnrichments(paper, set);
        const total =
          paper.citations.length + paper.abstracts.length + paper.urls.length + paper.identifiers.length;
        expect(added).toBe(total);
        for (const kind of ["citations", "abstracts", "urls", "identifiers"] as const) {
          const keys = paper[kind].map((r) => `${r.source}|${JSON.stringify(r.data)}`);
          expect(new Set(keys).size).toBe(keys.length);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe("applyPaperUpdate", () => {
  it("fills empty scalars and affiliations only, once, noting the affiliation source", () => {
    const paper = newPaper();
    paper.doi = "10.1/kept";
    const update = {
      paper_id: paper.paper_id,
      source: "openalex",
      records: {},
      fill: { doi: "10.1/other", openalex_id: "https://openalex.org/W1" },
      affiliations: [
        { index: 0, name: "Ada Quill", affiliations: ["Mila"] },
        { index: 1, name: "Someone Else", affiliations: ["X"] },
      ],
    };
    expect(applyPaperUpdate(paper, update)).toEqual({
      recordsAdded: 0,
      fieldsFilled: 1,
      affiliationsFilled: 1,
    });
    expect(paper.doi).toBe("10.1/kept");
    expect(paper.openalex_id).toBe("https://openalex.org/W1");
    expect(paper.authors[0]?.affiliations).toEqual(["Mila"]);
    expect(paper.authors[1]?.affiliations).toEqual([]);
    expect(paper.processing_flags).toEqual({
      field_sources: { openalex_id: "openalex" },
      affiliation_sources: { "0": "openalex" },
    });
    expect(applyPaperUpdate(paper, update)).toEqual({
      recordsAdded: 0,
      fieldsFilled: 0,
      affiliationsFilled: 0,
    });
  });

  it("gives the same paper whichever source's update arrives first (property)", () => {
    const fill = fc.record(
      {
        doi: fc.constantFrom("10.1/a", "10.1/b"),
        arxiv_id: fc.constantFrom("2101.00001", "2101.00002"),
        openalex_id: fc.constant("https://openalex.org/W1"),
      },
      { requiredKeys: [] },
    );
    const affiliations = fc.array(
      fc.record({
        index: fc.constantFrom(0, 1),
        name: fc.constantFrom("Ada Quill", "Bo", "Nobody"),
        affiliations: fc.array(fc.constantFrom("Mila", "MIT", "ETH"), { maxLength: 2 }),
      }),
      { maxLength: 3 },
    );
    const update = (source: "openalex" | "semantic_scholar") =>
      fc.record({
        paper_id: fc.constant("ICML_2020_0000"),
        source: fc.constant(source),
        records: enrichmentSet,
        fill,
        affiliations,
      });
    fc.assert(
      // One answer per source, as in a run; the two may arrive in either order.
      fc.property(fc.tuple(update("openalex"), update("semantic_scholar")), (updates) => {
        const forward = newPaper();
        for (const u of updates) applyPaperUpdate(forward, u);
        const backward = newPaper();
        for (const u of [...updates].reverse()) applyPaperUpdate(backward, u);
        const comparable = (p: Paper) => canonicalJson({ ...p, ...recordSets(p) });
        expect(comparable(backward)).toBe(comparable(forward));
        for (const u of updates) applyPaperUpdate(forward, u);
        expect(comparable(forward)).toBe(comparable(backward));
      }),
      { numRuns: RUNS },
    );
  });

  it("inputView blanks the ids sources filled in, and is not affected by later fills", () => {
    const paper = newPaper();
    paper.arxiv_id = "2101.00001";
    applyPaperUpdate(paper, {
      paper_id: paper.paper_id,
      source: "semantic_scholar",
      records: {},
      fill: { doi: "10.1/j" },
    });
    const view = inputView(paper);
    expect(view).toMatchObject({ doi: "", arxiv_id: "2101.00001" });
    applyPaperUpdate(paper, {
      paper_id: paper.paper_id,
      source: "openalex",
      records: {},
      fill: { openalex_id: "W9" },
    });
    expect(view.openalex_id).toBeNull();
    expect(inputView(paper)).toMatchObject({ doi: "", openalex_id: null });
  });
});
