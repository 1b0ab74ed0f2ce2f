import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readPythonSession } from "../../src/storage/python-session.js";
import { makeCfSession, makePythonSession } from "../helpers/sessions.js";
import { testdir } from "../helpers/testdir.js";

/** Issue 15, first step: reading a Python session and deciding, per source, which papers are done. */

const record = (
  source: string,
  data: unknown,
  original = false,
  timestamp = "2025-07-19T20:15:01.123456",
) => ({
  source,
  timestamp,
  original,
  data,
});

/** Papers as the Python tool saved them: fetched records (its own labels), original ones, none. */
const PAPERS = [
  {
    paper_id: "P1",
    title: "Fetched by both",
    authors: [{ name: "Ada Quill" }],
    venue: "NeurIPS",
    year: 2021,
    citations: [record("openalex", { count: 12 })],
    // The Python tool's label for Semantic Scholar, and a timestamp with an offset.
    abstracts: [
      record("semanticscholar", { text: "An abstract.", language: "en" }, false, "2025-07-19T20:15:01+02:00"),
    ],
  },
  {
    paper_id: "P2",
    title: "Only what the collector had",
    authors: [{ name: "Bo Renner" }],
    venue: "ICML",
    year: 2022,
    citations: [record("semantic_scholar", { count: 3 }, true)],
  },
  {
    paper_id: "P3",
    title: "An OpenAlex URL",
    authors: [{ name: "Cy Ostrow" }],
    venue: "ICLR",
    year: 2020,
    urls: [record("openalex", { url: "https://example.org/p3.pdf" })],
  },
  { paper_id: "P4", title: "Nothing yet", authors: [{ name: "Di Lund" }], venue: "ACL", year: 2019 },
];

async function pythonSession(papersFile: unknown | undefined, sources?: unknown) {
  const base = await testdir();
  const dir = await makePythonSession(base, "consolidate_20250719_201418_d9bb5987", [3, 1], 4);
  if (sources !== undefined) {
    const file = path.join(dir, "checkpoint.json");
    const checkpoint = JSON.parse(await readFile(file, "utf8"));
    await writeFile(file, JSON.stringify({ ...checkpoint, sources }, null, 2));
  }
  const papers = path.join(dir, "papers_enriched.json");
  if (papersFile === undefined) await rm(papers);
  else await writeFile(papers, JSON.stringify(papersFile, null, 2));
  return dir;
}

describe("readPythonSession", () => {
  it("reads an indented {metadata, papers} file; a paper is done for a source when it holds a record fetched from it", async () => {
    const dir = await pythonSession({
      metadata: { total_papers: 4, unique_paper_ids: 4, saved_at: "x" },
      papers: PAPERS,
    });
    const session = await readPythonSession(dir);
    expect(session).toMatchObject({
      sessionId: "consolidate_20250719_201418_d9bb5987",
      inputFile: "data/collected/papers.json",
      totalPapers: 4,
      status: "interrupted",
      notes: [],
    });
    expect(session.papers?.map((p) => p.paper_id)).toEqual(["P1", "P2", "P3", "P4"]);
    expect([...session.done.openalex].sort()).toEqual(["P1", "P3"]);
    // `semanticscholar` is read as semantic_scholar; an original record does not make a paper done.
    expect([...session.done.semantic_scholar]).toEqual(["P1"]);
    // Records are kept exactly, timestamps as written.
    expect(session.papers?.[0]?.abstracts[0]).toMatchObject({
      source: "semantic_scholar",
      timestamp: "2025-07-19T20:15:01+02:00",
      original: false,
    });
  });

  it("reads a plain list too, and the checkpoint's older formats (phase; per-source status)", async () => {
    const phase = await readPythonSession(await pythonSession(PAPERS, { phase: "openalex_enrichment" }));
    expect(phase.status).toBe("interrupted");
    expect([...phase.done.openalex].sort()).toEqual(["P1", "P3"]);
    const perSource = await readPythonSession(
      await pythonSession(PAPERS, {
        openalex: { status: "completed", batches_completed: 1, total_batches: 1, papers_processed: 4 },
        semantic_scholar: { status: "failed", batches_completed: 0, total_batches: 1, papers_processed: 0 },
      }),
    );
    expect(perSource.papers).toHaveLength(4);
    expect(perSource.status).toBe("interrupted");
  });

  it("a missing or empty papers file: nothing fetched survives, said in a note", async () => {
    for (const papers of [undefined, { metadata: {}, papers: [] }]) {
      const session = await readPythonSession(await pythonSession(papers));
      expect(session.papers).toBeUndefined();
      expect(session.notes).toEqual([
        "no papers in papers_enriched.json: nothing fetched by the Python tool survives",
      ]);
      expect(session.done.openalex.size).toBe(0);
    }
  });

  it("fewer papers than the checkpoint says is noted; an invalid papers file is refused naming it", async () => {
    const short = await readPythonSession(await pythonSession(PAPERS.slice(0, 2)));
    expect(short.notes).toEqual(["papers_enriched.json holds 2 of the 4 papers of the session"]);
    const bad = await pythonSession([{ paper_id: "X", title: "", year: "soon" }]);
    await expect(readPythonSession(bad)).rejects.toThrow(/papers_enriched\.json: \d+ invalid field\(s\)/);
  });

  it("a cf session, or a directory without a checkpoint, is not a Python session", async () => {
    const base = await testdir();
    const cf = await makeCfSession(base, "consolidate_20260101_000000_aaaaaaaa");
    await expect(readPythonSession(cf)).rejects.toThrow(/is a cf session, not the Python tool's/);
    const empty = path.join(base, "empty");
    await mkdir(empty);
    await expect(readPythonSession(empty)).rejects.toThrow(/checkpoint\.json is missing/);
  });
});
