import { readdir, readFile, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { KNOWN_PAPER_FIELDS } from "../../src/model/paper.js";
import { createCorpus, knownPapers } from "../../src/simulator/corpus.js";
import { rawCollectedPapers, simpleCollectedPapers } from "../fixtures/legacy/legacy-files.js";
import { comparableOutput, duplicateRecords, simFlags, simulatorFor } from "../helpers/e2e.js";
import { runCli, spawnCli } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

type Raw = Record<string, unknown>;
type OutPaper = Record<string, unknown> & {
  paper_id: string;
  citations: Array<Record<string, unknown>>;
  abstracts: Array<Record<string, unknown>>;
  authors: Array<Record<string, unknown>>;
};

/** The input's mtime: the timestamp of legacy values of papers without `collection_timestamp`. */
const MTIME = new Date(2025, 5, 20, 12, 0, 0);
const MTIME_STAMP = "2025-06-20T12:00:00";

async function writeLegacy(dir: string, papers: Raw[], name = "raw_collected_papers.json") {
  const file = path.join(dir, name);
  await writeFile(file, JSON.stringify(papers, null, 2));
  await utimes(file, MTIME, MTIME);
  return name;
}

/** A simulator whose corpus holds the fixture's papers, so title lookups find them. */
function simulatorWith(papers: Raw[], options: Parameters<typeof simulatorFor>[0] = {}) {
  return simulatorFor({
    corpus: createCorpus({ seed: 7, size: 300, known: knownPapers(papers) }),
    ...options,
  });
}

/** What the legacy fields of `p` must have become, computed from the input alone. */
function expectedOriginals(p: Raw) {
  const label = [p.source, p.collection_source].find((s) => typeof s === "string" && s !== "") as
    | string
    | undefined;
  const source = label === "semanticscholar" ? "semantic_scholar" : (label ?? "collection");
  const timestamp = typeof p.collection_timestamp === "string" ? p.collection_timestamp : MTIME_STAMP;
  const count = Number(p.citations);
  const text = p.abstract as string;
  return {
    citations: count > 0 ? [{ source, timestamp, original: true, data: { count } }] : [],
    abstracts: text.trim() ? [{ source, timestamp, original: true, data: { text, language: "en" } }] : [],
  };
}

function migrationCounts(papers: Raw[]) {
  const citations = papers.filter((p) => Number(p.citations) > 0).length;
  const abstracts = papers.filter((p) => (p.abstract as string).trim() !== "").length;
  const noVenue = papers.filter((p) => (p.venue as string).trim() === "").length;
  return { citations, abstracts, noVenue };
}

/** Every legacy value kept as an original record, nothing lost, ids usable, unknown keys unchanged. */
function checkOutput(input: Raw[], output: OutPaper[]) {
  expect(output.map((p) => p.title)).toEqual(input.map((p) => p.title));
  const ids = output.map((p) => p.paper_id);
  expect(ids.every((id) => typeof id === "string" && id.trim() !== "")).toBe(true);
  expect(new Set(ids).size).toBe(ids.length);
  input.forEach((p, i) => {
    const out = output[i]!;
    const where = `paper ${i}`;
    if (typeof p.paper_id === "string" && p.paper_id !== "") expect(out.paper_id, where).toBe(p.paper_id);
    expect(out.venue, where).toBe(p.venue);
    const expected = expectedOriginals(p);
    expect(
      out.citations.filter((r) => r.original),
      where,
    ).toEqual(expected.citations);
    expect(
      out.abstracts.filter((r) => r.original),
      where,
    ).toEqual(expected.abstracts);
    expect("abstract" in out, where).toBe(false);
    expect(out.computational_analysis, where).toEqual(p.computational_analysis);
    const unknown = Object.keys(p).filter((k) => !KNOWN_PAPER_FIELDS.includes(k) && k !== "abstract");
    expect(
      Object.keys(out).filter((k) => !KNOWN_PAPER_FIELDS.includes(k)),
      where,
    ).toEqual(unknown);
    for (const key of unknown) expect(out[key], `${where}.${key}`).toEqual(p[key]);
    (p.authors as unknown[]).forEach((a, k) => {
      const name = typeof a === "string" ? a : (a as Raw).name;
      expect(out.authors[k]?.name, `${where}.authors[${k}]`).toBe(name);
      if (typeof a === "object") expect(out.authors[k]?.author_id).toBe((a as Raw).author_id);
    });
  });
}

async function outputPapers(file: string): Promise<OutPaper[]> {
  return JSON.parse(await readFile(file, "utf8")).papers;
}

describe("cf consolidate on legacy collected-paper files (simulator)", () => {
  it("--dry-run accepts a raw_collected_papers-shaped file and says what it migrates", async () => {
    const dir = await testdir();
    const papers = rawCollectedPapers();
    const name = await writeLegacy(dir, papers);
    const run = await runCli(["consolidate", "--input", name, "--dry-run"], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const { citations, abstracts, noVenue } = migrationCounts(papers);
    expect(run.stdout).toContain(`${papers.length} papers valid`);
    expect(run.stdout).toContain(
      `${citations} legacy citation counts and ${abstracts} abstracts kept as original records.`,
    );
    // The file is named as the command resolved it (absolute), like every input warning.
    expect(run.stderr).toMatch(
      new RegExp(`warning: \\S*${name.replaceAll(".", "\\.")}: ${noVenue} papers have no venue`),
    );
    expect(run.stderr).not.toContain("note:");
    expect(await readdir(dir)).toEqual([name]);
  });

  for (const [shape, make] of [
    ["raw_collected_papers", rawCollectedPapers],
    ["simple_collected_papers", simpleCollectedPapers],
  ] as const) {
    it(`runs a ${shape}-shaped file to the end, keeping every legacy value as an original record`, async () => {
      const dir = await testdir();
      const papers = make();
      const name = await writeLegacy(dir, papers, `${shape}.json`);
      const sim = await simulatorWith(papers);
      const run = await runCli(["consolidate", "--input", name, "--output", "out.json", ...simFlags(sim)], {
        cwd: dir,
      });
      expect(run.code, run.stderr).toBe(0);
      const { citations, abstracts } = migrationCounts(papers);
      const note = `note: ${citations} legacy citation counts and ${abstracts} abstracts kept as original records.`;
      expect(run.stderr.split("\n").filter((l) => l === note)).toHaveLength(1);
      const output = await outputPapers(path.join(dir, "out.json"));
      checkOutput(papers, output);
      expect(await duplicateRecords(path.join(dir, "out.json"))).toEqual([]);
      // The simulator found them: API records were added next to the original ones.
      const enriched = output.filter((p) => p.citations.some((r) => r.original === false)).length;
      expect(enriched).toBeGreaterThan(papers.length * 0.8);
    });
  }

  it("an interrupted run resumes to the same output, and the generated ids survive a second run", async () => {
    const papers = rawCollectedPapers();
    const goldenDir = await testdir();
    const goldenName = await writeLegacy(goldenDir, papers);
    const golden = await runCli(
      [
        "consolidate",
        "--input",
        goldenName,
        "--output",
        "out.json",
        ...simFlags(await simulatorWith(papers)),
      ],
      { cwd: goldenDir },
    );
    expect(golden.code, golden.stderr).toBe(0);
    const goldenOutput = await comparableOutput(path.join(goldenDir, "out.json"));

    const dir = await testdir();
    const name = await writeLegacy(dir, papers);
    let child: ReturnType<typeof spawnCli> | undefined;
    let seen = 0;
    const sim = await simulatorWith(papers, {
      latencyMs: 20,
      onRequest: () => {
        seen += 1;
        if (seen === 20) child?.child.kill("SIGINT");
      },
    });
    const args = ["consolidate", "--input", name, "--output", "out.json", ...simFlags(sim)];
    child = spawnCli(args, { cwd: dir });
    const exit = await child.exited;
    expect(exit.code, child.stderr()).toBe(130);

    const resumed = await runCli([...args, "--resume"], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/Resuming consolidate_/);
    expect(await comparableOutput(path.join(dir, "out.json"))).toBe(goldenOutput);
    const output = await outputPapers(path.join(dir, "out.json"));
    checkOutput(papers, output);
    // Paper 17 holds explicitly the id paper 5 would have been given.
    expect([output[5]?.paper_id, output[17]?.paper_id]).toEqual(["2019_0005_2", "2019_0005"]);

    // Completed: --resume has nothing to do; a new run gives the same ids and output again.
    const again = await runCli([...args, "--resume"], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("Nothing to resume");
    const second = await runCli(["consolidate", "--input", name, "--output", "out2.json", ...simFlags(sim)], {
      cwd: dir,
    });
    expect(second.code, second.stderr).toBe(0);
    expect(await comparableOutput(path.join(dir, "out2.json"))).toBe(goldenOutput);
  });
});
