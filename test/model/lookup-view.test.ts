import { describe, expect, it } from "vitest";
import { type Paper, parsePaper } from "../../src/model/paper.js";
import { applyPaperUpdate, borrowedIds, inputView, lookupView } from "../../src/model/paper-update.js";
import { updateFor } from "../helpers/papers.js";

/** lookupView: what a source looks a paper up by, ids other sources found included. */

function paper(fields: Record<string, unknown> = {}): Paper {
  const result = parsePaper({ title: "A title", venue: "ICML", year: 2023, paper_id: "P1", ...fields }, 0);
  if (!result.ok) throw new Error("bad paper");
  return result.paper;
}

/** An update from `source` whose identifier records give these ids (and fill them, as clients do). */
function identifying(source: "openalex" | "semantic_scholar", ids: { doi?: string; arxiv?: string }) {
  const update = updateFor("P1", source);
  const record = update.records.identifiers![0]!;
  if (ids.doi)
    update.records.identifiers!.push({
      ...record,
      data: { identifier_type: "doi", identifier_value: ids.doi },
    });
  if (ids.arxiv)
    update.records.identifiers!.push({
      ...record,
      data: { identifier_type: "arxiv", identifier_value: ids.arxiv },
    });
  update.fill = { ...(ids.doi ? { doi: ids.doi } : {}), ...(ids.arxiv ? { arxiv_id: ids.arxiv } : {}) };
  return update;
}

describe("lookupView", () => {
  it("gives a title-only paper the DOI and arXiv id another source's records found, marked as borrowed", () => {
    const p = paper();
    applyPaperUpdate(p, identifying("semantic_scholar", { doi: "10.1/s2", arxiv: "2101.00001" }));
    const view = lookupView(p, "openalex");
    expect([view.doi, view.arxiv_id]).toEqual(["10.1/s2", "2101.00001"]);
    expect(borrowedIds(view)).toEqual(["doi", "arxiv_id"]);
    // The source's own ids are never borrowed back, and the input view has none.
    expect(borrowedIds(lookupView(p, "semantic_scholar"))).toEqual([]);
    expect(inputView(view)).toMatchObject({ doi: "", arxiv_id: null });
  });

  it("keeps an input id as it is, whatever other sources found", () => {
    const p = paper({ doi: "10.1/input" });
    applyPaperUpdate(p, identifying("semantic_scholar", { doi: "10.1/s2" }));
    const view = lookupView(p, "openalex");
    expect(view.doi).toBe("10.1/input");
    expect(borrowedIds(view)).toEqual([]);
  });

  it("reads the records, not the filled field: the same view whichever fill won, in any order", () => {
    const a = paper();
    const b = paper();
    const s2 = identifying("semantic_scholar", { doi: "10.1/s2" });
    const oa = identifying("openalex", { doi: "10.1/oa" });
    applyPaperUpdate(a, s2);
    applyPaperUpdate(a, oa);
    applyPaperUpdate(b, oa);
    applyPaperUpdate(b, s2);
    // OpenAlex's fill outranks S2's on the paper; OpenAlex still borrows S2's DOI, S2 OpenAlex's.
    expect(a.doi).toBe("10.1/oa");
    expect(lookupView(a, "openalex").doi).toBe("10.1/s2");
    expect(lookupView(a, "semantic_scholar").doi).toBe("10.1/oa");
    const ids = (view: Paper) => [
      view.doi,
      view.arxiv_id,
      borrowedIds(view),
      view.processing_flags.field_sources,
    ];
    expect(ids(lookupView(b, "openalex"))).toEqual(ids(lookupView(a, "openalex")));
    expect(ids(lookupView(b, "semantic_scholar"))).toEqual(ids(lookupView(a, "semantic_scholar")));
  });

  it("borrows nothing from the input's own (original) records or from labels that are not a source", () => {
    const p = paper({
      identifiers: [
        {
          source: "collection",
          timestamp: "2024-01-01T00:00:00",
          original: true,
          data: { identifier_type: "doi", identifier_value: "10.1/x" },
        },
        {
          source: "crossref",
          timestamp: "2024-01-01T00:00:00",
          original: false,
          data: { identifier_type: "doi", identifier_value: "10.1/y" },
        },
      ],
    });
    expect(borrowedIds(lookupView(p, "openalex"))).toEqual([]);
    expect(lookupView(p, "openalex").doi).toBeFalsy();
  });

  it("does not change when the paper is filled after the view was taken", () => {
    const p = paper();
    applyPaperUpdate(p, identifying("semantic_scholar", { doi: "10.1/s2" }));
    const view = lookupView(p, "openalex");
    applyPaperUpdate(p, identifying("openalex", { doi: "10.1/oa" }));
    expect(view.doi).toBe("10.1/s2");
    expect(borrowedIds(view)).toEqual(["doi"]);
    expect(view.processing_flags.field_sources).toEqual({ doi: "semantic_scholar" });
  });
});
