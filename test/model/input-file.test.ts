import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import { loadInputFile } from "../../src/model/input-file.js";
import { testdir } from "../helpers/testdir.js";

async function inputWith(content: string | object) {
  const dir = await testdir();
  const file = path.join(dir, "papers.json");
  await writeFile(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}

const paper = (extra: object = {}) => ({ title: "T", venue: "ICML", year: 2023, ...extra });

describe("loadInputFile", () => {
  it("reads the collect envelope and a plain list, with absolute path and sha256", async () => {
    const file = await inputWith({ collection_metadata: { venues: ["ICML"] }, papers: [paper(), paper()] });
    const loaded = await loadInputFile(file);
    expect(loaded.file).toBe(path.resolve(file));
    expect(loaded.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(loaded.papers.map((p) => p.paper_id)).toEqual(["ICML_2023_0000", "ICML_2023_0001"]);
    expect(loaded.collectionMetadata).toEqual({ venues: ["ICML"] });
    expect((await loadInputFile(await inputWith([paper()]))).papers).toHaveLength(1);
  });

  const bad: Array<[string, string | object, RegExp]> = [
    ["empty file", "", /the file is empty/],
    ["not JSON", "{papers: [", /not valid JSON/],
    ["wrong top-level type", "42", /expected a JSON object with "papers" or a JSON list, got a number/],
    ["no papers key", { items: [] }, /no "papers" key/],
    ["papers not an array", { papers: {} }, /"papers" must be an array, got an object/],
    ["zero papers", { papers: [] }, /papers is empty: there are no papers/],
    [
      "missing title",
      { papers: [paper(), { venue: "V", year: 2020 }] },
      /papers\[1\]\.title is required but missing/,
    ],
    [
      "a list as venue",
      { papers: [paper({ venue: [] })] },
      /papers\[0\]\.venue must be string, got an array/,
    ],
    ["missing year", { papers: [{ title: "T", venue: "V" }] }, /papers\[0\]\.year is required but missing/],
    [
      "year of wrong type",
      { papers: [paper({ year: "soon" })] },
      /papers\[0\]\.year must be number, got "soon"/,
    ],
    ["author of wrong type", { papers: [paper({ authors: [1] })] }, /papers\[0\]\.authors\[0\]/],
    ["paper not an object", { papers: ["just a title"] }, /papers\[0\] must be object, got "just a title"/],
    [
      "conflicting duplicate ids",
      { papers: [paper({ paper_id: "x" }), paper({ paper_id: "x", title: "Other" })] },
      /papers\[1\]\.paper_id "x" is also the id of papers\[0\], with different content/,
    ],
  ];
  for (const [name, content, message] of bad) {
    it(`rejects ${name} with a message naming the file`, async () => {
      const file = await inputWith(content);
      const error = await loadInputFile(file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).exitCode).toBe(2);
      expect((error as Error).message).toContain(file);
      expect((error as Error).message).toMatch(message);
    });
  }

  it("rejects a missing file and a directory", async () => {
    const dir = await testdir();
    await expect(loadInputFile(path.join(dir, "nope.json"))).rejects.toThrow(/nope\.json: no such file/);
    await mkdir(path.join(dir, "d"));
    await expect(loadInputFile(path.join(dir, "d"))).rejects.toThrow(/not a regular file/);
  });

  it("collapses exact duplicates with a warning instead of dropping them silently", async () => {
    const file = await inputWith({ papers: [paper({ paper_id: "x" }), paper({ paper_id: "x" })] });
    const loaded = await loadInputFile(file);
    expect(loaded.papers).toHaveLength(1);
    expect(loaded.warnings[0]).toMatch(/1 exact duplicate paper\(s\)/);
  });

  it("lists at most ten problems and says how many more", async () => {
    const file = await inputWith({ papers: Array.from({ length: 15 }, () => ({ venue: 1 })) });
    const message = await loadInputFile(file).catch((e: Error) => e.message);
    expect(message).toMatch(/45 invalid field\(s\)/);
    expect(message).toContain("… and 35 more");
  });
});
