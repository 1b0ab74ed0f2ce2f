import { utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import { loadInputFile } from "../../src/model/input-file.js";
import { testdir } from "../helpers/testdir.js";

/** Legacy-shaped input files read whole: timestamp fallbacks, counts and warnings of the file. */

async function inputWith(content: object, mtime?: Date): Promise<string> {
  const file = path.join(await testdir(), "legacy.json");
  await writeFile(file, JSON.stringify(content));
  if (mtime) await utimes(file, mtime, mtime);
  return file;
}

const legacy = (extra: object = {}) => ({
  title: "Meningioma Detection with Tiny Networks",
  authors: [{ name: "Y. Agafonova", affiliation: "", author_id: "2066328405", email: "" }],
  year: 2020,
  venue: "",
  citations: 3,
  abstract: "We detect things.",
  source: "semantic_scholar",
  paper_id: "",
  ...extra,
});

describe("legacy input files", () => {
  it("time-stamp legacy records from the paper, else the envelope, else the file's mtime", async () => {
    const mtime = new Date(2024, 2, 4, 5, 6, 7, 250);
    const list = await loadInputFile(
      await inputWith([legacy({ collection_timestamp: "2025-06-26T22:05:55.905753" }), legacy()], mtime),
    );
    expect(list.papers.map((p) => p.citations[0]?.timestamp)).toEqual([
      "2025-06-26T22:05:55.905753",
      "2024-03-04T05:06:07.250000",
    ]);
    expect(list.papers[1]?.abstracts[0]?.timestamp).toBe("2024-03-04T05:06:07.250000");
    const envelope = await loadInputFile(
      await inputWith(
        { collection_metadata: { timestamp: "2025-07-15T07:57:25" }, papers: [legacy()] },
        mtime,
      ),
    );
    expect(envelope.papers[0]?.citations[0]?.timestamp).toBe("2025-07-15T07:57:25");
    const blankEnvelope = await loadInputFile(
      await inputWith({ collection_metadata: { timestamp: "" }, papers: [legacy()] }, mtime),
    );
    expect(blankEnvelope.papers[0]?.citations[0]?.timestamp).toBe("2024-03-04T05:06:07.250000");
  });

  it("count the migrated records and the papers without a venue, once each", async () => {
    const loaded = await loadInputFile(
      await inputWith([
        legacy(),
        legacy({ title: "B", citations: 0, abstract: "" }),
        legacy({ title: "C", venue: "arXiv", paper_id: "arxiv:2304.09006", abstract: null }),
        legacy({ title: "D", venue: null, citations: "12" }),
        legacy({ title: "E", venue: "   " }),
      ]),
    );
    expect(loaded.migrated).toEqual({ citations: 4, abstracts: 3 });
    expect(loaded.warnings).toEqual([
      expect.stringMatching(/legacy\.json: 4 papers have no venue \(kept empty; .*\{year\}_\{index\}\)$/),
    ]);
    expect(loaded.papers.map((p) => [p.venue, p.paper_id])).toEqual([
      ["", "2020_0000"],
      ["", "2020_0001"],
      ["arXiv", "arxiv:2304.09006"],
      ["", "2020_0003"],
      ["   ", "2020_0004"],
    ]);
  });

  it("say 1 paper has no venue in the singular, and nothing when all have one", async () => {
    expect((await loadInputFile(await inputWith([legacy()]))).warnings).toEqual([
      expect.stringContaining("1 paper has no venue"),
    ]);
    expect((await loadInputFile(await inputWith([legacy({ venue: "ICML" })]))).warnings).toEqual([]);
  });

  it("keep unknown keys unchanged and in their order, and drop only the abstract key", async () => {
    const extra = {
      domain: "Computer Vision & Medical Imaging",
      collection_year: 2020,
      computational_analysis: { error: "x", computational_richness: 0 },
      venue_score: 0.5,
    };
    const [paper] = (await loadInputFile(await inputWith([legacy(extra)]))).papers;
    const keys = Object.keys(paper!);
    expect(keys).not.toContain("abstract");
    expect(keys.slice(keys.indexOf("benchmark_type") + 1)).toEqual([
      "domain",
      "collection_year",
      "venue_score",
    ]);
    expect(paper?.computational_analysis).toEqual(extra.computational_analysis);
    expect(paper?.authors[0]).toMatchObject({ author_id: "2066328405" });
  });

  it("refuse broken legacy papers with every field named (file, index, path), exit 2", async () => {
    const file = await inputWith([
      legacy(),
      legacy({ title: undefined }),
      legacy({ year: "abc" }),
      legacy({ citations: -3 }),
      legacy({ abstract: 42 }),
    ]);
    const error = await loadInputFile(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).exitCode).toBe(2);
    const message = (error as Error).message;
    expect(message).toContain(`${file}: 4 invalid field(s):`);
    expect(message).toMatch(/papers\[1\]\.title is required but missing/);
    expect(message).toMatch(/papers\[2\]\.year must be number, got "abc"/);
    expect(message).toMatch(/papers\[3\]\.citations must be a list of citation records .*got number -3/);
    expect(message).toMatch(/papers\[4\]\.abstract must be a string \(legacy abstract\), got number 42/);
  });
});
