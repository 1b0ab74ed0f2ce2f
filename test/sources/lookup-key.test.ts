import { describe, expect, it } from "vitest";
import { lookupKey } from "../../src/sources/lookup-key.js";

const paper = (p: {
  doi?: string | null;
  arxiv_id?: string | null;
  title?: string;
  year?: number;
  authors?: string[];
}) => ({
  doi: p.doi ?? null,
  arxiv_id: p.arxiv_id ?? null,
  title: p.title ?? "A Title",
  year: p.year ?? 2021,
  authors: (p.authors ?? []).map((name) => ({ name })),
});

describe("lookupKey: what a lookup asks for, one key per thing named", () => {
  it("a DOI in any spelling is one key; it wins over an arXiv id and the title", () => {
    const keys = [
      "10.1000/ABC",
      "https://doi.org/10.1000/abc",
      "doi:10.1000/abc",
      "https://dx.doi.org/10.1000%2Fabc",
    ].map((doi) => lookupKey(paper({ doi, arxiv_id: "2106.01234", title: "Other" })));
    expect(new Set(keys)).toEqual(new Set(["doi:10.1000/abc"]));
  });

  it("an arXiv id without a DOI, versions and prefixes dropped", () => {
    for (const arxiv_id of ["2106.01234", "arXiv:2106.01234v2", "https://arxiv.org/abs/2106.01234v3"]) {
      expect(lookupKey(paper({ arxiv_id }))).toBe("arxiv:2106.01234");
    }
    expect(lookupKey(paper({ doi: "not-a-doi", arxiv_id: "cs/0112017" }))).toBe("arxiv:cs/0112017");
  });

  it("title-only papers: the cleaned, normalised title and the year", () => {
    const a = lookupKey(
      paper({ title: "{BERT}: Pre-training of Deep Bidirectional Transformers", year: 2019 }),
    );
    const b = lookupKey(
      paper({ title: "BERT: pre-training of deep  bidirectional transformers", year: 2019 }),
    );
    expect(a).toBe("title:bert pre training of deep bidirectional transformers|2019");
    expect(b).toBe(a);
    expect(
      lookupKey(paper({ title: "BERT: pre-training of deep bidirectional transformers", year: 2020 })),
    ).not.toBe(a);
    expect(lookupKey(paper({ title: "Attention &amp; Memory (Extended Abstract)", year: 2020 }))).toBe(
      "title:attention memory|2020",
    );
  });

  it("title-only papers: the authors too, in any order and spelling; other authors, another key", () => {
    const key = (authors: string[]) => lookupKey(paper({ title: "Introduction", year: 2020, authors }));
    const ours = key(["Jürgen Müller", "Ada Lovelace"]);
    expect(ours).toMatch(/^title:introduction\|2020\|[0-9a-f]{12}$/);
    expect(key(["Lovelace, Ada", "JÜRGEN MÜLLER"])).toBe(ours);
    expect(key(["Jurgen Muller", "Ada  Lovelace"])).toBe(ours);
    expect(key(["Grace Hopper"])).not.toBe(ours);
    expect(key([])).toBe("title:introduction|2020");
    // A DOI or arXiv key does not depend on the authors.
    expect(lookupKey(paper({ doi: "10.1/x", authors: ["Grace Hopper"] }))).toBe("doi:10.1/x");
  });
});
