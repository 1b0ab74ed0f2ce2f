import { execFileSync } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CheckpointManager } from "../../src/storage/checkpoint-manager.js";
import { locateSession } from "../../src/storage/session-catalog.js";
import { sessionDetails } from "../../src/storage/session-details.js";
import { makeCfSession, makePythonSession } from "../helpers/sessions.js";
import { testdir } from "../helpers/testdir.js";

const ENOTFOUND =
  "OpenAlex DOI list (transient): request failed (ENOTFOUND: getaddrinfo ENOTFOUND api.openalex.org)";
const TIMEOUT = "OpenAlex title search (transient): timed out after 30000 ms";

const id = (i: number) => `P${String(i).padStart(4, "0")}`;

/** A session of 40 papers: OpenAlex failed 12 (9 DNS, 3 timeouts) from P0020 on, S2 failed P0025. */
async function sessionWithFailures() {
  const base = await testdir();
  const openalex = Object.fromEntries(
    Array.from({ length: 12 }, (_, k) => [id(20 + k), k % 4 === 3 ? TIMEOUT : ENOTFOUND]),
  );
  const dir = await makeCfSession(base, "s1", {
    inputFile: "/data/in.json",
    papers: 40,
    done: 5,
    failures: { openalex, semantic_scholar: { [id(25)]: "transient: HTTP 503 Service Unavailable" } },
  });
  return { base, dir };
}

/** Replace the papers snapshot by a FIFO: opening it for reading would block until a writer comes. */
function fifoInsteadOfPapers(dir: string) {
  const file = path.join(dir, "papers_enriched.json");
  return rm(file).then(() => execFileSync("mkfifo", [file]));
}

describe("sessionDetails", () => {
  it("gathers status, files, input, per-source counts, failure causes and the first failed papers", async () => {
    const { dir } = await sessionWithFailures();
    const details = await sessionDetails(dir);
    expect(details.summary).toMatchObject({
      session_id: "s1",
      status: "interrupted",
      format: "cf",
      input_file: "/data/in.json",
      total_papers: 40,
    });
    expect(details.files.map((f) => f.name)).toEqual([
      "checkpoint.json",
      "checkpoint.json.bak",
      "journal.jsonl",
      "papers_enriched.json",
      "progress.json",
      "session.json",
    ]);
    expect(details.files.every((f) => Number.isInteger(f.bytes))).toBe(true);
    expect(details.source_names).toEqual(["openalex", "semantic_scholar"]);
    expect(details.sources.openalex).toMatchObject({
      status: "in_progress",
      papers_done: 5,
      papers_not_found: 5,
      papers_failed: 12,
      failure_causes: [
        { cause: "OpenAlex DOI list (transient): cannot connect to api.openalex.org (ENOTFOUND)", count: 9 },
        { cause: TIMEOUT, count: 3 },
      ],
    });
    expect(details.sources.semantic_scholar?.failure_causes).toEqual([
      { cause: "transient: HTTP 503 Service Unavailable", count: 1 },
    ]);
    expect(details.failed_total).toBe(13);
    // Input order; a paper failed by both sources appears once per source.
    expect(details.failed_papers.map((f) => `${f.source} ${f.paper_id}`)).toEqual([
      "openalex P0020",
      "openalex P0021",
      "openalex P0022",
      "openalex P0023",
      "openalex P0024",
      "openalex P0025",
      "semantic_scholar P0025",
      "openalex P0026",
      "openalex P0027",
      "openalex P0028",
    ]);
    expect(details.failed_papers[3]).toEqual({
      source: "openalex",
      paper_id: "P0023",
      title: "Paper number 23",
      cause: TIMEOUT,
      error: TIMEOUT,
    });
    expect(details.notes).toEqual([]);
  });

  it("never opens the papers snapshot when nothing failed", async () => {
    const base = await testdir();
    const dir = await makeCfSession(base, "s1", { papers: 10, done: 4 });
    await fifoInsteadOfPapers(dir);
    const details = await sessionDetails(dir);
    expect(details.failed_papers).toEqual([]);
    expect(details.sources.openalex?.papers_done).toBe(4);
  });

  it("lists failed papers untitled when the snapshot is not a readable file", async () => {
    const { dir } = await sessionWithFailures();
    await fifoInsteadOfPapers(dir);
    const details = await sessionDetails(dir);
    expect(details.failed_papers).toHaveLength(10);
    expect(details.failed_papers[0]).toMatchObject({ source: "openalex", paper_id: "P0020", title: null });
  });

  it("says when progress.json cannot be used, and still shows the counts", async () => {
    const { dir } = await sessionWithFailures();
    await writeFile(path.join(dir, "progress.json"), "{");
    const details = await sessionDetails(dir);
    expect(details.sources.openalex?.papers_failed).toBe(12);
    expect(details.sources.openalex?.failure_causes).toEqual([]);
    expect(details.notes).toEqual(["progress.json is not valid JSON: no failure details"]);
  });

  it("reports a corrupt session with its reason", async () => {
    const base = await testdir();
    const dir = await makeCfSession(base, "s1", { done: 2 });
    await writeFile(path.join(dir, "checkpoint.json"), '{"format": "cf-checkpoint"');
    await rm(path.join(dir, "checkpoint.json.bak"));
    const details = await sessionDetails(dir);
    expect(details.summary.status).toBe("corrupt");
    expect(details.summary.problem).toMatch(/^checkpoint\.json is not valid JSON/);
    expect(details.sources).toEqual({});
    expect(details.files.map((f) => f.name)).toContain("checkpoint.json");
  });

  it("shows a running session as running, with its holder", async () => {
    const base = await testdir();
    await makeCfSession(base, "s1", { done: 2 });
    const holder = await CheckpointManager.open({ baseDir: base, sessionId: "s1" });
    try {
      const details = await sessionDetails(path.join(base, "s1"));
      expect(details.summary.status).toBe("running");
      expect(details.summary.holder?.pid).toBe(process.pid);
    } finally {
      await holder.close();
    }
  });

  it("reads a Python tool's session: its counts and statuses, no failures", async () => {
    const base = await testdir();
    const dir = await makePythonSession(base, "consolidate_20250719_201418_d9bb5987", [34648, 16], 34648);
    const details = await sessionDetails(dir);
    expect(details.summary).toMatchObject({ format: "python", status: "interrupted", total_papers: 34648 });
    expect(details.options).toEqual({ checkpoint_interval_minutes: 5 });
    expect(details.sources).toEqual({
      openalex: {
        status: "completed",
        last_error: null,
        papers_done: 34648,
        papers_enriched: 247,
        papers_not_found: null,
        papers_failed: null,
        api_calls: 1830,
        papers_cached: 0,
        cost_usd: 0,
        resets_at: null,
        connection_failures: 0,
        failure_causes: [],
      },
      semantic_scholar: expect.objectContaining({ status: "in_progress", papers_done: 16, api_calls: 21 }),
    });
    expect(details.failed_papers).toEqual([]);
  });
});

describe("locateSession", () => {
  it("finds a session by directory name, else by the id its checkpoint holds", async () => {
    const base = await testdir();
    await makeCfSession(base, "s1");
    const python = await makePythonSession(base, "renamed_dir", [1, 1], 10);
    const checkpoint = path.join(python, "checkpoint.json");
    const data = JSON.parse(await readFile(checkpoint, "utf8"));
    await writeFile(
      checkpoint,
      JSON.stringify({ ...data, session_id: "consolidate_20250101_000000_abcdef12" }),
    );
    expect(await locateSession(base, "s1")).toBe(path.join(base, "s1"));
    expect(await locateSession(base, "consolidate_20250101_000000_abcdef12")).toBe(python);
    expect(await locateSession(base, "nope")).toBeUndefined();
    expect(await locateSession(path.join(base, "missing"), "s1")).toBeUndefined();
  });
});
