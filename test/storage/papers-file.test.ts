import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SessionCorruptError } from "../../src/errors.js";
import { parsePaper } from "../../src/model/paper.js";
import { writeFileAtomic } from "../../src/storage/atomic-write.js";
import { nodeStorageFs } from "../../src/storage/fs.js";
import {
  locatePapersByLengths,
  papersFileChunks,
  readPapersFile,
  scanPapersFile,
  writePapersFile,
} from "../../src/storage/papers-file.js";
import { makePapers } from "../helpers/papers.js";
import { testdir } from "../helpers/testdir.js";

const meta = (n: number) => ({
  total_papers: n,
  unique_paper_ids: n,
  saved_at: "2026-01-01T00:00:00Z",
  generation: 1,
});

describe("papers file", () => {
  it("round-trips papers (unknown keys included) as valid JSON, one paper per line", async () => {
    const dir = await testdir();
    const file = path.join(dir, "papers_enriched.json");
    const papers = makePapers(5);
    const written = await writePapersFile(nodeStorageFs, file, meta(5), papers);
    const text = await readFile(file, "utf8");
    expect(JSON.parse(text)).toEqual({ metadata: meta(5), papers });
    expect(text.split("\n")).toHaveLength(5 + 4);
    const read = await readPapersFile(nodeStorageFs, file);
    expect(read.papers).toEqual(papers);
    expect(read.metadata).toEqual(meta(5));
    expect(read.sha256).toBe(written.sha256);
  });

  it("round-trips papers of legacy inputs: empty venue, generated id, migrated records", async () => {
    const dir = await testdir();
    const file = path.join(dir, "papers_enriched.json");
    const papers = makePapers(3).map((p, i) => ({ ...p, venue: i === 1 ? "" : p.venue }));
    const legacy = parsePaper({ title: "L", venue: "", year: 2020, citations: 4, abstract: "A" }, 3, {
      fallbackTimestamp: "2025-01-01T00:00:00",
    });
    if (!legacy.ok) throw new Error("bad legacy paper");
    papers.push(legacy.paper);
    await writePapersFile(nodeStorageFs, file, meta(4), papers);
    const read = await readPapersFile(nodeStorageFs, file);
    expect(read.papers).toEqual(papers);
    // The whole-file layout (the Python tool's) is validated by parsePaper as well.
    await writeFile(file, JSON.stringify(papers, null, 2));
    expect((await readPapersFile(nodeStorageFs, file)).papers).toEqual(papers);
  });

  it("writes and reads an empty list", async () => {
    const dir = await testdir();
    const file = path.join(dir, "p.json");
    await writePapersFile(nodeStorageFs, file, meta(0), []);
    expect(JSON.parse(await readFile(file, "utf8")).papers).toEqual([]);
    expect((await readPapersFile(nodeStorageFs, file)).papers).toEqual([]);
  });

  it("reads the Python tool's indented layout and a plain list", async () => {
    const dir = await testdir();
    const file = path.join(dir, "p.json");
    const papers = makePapers(2);
    await writeFile(
      file,
      JSON.stringify({ metadata: { total_papers: 2, unique_paper_ids: 2, saved_at: "x" }, papers }, null, 2),
    );
    expect((await readPapersFile(nodeStorageFs, file)).papers).toEqual(papers);
    await writeFile(file, JSON.stringify(papers, null, 2));
    const plain = await readPapersFile(nodeStorageFs, file);
    expect(plain.papers).toEqual(papers);
    expect(plain.metadata).toBeUndefined();
  });

  it("rejects every truncation of a snapshot, naming the file", async () => {
    const dir = await testdir();
    const file = path.join(dir, "p.json");
    await writePapersFile(nodeStorageFs, file, meta(3), makePapers(3));
    const full = await readFile(file);
    for (let cut = 0; cut < full.length - 1; cut += 7) {
      await writeFile(file, full.subarray(0, cut));
      const error = await readPapersFile(nodeStorageFs, file).catch((e: unknown) => e);
      expect(error, `cut at ${cut}`).toBeInstanceOf(SessionCorruptError);
      expect((error as Error).message).toContain(file);
    }
  });

  it("rejects a paper that fails validation, with its index and field", async () => {
    const dir = await testdir();
    const file = path.join(dir, "p.json");
    await writePapersFile(nodeStorageFs, file, meta(2), makePapers(2));
    const text = (await readFile(file, "utf8")).replace('"venue":"ICML"', '"venue":7');
    await writeFile(file, text);
    await expect(readPapersFile(nodeStorageFs, file)).rejects.toThrow(
      /line 3: invalid paper \(papers\[0\]\.venue must be string/,
    );
  });

  describe("located by the line lengths progress.json recorded", () => {
    /** A snapshot as SnapshotWriter writes it, with the lengths it learns on the way. */
    async function snapshotWithLengths(count: number) {
      const file = path.join(await testdir(), "papers_enriched.json");
      const lengths: number[] = [];
      const lines = makePapers(count).map((paper) => Buffer.from(JSON.stringify(paper)));
      const written = await writeFileAtomic(
        nodeStorageFs,
        file,
        papersFileChunks(meta(count), lines, (_offset, length) => lengths.push(length)),
      );
      return { file, lengths, sha256: written.sha256 };
    }

    it("finds every line where a scan of the file finds it, for 0, 1 and many papers", async () => {
      for (const count of [0, 1, 7]) {
        const { file, lengths, sha256 } = await snapshotWithLengths(count);
        const located = locatePapersByLengths(file, lengths);
        expect(located && { ...located, sha256 }).toEqual(await scanPapersFile(nodeStorageFs, file));
      }
    });

    it("gives up (the file is then scanned) when the file or the lengths differ in any way", async () => {
      const { file, lengths } = await snapshotWithLengths(4);
      const locate = (given: number[]) => locatePapersByLengths(file, given);
      expect(locate(lengths)).toBeDefined();
      expect(locate(lengths.slice(1))).toBeUndefined(); // another number of papers
      expect(locate(lengths.map((n, i) => (i === 2 ? n + 1 : n)))).toBeUndefined();
      expect(locate(lengths.map((n, i) => (i === 3 ? n - 1 : n)))).toBeUndefined();
      await writeFile(file, `${await readFile(file, "utf8")}more`);
      expect(locate(lengths)).toBeUndefined(); // bytes after the end
      expect(locatePapersByLengths(path.join(path.dirname(file), "gone.json"), lengths)).toBeUndefined();
      await writeFile(file, "[]");
      expect(locate(lengths)).toBeUndefined(); // another layout
    });
  });
});
