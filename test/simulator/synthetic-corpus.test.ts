import { describe, expect, it } from "vitest";
import { syntheticCorpus } from "../../src/simulator/synthetic-corpus.js";

/** The scale benchmark's corpus: any number of works, made on demand by DOI (issue 16). */
describe("syntheticCorpus", () => {
  it("answers every DOI of its prefix with the same work each time, and nothing else", () => {
    const corpus = syntheticCorpus({ seed: 16 });
    const work = corpus.byDoi.get("10.5555/bench.999999");
    expect(work).toMatchObject({
      index: 999_999,
      doi: "10.5555/bench.999999",
      title: "Benchmark paper 999999 on scalable consolidation of records",
      year: 2023,
    });
    expect(work?.arxivId).toBeUndefined();
    expect(corpus.byDoi.get("10.5555/bench.999999")).toEqual(work);
    expect(corpus.byDoi.get("10.5555/bench.3")?.openalexId).not.toBe(work?.openalexId);
    expect(syntheticCorpus({ seed: 17 }).byDoi.get("10.5555/bench.999999")?.paperId).not.toBe(work?.paperId);
    for (const doi of ["10.5555/sim.1", "10.5555/bench.", "10.5555/bench.1x", "10.5555/bench.1234567890"])
      expect(corpus.byDoi.get(doi), doi).toBeUndefined();
    expect(corpus.byDoi.has("10.5555/bench.7")).toBe(true);
    expect(corpus.works).toEqual([]);
  });
});
