import { describe, expect, it } from "vitest";
import { KNOWN_PAPER_FIELDS, parsePaper } from "../../src/model/paper.js";

function ok(raw: unknown, index = 0) {
  const result = parsePaper(raw, index);
  if (!result.ok) throw new Error(`unexpected issues: ${JSON.stringify(result.issues)}`);
  return result.paper;
}

describe("parsePaper", () => {
  it("coerces string authors, nulls and the legacy affiliation like the Python loader", () => {
    const paper = ok({
      title: "Sparse Mixtures of Tiny Experts",
      authors: [
        "Bo Renner",
        { name: "Ada Quill", affiliation: "Mila" },
        { name: "C", affiliations: null, email: null },
      ],
      venue: "ICML",
      year: 2023,
      doi: null,
      keywords: null,
      citations: 0,
    });
    expect(paper.authors).toEqual([
      { name: "Bo Renner", affiliations: [], email: "" },
      { name: "Ada Quill", affiliations: ["Mila"], email: "" },
      { name: "C", affiliations: [], email: "" },
    ]);
    expect(paper.doi).toBe("");
    expect(paper.keywords).toEqual([]);
    expect(paper.citations).toEqual([]);
    expect(paper.arxiv_id).toBeNull();
    expect(paper.venue_confidence).toBe(1);
  });

  it("generates {venue}_{year}_{index:04d} when paper_id is missing, null or empty", () => {
    expect(ok({ title: "T", venue: "ICML", year: 2023 }, 7).paper_id).toBe("ICML_2023_0007");
    expect(ok({ title: "T", venue: "NeurIPS", year: 2023, paper_id: "" }, 12).paper_id).toBe(
      "NeurIPS_2023_0012",
    );
    expect(ok({ title: "T", venue: "ICML", year: 2023, paper_id: "existing-id" }, 3).paper_id).toBe(
      "existing-id",
    );
  });

  it("keeps unknown keys, after the known fields, with their values untouched", () => {
    const paper = ok({
      summary: "free text",
      title: "T",
      venue: "V",
      year: 2020,
      pdf_downloaded: true,
      x: { y: [1] },
    });
    const keys = Object.keys(paper);
    expect(keys.slice(0, KNOWN_PAPER_FIELDS.length)).toEqual(KNOWN_PAPER_FIELDS);
    expect(keys.slice(KNOWN_PAPER_FIELDS.length)).toEqual(["summary", "pdf_downloaded", "x"]);
    expect(paper.summary).toBe("free text");
    expect(paper.x).toEqual({ y: [1] });
  });

  it("keeps original records and reads the legacy source label semanticscholar as semantic_scholar", () => {
    const paper = ok({
      title: "T",
      venue: "V",
      year: 2020,
      citations: [{ source: "pmlr", timestamp: "2025-07-01T10:00:00", original: true, data: { count: 5 } }],
      abstracts: [{ source: "semanticscholar", timestamp: "2025-07-01T10:00:00", data: { text: "x" } }],
    });
    expect(paper.citations[0]).toEqual({
      source: "pmlr",
      timestamp: "2025-07-01T10:00:00",
      original: true,
      data: { count: 5 },
    });
    expect(paper.abstracts[0]).toMatchObject({ source: "semantic_scholar", original: false });
    expect(paper.abstracts[0]?.data).toEqual({ text: "x", language: "en" });
  });

  it("names the missing field", () => {
    const result = parsePaper({ venue: "V", year: 2020 }, 0);
    expect(result).toEqual({ ok: false, issues: [{ path: "title", message: "is required but missing" }] });
  });

  it("names nested wrong types with their JSON path", () => {
    const result = parsePaper({ title: "T", venue: "V", year: 2020, authors: ["a", { name: 3 }] }, 0);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.issues[0]).toEqual({ path: "authors[1].name", message: "must be string, got number 3" });
  });

  it("rejects blank titles and non-integer years, and accepts a digit-string year", () => {
    expect(parsePaper({ title: "  ", venue: "V", year: 2020 }, 0).ok).toBe(false);
    expect(parsePaper({ title: "T", venue: "V", year: 20.5 }, 0).ok).toBe(false);
    expect(ok({ title: "T", venue: "V", year: "2021" }).year).toBe(2021);
  });
});

describe("parsePaper: legacy author forms lose nothing", () => {
  const parsed = (authors: unknown) => {
    const result = parsePaper({ title: "T", year: 2020, venue: "V", authors }, 0);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    return result.paper.authors;
  };

  it("drops null authors (they hold nothing) and keeps the rest in order", () => {
    expect(parsed([null, "A B", null, { name: "C D" }]).map((a) => a.name)).toEqual(["A B", "C D"]);
  });

  it("reads a list `affiliation` as the affiliations, a string as one, empty or null as none", () => {
    expect(parsed([{ name: "A", affiliation: ["X", "Y"] }])[0]).toEqual({
      name: "A",
      affiliations: ["X", "Y"],
      email: "",
    });
    expect(parsed([{ name: "A", affiliation: "X" }])[0]?.affiliations).toEqual(["X"]);
    expect(parsed([{ name: "A", affiliation: "" }])[0]).toEqual({ name: "A", affiliations: [], email: "" });
    expect(parsed([{ name: "A", affiliation: null }])[0]).toEqual({ name: "A", affiliations: [], email: "" });
  });

  it("keeps an `affiliation` of another shape where it is, as an unknown key", () => {
    const author = parsed([{ name: "A", affiliation: { name: "MIT", country: "US" }, author_id: 7 }])[0];
    expect(author).toEqual({
      name: "A",
      affiliation: { name: "MIT", country: "US" },
      author_id: 7,
      affiliations: [],
      email: "",
    });
  });

  it("names a list `affiliation` holding something other than text", () => {
    const result = parsePaper({ title: "T", year: 2020, authors: [{ name: "A", affiliation: ["X", 3] }] }, 0);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]?.path).toBe("authors[0].affiliations[1]");
  });
});
