import { type Paper, parsePaper } from "../../src/model/paper.js";
import type { PaperUpdate } from "../../src/model/paper-update.js";

/** `n` small valid papers with ids P0000.., some with DOIs. */
export function makePapers(n: number): Paper[] {
  return Array.from({ length: n }, (_, i) => {
    const result = parsePaper(
      {
        title: `Paper number ${i}`,
        authors: [`Author ${i}`, "Ada Quill"],
        venue: "ICML",
        year: 2023,
        paper_id: `P${String(i).padStart(4, "0")}`,
        doi: i % 2 === 0 ? `10.1000/p${i}` : null,
        custom_field: { kept: i },
      },
      i,
    );
    if (!result.ok) throw new Error("bad test paper");
    return result.paper;
  });
}

/** A deterministic update for a paper from a source, as a client would produce. */
export function updateFor(paperId: string, source: "openalex" | "semantic_scholar", n = 1): PaperUpdate {
  const record = <D>(data: D) => ({ source, timestamp: "2026-01-01T00:00:00", original: false, data });
  return {
    paper_id: paperId,
    source,
    records: {
      citations: [record({ count: n })],
      abstracts: [record({ text: `Abstract of ${paperId}`, language: "en" })],
      urls: [record({ url: `https://example.org/${paperId}.pdf` })],
      identifiers: [record({ identifier_type: "s2_paper", identifier_value: `${source}-${paperId}` })],
    },
    fill: { openalex_id: `https://openalex.org/W${paperId}` },
  };
}

/** `n` raw input papers `P0..` that each carry a DOI `10.1000/p<i>`, as in an input file. */
export function doiInputPapers(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    paper_id: `P${i}`,
    title: `A paper about topic ${i}`,
    venue: "ICML",
    year: 2021,
    authors: ["Ada Quill"],
    doi: `10.1000/p${i}`,
  }));
}
