import { describe, expect, it } from "vitest";
import { arxivDoi, normalizeArxivId, normalizeDoi } from "../../src/sources/identifiers.js";

describe("identifiers", () => {
  it.each([
    ["10.1000/ABC", "10.1000/abc"],
    ["https://doi.org/10.1000/abc", "10.1000/abc"],
    ["http://dx.doi.org/10.1000/abc", "10.1000/abc"],
    ["https://www.doi.org/10.1000/abc", "10.1000/abc"],
    ["doi.org/10.1000/abc", "10.1000/abc"],
    ["doi:10.1000/abc", "10.1000/abc"],
    ["10.1000%2Fabc", "10.1000/abc"],
    ["  10.1000/abc ", "10.1000/abc"],
  ])("normalises the DOI %s", (raw, expected) => {
    expect(normalizeDoi(raw)).toBe(expected);
  });

  it("rejects what is not a DOI", () => {
    expect(normalizeDoi("")).toBeUndefined();
    expect(normalizeDoi(null)).toBeUndefined();
    expect(normalizeDoi("not a doi")).toBeUndefined();
  });

  it.each([
    ["2106.01234v2", "2106.01234"],
    ["arXiv:2106.01234", "2106.01234"],
    ["https://arxiv.org/abs/2106.01234v3", "2106.01234"],
    ["https://export.arxiv.org/pdf/2106.01234.pdf", "2106.01234"],
    ["hep-th/9901001", "hep-th/9901001"],
  ])("normalises the arXiv id %s", (raw, expected) => {
    expect(normalizeArxivId(raw)).toBe(expected);
  });

  it("builds the arXiv DOI in canonical lower case", () => {
    expect(arxivDoi("2106.01234")).toBe("10.48550/arxiv.2106.01234");
  });
});
