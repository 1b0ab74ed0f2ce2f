import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadInputFile } from "../../src/model/input-file.js";
import { parsePaper } from "../../src/model/paper.js";
import { claimPaperId, generatedPaperId, isBlankPaperId } from "../../src/model/paper-ids.js";
import { testdir } from "../helpers/testdir.js";

async function idsOf(papers: object[]): Promise<string[]> {
  const file = path.join(await testdir(), "in.json");
  await writeFile(file, JSON.stringify(papers));
  return (await loadInputFile(file)).papers.map((p) => p.paper_id);
}

describe("generated paper ids", () => {
  it("are {venue}_{year}_{index:04d}, or {year}_{index:04d} without a venue", () => {
    expect(generatedPaperId("ICML", 2023, 7)).toBe("ICML_2023_0007");
    expect(generatedPaperId("", 2020, 12)).toBe("2020_0012");
    expect(generatedPaperId("  ", 2020, 12345)).toBe("2020_12345");
  });

  it("treat a missing, null, empty or whitespace paper_id as missing", () => {
    for (const value of [undefined, null, "", "   "]) expect(isBlankPaperId(value)).toBe(true);
    expect(isBlankPaperId("arxiv:2304.09006")).toBe(false);
    for (const paper_id of [undefined, null, "", " \t"]) {
      const result = parsePaper({ title: "T", venue: "", year: 2020, paper_id }, 3);
      expect(result.ok && [result.paper.paper_id, result.idGenerated]).toEqual(["2020_0003", true]);
    }
    const explicit = parsePaper({ title: "T", venue: "", year: 2020, paper_id: "x" }, 3);
    expect(explicit.ok && [explicit.paper.paper_id, explicit.idGenerated]).toEqual(["x", false]);
  });

  it("claim the first free suffix _2, _3, … and take it", () => {
    const taken = new Set(["a", "a_2"]);
    expect(claimPaperId("a", taken)).toBe("a_3");
    expect(claimPaperId("a", taken)).toBe("a_4");
    expect(claimPaperId("b", taken)).toBe("b");
    expect([...taken]).toEqual(["a", "a_2", "a_3", "a_4", "b"]);
  });

  it("never take an explicit id of the file, even one that comes later", async () => {
    const ids = await idsOf([
      { title: "A", venue: "", year: 2020 },
      { title: "B", venue: "", year: 2020, paper_id: "2020_0000" },
      { title: "C", venue: "ICML", year: 2021, paper_id: "" },
      { title: "D", venue: "", year: 2020, paper_id: "2020_0000_2" },
    ]);
    expect(ids).toEqual(["2020_0000_3", "2020_0000", "ICML_2021_0002", "2020_0000_2"]);
  });

  it("make generated ids unique among themselves too (venues that look like ids)", async () => {
    const ids = await idsOf([
      { title: "A", venue: "X_2020", year: 2020 },
      { title: "B", venue: "X", year: 2020, paper_id: "X_2020_2020_0000" },
      { title: "C", venue: "X_2020_2020_0000", year: 2020 },
      { title: "D", venue: "X_2020_2020_0000", year: 2020, paper_id: "X_2020_2020_0000_2020_0002" },
    ]);
    expect(ids).toEqual([
      "X_2020_2020_0000_2",
      "X_2020_2020_0000",
      "X_2020_2020_0000_2020_0002_2",
      "X_2020_2020_0000_2020_0002",
    ]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("are the same on every read of the same file (a resume relies on it)", async () => {
    const papers = Array.from({ length: 30 }, (_, i) => ({
      title: `P${i}`,
      venue: i % 3 === 0 ? "" : "V",
      year: 2020,
      ...(i % 4 === 0 ? { paper_id: `2020_${String(i + 1).padStart(4, "0")}` } : {}),
    }));
    const first = await idsOf(papers);
    expect(await idsOf(papers)).toEqual(first);
    expect(new Set(first).size).toBe(30);
    expect(first.every((id) => id.trim() !== "")).toBe(true);
  });
});
