import { spawnSync } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultOutputPath, withStableRecordOrder, writeOutputFile } from "../../src/core/output-file.js";
import { StorageError } from "../../src/errors.js";
import type { Paper } from "../../src/model/paper.js";
import { isTempFileName } from "../../src/storage/atomic-write.js";
import { type MutatingOp, nodeStorageFs, withOpHook } from "../../src/storage/fs.js";
import { isProcessAlive } from "../../src/storage/process-alive.js";
import { makePapers } from "../helpers/papers.js";
import { testdir } from "../helpers/testdir.js";

/** The `cf consolidate` output writer: format, atomic replacement, temp file sweep. */

const METADATA = {
  timestamp: "2026-01-25T12:58:40.512Z",
  session_id: "consolidate_20260125_101500_1a2b3c4d",
  input_file: "/data/papers.json",
  sources: ["openalex", "semantic_scholar"],
  complete: true,
  stats: { total_papers: 3, sources: { openalex: { papers_done: 3 } } },
};

const record = <D>(source: string, data: D) => ({
  source,
  timestamp: "2026-01-01T00:00:00",
  original: source !== "openalex" && source !== "semantic_scholar",
  data,
});

/** Papers whose records are out of source order: S2's first, then the input's, then OpenAlex's. */
function mixedPapers(n: number): Paper[] {
  return makePapers(n).map((paper, i) => ({
    ...paper,
    citations: [
      record("semantic_scholar", { count: 20 + i }),
      record("pmlr", { count: 10 + i }),
      record("openalex", { count: 30 + i }),
    ],
    urls: [
      record("openalex", { url: `https://oa/${i}` }),
      record("paperswithcode", { url: `https://pwc/${i}` }),
    ],
  }));
}

/** Names in `dir` that are temp files of an atomic write. */
async function tempFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter(isTempFileName);
}

describe("writeOutputFile: content", () => {
  it("writes the metadata, then the papers in input order, as 2-space JSON ending in a newline", async () => {
    const dir = await testdir();
    const out = path.join(dir, "out.json");
    const papers = mixedPapers(3);
    await writeOutputFile(nodeStorageFs, out, METADATA, papers);
    const text = await readFile(out, "utf8");
    const expected = { consolidation_metadata: METADATA, papers: papers.map(withStableRecordOrder) };
    expect(text).toBe(`${JSON.stringify(expected, null, 2)}\n`);
    expect(Object.keys(JSON.parse(text))).toEqual(["consolidation_metadata", "papers"]);
    expect(JSON.parse(text).papers.map((p: Paper) => p.paper_id)).toEqual(["P0000", "P0001", "P0002"]);
    expect(JSON.parse(text).papers[0].custom_field).toEqual({ kept: 0 });
  });

  it("writes an empty papers list and a single paper in the same format", async () => {
    const dir = await testdir();
    for (const papers of [[], mixedPapers(1)]) {
      const out = path.join(dir, `out-${papers.length}.json`);
      await writeOutputFile(nodeStorageFs, out, METADATA, papers);
      const expected = { consolidation_metadata: METADATA, papers: papers.map(withStableRecordOrder) };
      expect(await readFile(out, "utf8")).toBe(`${JSON.stringify(expected, null, 2)}\n`);
    }
  });

  it("puts the input's records first, then each API source's in a fixed order, without changing the papers", async () => {
    const dir = await testdir();
    const out = path.join(dir, "out.json");
    const papers = mixedPapers(2);
    await writeOutputFile(nodeStorageFs, out, METADATA, papers);
    const written = JSON.parse(await readFile(out, "utf8")).papers;
    expect(written[1].citations.map((r: { source: string }) => r.source)).toEqual([
      "pmlr",
      "openalex",
      "semantic_scholar",
    ]);
    expect(written[1].citations.map((r: { data: { count: number } }) => r.data.count)).toEqual([11, 31, 21]);
    expect(written[0].urls.map((r: { source: string }) => r.source)).toEqual(["paperswithcode", "openalex"]);
    // The papers in memory (the session's) keep their own order.
    expect(papers[1]?.citations.map((r) => r.source)).toEqual(["semantic_scholar", "pmlr", "openalex"]);
  });

  it("keeps the order of several records of one source", () => {
    const [paper] = makePapers(1);
    const sorted = withStableRecordOrder({
      ...paper!,
      abstracts: [
        record("openalex", { text: "second source, first", language: "en" }),
        record("arxiv", { text: "input, first", language: "en" }),
        record("openalex", { text: "second source, second", language: "en" }),
        record("arxiv", { text: "input, second", language: "en" }),
      ],
    });
    expect(sorted.abstracts.map((r) => r.data.text)).toEqual([
      "input, first",
      "input, second",
      "second source, first",
      "second source, second",
    ]);
  });

  it("streams a large output in several writes, with the same bytes as a single JSON document", async () => {
    const dir = await testdir();
    const out = path.join(dir, "out.json");
    const papers = mixedPapers(1500); // about 2 MB: more than one 1 MB write
    let writes = 0;
    const fs = withOpHook(nodeStorageFs, (op) => {
      if (op === "write") writes += 1;
    });
    await writeOutputFile(fs, out, METADATA, papers);
    expect(writes).toBeGreaterThan(1);
    const expected = { consolidation_metadata: METADATA, papers: papers.map(withStableRecordOrder) };
    expect(await readFile(out, "utf8")).toBe(`${JSON.stringify(expected, null, 2)}\n`);
  });

  it("creates the output's directory, and says so when it cannot", async () => {
    const dir = await testdir();
    const out = path.join(dir, "data", "consolidated_papers", "out.json");
    await writeOutputFile(nodeStorageFs, out, METADATA, mixedPapers(1));
    expect(JSON.parse(await readFile(out, "utf8")).papers).toHaveLength(1);

    await writeFile(path.join(dir, "a-file"), "x");
    const blocked = path.join(dir, "a-file", "sub", "out.json");
    const error = await writeOutputFile(nodeStorageFs, blocked, METADATA, []).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toContain(`while creating ${path.join(dir, "a-file", "sub")}`);
  });
});

describe("writeOutputFile: atomic replacement", () => {
  it("never shows a partial file: until the rename the old output is there whole, then the new one", async () => {
    const dir = await testdir();
    const out = path.join(dir, "out.json");
    await writeFile(out, "previous output\n");
    const seen: string[] = [];
    const fs = withOpHook(nodeStorageFs, async (op, file) => {
      if (file === out || isTempFileName(path.basename(file)))
        seen.push(`${op}:${await readFile(out, "utf8")}`);
    });
    await writeOutputFile(fs, out, METADATA, mixedPapers(50));
    expect(seen.map((s) => s.split(":")[0])).toEqual(["open", "write", "fsync", "close", "rename"]);
    for (const entry of seen) expect(entry.slice(entry.indexOf(":") + 1)).toBe("previous output\n");
    expect(JSON.parse(await readFile(out, "utf8")).papers).toHaveLength(50);
    expect(await tempFiles(dir)).toEqual([]);
  });

  const failing: MutatingOp[] = ["open", "write", "fsync", "close", "rename"];
  for (const op of failing) {
    it(`keeps the previous output intact and leaves no temp file when ${op} fails`, async () => {
      const dir = await testdir();
      const out = path.join(dir, "out.json");
      await writeFile(out, "previous output\n");
      const fs = withOpHook(nodeStorageFs, (at, file) => {
        if (at === op && (file === out || isTempFileName(path.basename(file))))
          throw Object.assign(new Error(`ENOSPC: injected at ${op}`), { code: "ENOSPC" });
      });
      const error = await writeOutputFile(fs, out, METADATA, mixedPapers(5)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StorageError);
      expect((error as Error).message).toBe(`disk full while writing ${out} (ENOSPC)`);
      expect(await readFile(out, "utf8")).toBe("previous output\n");
      expect(await readdir(dir)).toEqual(["out.json"]);
    });
  }

  it("keeps the previous output when the papers cannot be produced midway (nothing half-written)", async () => {
    const dir = await testdir();
    const out = path.join(dir, "out.json");
    await writeFile(out, "previous output\n");
    function* papers() {
      yield* mixedPapers(3);
      throw new Error("paper 4 is broken");
    }
    await expect(writeOutputFile(nodeStorageFs, out, METADATA, papers())).rejects.toThrow(
      /paper 4 is broken/,
    );
    expect(await readFile(out, "utf8")).toBe("previous output\n");
    expect(await readdir(dir)).toEqual(["out.json"]);
  });

  it("a failed first write leaves no output at all", async () => {
    const dir = await testdir();
    const out = path.join(dir, "out.json");
    const fs = withOpHook(nodeStorageFs, (op) => {
      if (op === "rename") throw Object.assign(new Error("EIO: injected"), { code: "EIO" });
    });
    await expect(writeOutputFile(fs, out, METADATA, mixedPapers(2))).rejects.toThrow(
      /^I\/O error while writing/,
    );
    expect(await readdir(dir)).toEqual([]);
  });
});

describe("writeOutputFile: temp files of killed writes", () => {
  /** A temp name as an atomic write of `target` by `pid` makes it. */
  const temp = (target: string, pid: number, hex: string) => `.${target}.${pid}.${hex.repeat(8)}.tmp`;

  it("sweeps this output's temp files left by dead writers (and by this process), and nothing else", async () => {
    const dir = await testdir();
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    expect(isProcessAlive(dead)).toBe(false);
    const killedEarlier = temp("out.json", dead, "a");
    const ours = temp("out.json", process.pid, "b");
    const liveWriter = temp("out.json", process.ppid, "c"); // another live run may be writing it
    const otherOutput = temp("other.json", dead, "d");
    const unrelated = ["other.json", "notes.txt", ".out.json.tmp"];
    for (const name of [killedEarlier, ours, liveWriter, otherOutput, ...unrelated]) {
      await writeFile(path.join(dir, name), "partial");
    }
    await writeOutputFile(nodeStorageFs, path.join(dir, "out.json"), METADATA, mixedPapers(1));
    expect((await readdir(dir)).sort()).toEqual(["out.json", liveWriter, otherOutput, ...unrelated].sort());
  });

  it("sweeps nothing when the write fails", async () => {
    const dir = await testdir();
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    const killedEarlier = temp("out.json", dead, "e");
    await writeFile(path.join(dir, killedEarlier), "partial");
    const fs = withOpHook(nodeStorageFs, (op) => {
      if (op === "fsync") throw Object.assign(new Error("EIO: injected"), { code: "EIO" });
    });
    await expect(writeOutputFile(fs, path.join(dir, "out.json"), METADATA, [])).rejects.toBeInstanceOf(
      StorageError,
    );
    expect(await readdir(dir)).toEqual([killedEarlier]);
  });
});

describe("defaultOutputPath", () => {
  it("is data/consolidated_papers/papers_<local YYYYMMDD_HHMMSS>.json", () => {
    expect(defaultOutputPath(new Date(2026, 0, 5, 7, 8, 9))).toBe(
      path.join("data", "consolidated_papers", "papers_20260105_070809.json"),
    );
    expect(defaultOutputPath(new Date(2025, 11, 31, 23, 59, 58, 999))).toBe(
      path.join("data", "consolidated_papers", "papers_20251231_235958.json"),
    );
  });
});

describe("writeOutputFile: any value a paper holds", () => {
  it("prints as JSON.stringify prints the whole document, for unknown keys of any shape and text", async () => {
    const out = path.join(await testdir(), "out.json");
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 4 }), { maxLength: 3 }),
        async (extras) => {
          const papers = makePapers(extras.length).map((paper, i) => ({ ...extras[i], ...paper }) as Paper);
          await writeOutputFile(nodeStorageFs, out, METADATA, papers);
          const expected = { consolidation_metadata: METADATA, papers: papers.map(withStableRecordOrder) };
          expect(await readFile(out, "utf8")).toBe(`${JSON.stringify(expected, null, 2)}\n`);
        },
      ),
      { numRuns: 200 },
    );
  });
});
