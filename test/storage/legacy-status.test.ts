import { describe, expect, it } from "vitest";
import { legacySourceStats, legacyStatus } from "../../src/storage/legacy-status.js";

describe("status rules of the Python tool's checkpoints (reference §5.3)", () => {
  it.each([
    ["completed", "completed"],
    ["id_harvesting", "interrupted"],
    ["semantic_scholar_enrichment", "interrupted"],
    ["openalex_enrichment", "interrupted"],
    ["id_harvesting_complete", "interrupted"],
    ["semantic_scholar_complete", "interrupted"],
    ["something_else", "pending"],
  ])("phase %s (as a string or {phase}) is %s", (phase, expected) => {
    expect(legacyStatus(phase, 10)).toBe(expected);
    expect(legacyStatus({ phase }, 10)).toBe(expected);
  });

  it("classifies the per-source status format", () => {
    const src = (...statuses: string[]) =>
      Object.fromEntries(statuses.map((s, i) => [`s${i}`, { status: s }]));
    expect(legacyStatus(src("completed", "completed"), 5)).toBe("completed");
    expect(legacyStatus(src("completed", "failed"), 5)).toBe("failed");
    expect(legacyStatus(src("in_progress", "pending"), 5)).toBe("interrupted");
    expect(legacyStatus(src("pending", "pending"), 5)).toBe("pending");
    expect(legacyStatus({}, 5)).toBe("completed"); // the reference's rule 4 on empty sources
  });

  it("parallel format: interrupted until every worker processed every paper (B2 fixed)", () => {
    const parallel = (oa: number, s2: number) => ({
      openalex: { papers_processed: oa, papers_enriched: 1 },
      semantic_scholar: { papers_processed: s2, papers_enriched: 2 },
      merge: { papers_merged: oa + s2 },
    });
    expect(legacyStatus(parallel(297, 16), 34648)).toBe("interrupted");
    expect(legacyStatus(parallel(10, 10), 10)).toBe("completed");
    expect(legacySourceStats(parallel(297, 16))).toEqual({
      openalex: { papers_processed: 297, papers_enriched: 1 },
      semantic_scholar: { papers_processed: 16, papers_enriched: 2 },
    });
  });
});
