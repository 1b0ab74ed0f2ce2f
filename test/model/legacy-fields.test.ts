import { describe, expect, it } from "vitest";
import { describeMigration, type LegacyContext, migrateLegacyFields } from "../../src/model/legacy-fields.js";
import { formatLocalTimestamp } from "../../src/model/local-timestamp.js";
import { parsePaper } from "../../src/model/paper.js";

const AT = "2025-06-26T22:05:55.905753";
const FALLBACK = { fallbackTimestamp: "2025-01-02T03:04:05" };
const base = { title: "Sparse Mixtures of Tiny Experts", venue: "ICML", year: 2023 };

function ok(raw: Record<string, unknown>, context: LegacyContext = FALLBACK) {
  const result = parsePaper(raw, 0, context);
  if (!result.ok) throw new Error(`unexpected issues: ${JSON.stringify(result.issues)}`);
  return result;
}

function issues(raw: Record<string, unknown>, context: LegacyContext = FALLBACK) {
  const result = parsePaper(raw, 0, context);
  if (result.ok) throw new Error("expected the paper to be refused");
  return result.issues;
}

describe("legacy flat fields", () => {
  it("turns a numeric citations into one original record from the paper's source and timestamp", () => {
    const { paper, migrated } = ok({
      ...base,
      citations: 73,
      source: "semantic_scholar",
      collection_timestamp: AT,
    });
    expect(paper.citations).toEqual([
      { source: "semantic_scholar", timestamp: AT, original: true, data: { count: 73 } },
    ]);
    expect(migrated).toEqual({ citations: 1, abstracts: 0 });
  });

  it("accepts a digits-only string count", () => {
    expect(ok({ ...base, citations: "73", collection_timestamp: AT }).paper.citations[0]?.data).toEqual({
      count: 73,
    });
  });

  it("adds no record for a zero count or an empty string, as the Python tool read them", () => {
    for (const citations of [0, "0", ""]) {
      const { paper, migrated } = ok({ ...base, citations, collection_timestamp: AT });
      expect(paper.citations).toEqual([]);
      expect(migrated.citations).toBe(0);
    }
  });

  it("takes the source from source, else collection_source, else 'collection', normalising semanticscholar", () => {
    const source = (fields: Record<string, unknown>) =>
      ok({ ...base, citations: 1, collection_timestamp: AT, ...fields }).paper.citations[0]?.source;
    expect(source({ source: "semanticscholar" })).toBe("semantic_scholar");
    for (const label of ["Semantic Scholar", "SemanticScholar", "semantic-scholar", "SEMANTIC_SCHOLAR"])
      expect(source({ source: label })).toBe("semantic_scholar");
    for (const label of ["OpenAlex", "open_alex", "Open Alex"])
      expect(source({ source: label })).toBe("openalex");
    expect(source({ source: "dblp" })).toBe("dblp");
    expect(source({ source: "openalex", collection_source: "pmlr" })).toBe("openalex");
    expect(source({ source: "", collection_source: "pmlr" })).toBe("pmlr");
    expect(source({ source: "  ", collection_source: "semanticscholar" })).toBe("semantic_scholar");
    expect(source({})).toBe("collection");
    expect(source({ source: "", collection_source: "" })).toBe("collection");
  });

  it("takes the timestamp from collection_timestamp, else the context's fallback", () => {
    const stamp = (fields: Record<string, unknown>) =>
      ok({ ...base, citations: 1, ...fields }).paper.citations[0]?.timestamp;
    expect(stamp({ collection_timestamp: AT })).toBe(AT);
    expect(stamp({ collection_timestamp: "" })).toBe(FALLBACK.fallbackTimestamp);
    expect(stamp({ collection_timestamp: null })).toBe(FALLBACK.fallbackTimestamp);
    expect(stamp({})).toBe(FALLBACK.fallbackTimestamp);
  });

  it("refuses a legacy value without any timestamp (no fallback given), naming the field", () => {
    expect(issues({ ...base, citations: 5 }, {})).toEqual([
      { path: "citations", message: expect.stringMatching(/collection_timestamp/) },
    ]);
    expect(issues({ ...base, abstract: "Text" }, {})[0]?.path).toBe("abstract");
    // Nothing to record: no timestamp needed.
    expect(ok({ ...base, citations: 0, abstract: "" }, {}).paper.citations).toEqual([]);
  });

  it("refuses a negative, fractional or non-numeric count with a message naming citations", () => {
    for (const [citations, shown] of [
      [-3, "number -3"],
      [2.5, "number 2.5"],
      ["many", '"many"'],
      ["-3", '"-3"'],
      ["7.0", '"7.0"'],
      [Number.MAX_SAFE_INTEGER + 2, "number"],
    ] as const) {
      const found = issues({ ...base, citations, collection_timestamp: AT });
      expect(found).toHaveLength(1);
      expect(found[0]?.path).toBe("citations");
      expect(found[0]?.message).toMatch(/must be a list of citation records or a whole number of citations/);
      expect(found[0]?.message).toContain(`got ${shown}`);
    }
  });

  it("reports legacy problems together with the schema's", () => {
    const found = issues({ venue: "V", year: "abc", citations: -3, abstract: 42 });
    expect(found.map((i) => i.path)).toEqual(["title", "year", "citations", "abstract"]);
    expect(found[3]?.message).toBe("must be a string (legacy abstract), got number 42");
  });

  it("turns a non-empty abstract into an original record and removes the abstract key", () => {
    const { paper, migrated } = ok({
      ...base,
      abstract: "We study tiny experts.",
      source: "semantic_scholar",
      collection_timestamp: AT,
    });
    expect(paper.abstracts).toEqual([
      {
        source: "semantic_scholar",
        timestamp: AT,
        original: true,
        data: { text: "We study tiny experts.", language: "en" },
      },
    ]);
    expect("abstract" in paper).toBe(false);
    expect(migrated).toEqual({ citations: 0, abstracts: 1 });
  });

  it("removes an empty, blank or null abstract without adding a record", () => {
    for (const abstract of ["", "   ", null]) {
      const { paper, migrated } = ok({ ...base, abstract });
      expect("abstract" in paper).toBe(false);
      expect(paper.abstracts).toEqual([]);
      expect(migrated.abstracts).toBe(0);
    }
  });

  it("appends the abstract to the existing list unless the same text is already there", () => {
    const existing = {
      source: "pmlr",
      timestamp: AT,
      original: true,
      data: { text: "Other", language: "en" },
    };
    const appended = ok({ ...base, abstracts: [existing], abstract: "New", collection_timestamp: AT });
    expect(appended.paper.abstracts.map((r) => r.data.text)).toEqual(["Other", "New"]);
    const same = ok({ ...base, abstracts: [existing], abstract: "Other" });
    expect(same.paper.abstracts).toEqual([existing]);
    expect(same.migrated.abstracts).toBe(0);
  });

  it("leaves papers without legacy fields untouched (same object, nothing counted)", () => {
    const raw = { ...base, citations: [], source: "x" };
    const migration = migrateLegacyFields(raw, FALLBACK);
    expect(migration.paper).toBe(raw);
    expect(migration.migrated).toEqual({ citations: 0, abstracts: 0 });
  });

  it("does not modify the raw paper it migrates", () => {
    const raw = { ...base, citations: 4, abstract: "Text", abstracts: [] };
    migrateLegacyFields(raw, FALLBACK);
    expect(raw).toEqual({ ...base, citations: 4, abstract: "Text", abstracts: [] });
  });

  it("keeps legacy author objects: affiliation becomes the list, author_id stays as an unknown key", () => {
    const { paper } = ok({
      ...base,
      authors: [{ name: "Y. Agafonova", affiliation: "", author_id: "2066328405", email: "" }, "Bo Renner"],
    });
    expect(paper.authors).toEqual([
      { name: "Y. Agafonova", author_id: "2066328405", email: "", affiliations: [] },
      { name: "Bo Renner", affiliations: [], email: "" },
    ]);
  });

  it("describes the migration for the plan and the note", () => {
    expect(describeMigration({ citations: 804, abstracts: 569 })).toBe(
      "804 legacy citation counts and 569 abstracts kept as original records",
    );
    expect(describeMigration({ citations: 1, abstracts: 1 })).toBe(
      "1 legacy citation count and 1 abstract kept as original records",
    );
    expect(describeMigration({ citations: 0, abstracts: 0 })).toBeUndefined();
  });
});

describe("formatLocalTimestamp", () => {
  it("writes naive local time like Python's isoformat, microseconds only when non-zero", () => {
    expect(formatLocalTimestamp(new Date(2025, 5, 26, 22, 5, 55, 905))).toBe("2025-06-26T22:05:55.905000");
    expect(formatLocalTimestamp(new Date(2025, 0, 2, 3, 4, 5))).toBe("2025-01-02T03:04:05");
  });
});
