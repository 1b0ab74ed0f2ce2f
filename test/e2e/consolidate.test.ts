import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { inspectSession } from "../../src/storage/session-catalog.js";
import { comparableOutput, duplicateRecords, simFlags, simulatorFor, writeInput } from "../helpers/e2e.js";
import { requestsPerKill } from "../helpers/faults/crash.js";
import { runCli, spawnCli } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

const PAPERS = 120;

/** An uninterrupted run: the golden output every interrupted run must reproduce. */
async function goldenRun() {
  const dir = await testdir();
  const input = await writeInput(dir, PAPERS);
  const sim = await simulatorFor();
  const run = await runCli(["consolidate", "--input", input, "--output", "out.json", ...simFlags(sim)], {
    cwd: dir,
  });
  expect(run.code, run.stderr).toBe(0);
  return {
    dir,
    requests: sim.requestLog.length,
    log: sim.requestLog,
    output: await comparableOutput(path.join(dir, "out.json")),
  };
}

describe("cf consolidate end to end (simulator)", () => {
  it("runs to the end: output in input order, summary, session completed", async () => {
    const dir = await testdir();
    const input = await writeInput(dir, PAPERS);
    const sim = await simulatorFor();
    const run = await runCli(
      ["consolidate", "--input", input, "--output", "out/result.json", ...simFlags(sim)],
      { cwd: dir },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Matched\s/);
    expect(run.stdout).toContain("Output: out/result.json");
    const data = JSON.parse(await readFile(path.join(dir, "out", "result.json"), "utf8"));
    const inputPapers = JSON.parse(await readFile(input, "utf8")).papers;
    expect(data.papers.map((p: { paper_id: string }) => p.paper_id)).toEqual(
      inputPapers.map((p: { paper_id: string }) => p.paper_id),
    );
    const stats = data.consolidation_metadata.stats;
    expect(stats.sources.openalex.papers_enriched).toBeGreaterThan(PAPERS * 0.8);
    expect(stats.sources.semantic_scholar.papers_enriched).toBeGreaterThan(PAPERS * 0.8);
    expect(stats.sources.openalex.papers_failed).toBe(0);
    expect(await duplicateRecords(path.join(dir, "out", "result.json"))).toEqual([]);
    const [sessionId] = await readdir(path.join(dir, ".cf_state", "consolidate"));
    expect((await inspectSession(path.join(dir, ".cf_state", "consolidate", sessionId!))).status).toBe(
      "completed",
    );
  });

  it("a run killed with SIGKILL and resumed ends equal to an uninterrupted run, fetching no completed batch twice", async () => {
    const golden = await goldenRun();
    const dir = await testdir();
    const input = await writeInput(dir, PAPERS);
    let child: ReturnType<typeof spawnCli> | undefined;
    let seen = 0;
    const sim = await simulatorFor({
      latencyMs: 20,
      onRequest: () => {
        seen += 1;
        if (seen === Math.floor(golden.requests / 2)) child?.child.kill("SIGKILL");
      },
    });
    const args = [
      "consolidate",
      "--input",
      input,
      "--output",
      "out.json",
      "--checkpoint-interval",
      "0",
      // At 13 requests/s each source keeps 4 batches in flight (sourceConcurrency), the bound below.
      ...simFlags(sim, 13),
    ];
    child = spawnCli(args, { cwd: dir });
    const killed = await child.exited;
    expect(killed.signal).toBe("SIGKILL");
    const beforeResume = sim.requestLog.length;

    const resumed = await runCli([...args, "--resume"], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(
      /Resuming consolidate_\d{8}_\d{6}_[0-9a-f]{8}: openalex \d+\/120, semantic_scholar \d+\/120/,
    );
    expect(await comparableOutput(path.join(dir, "out.json"))).toBe(golden.output);
    expect(await duplicateRecords(path.join(dir, "out.json"))).toEqual([]);
    // Only batches not yet journaled at the kill are fetched again: per worker (4 per source) one
    // in flight and one waiting for its group commit. An OpenAlex DOI batch costs its list request
    // plus a lookup per DOI the list missed (this input has some), hence the suites' shared bound.
    const total = sim.requestLog.length;
    expect(total).toBeLessThanOrEqual(golden.requests + requestsPerKill(13, golden.log));
    expect(beforeResume).toBeGreaterThan(0);
  });

  it("SIGINT writes a snapshot, prints the resume command and exits 130; the resume completes", async () => {
    const golden = await goldenRun();
    const dir = await testdir();
    const input = await writeInput(dir, PAPERS);
    let child: ReturnType<typeof spawnCli> | undefined;
    let seen = 0;
    const sim = await simulatorFor({
      latencyMs: 20,
      onRequest: () => {
        seen += 1;
        if (seen === 30) child?.child.kill("SIGINT");
      },
    });
    const args = ["consolidate", "--input", input, "--output", "out.json", ...simFlags(sim)];
    child = spawnCli(args, { cwd: dir });
    const exit = await child.exited;
    expect(exit.code, child.stderr()).toBe(130);
    expect(child.stderr()).toContain("Interrupted; checkpoint saved. Resume with:");
    expect(child.stderr()).toMatch(/cf consolidate --resume --input papers\.json --session-id consolidate_/);
    expect(existsSync(path.join(dir, "out.json"))).toBe(false);
    const base = path.join(dir, ".cf_state", "consolidate");
    const [sessionId] = await readdir(base);
    const session = await inspectSession(path.join(base, sessionId!));
    expect(session.status).toBe("interrupted");
    // The snapshot holds the progress made (under load, the first answers may all be one source's).
    const done = Object.values(session.sources).reduce((sum, s) => sum + s.papers_done, 0);
    expect(done).toBeGreaterThan(0);
    expect(await readFile(path.join(base, sessionId!, "journal.jsonl"), "utf8")).toBe("");

    const resumed = await runCli([...args, "--resume"], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await comparableOutput(path.join(dir, "out.json"))).toBe(golden.output);
  });

  it("refuses a second run on a session another process holds (exit 75, naming the holder)", async () => {
    const dir = await testdir();
    const input = await writeInput(dir, PAPERS);
    let second: Awaited<ReturnType<typeof runCli>> | undefined;
    let started = false;
    const args = (sim: { openalexUrl: string; s2Url: string }) => [
      "consolidate",
      "--input",
      input,
      "--output",
      "out.json",
      "--session-id",
      "shared",
      ...simFlags(sim as never, 5),
    ];
    let secondDone: Promise<void> | undefined;
    const sim = await simulatorFor({
      onRequest: () => {
        if (started) return;
        started = true;
        secondDone = runCli(args(sim), { cwd: dir }).then((r) => {
          second = r;
        });
      },
    });
    const first = spawnCli(args(sim), { cwd: dir });
    while (!secondDone) await new Promise((r) => setTimeout(r, 20));
    await secondDone;
    first.child.kill("SIGTERM");
    const exit = await first.exited;
    expect(exit.code).toBe(143);
    expect(second?.code).toBe(75);
    expect(second?.stderr).toMatch(new RegExp(`is in use by process ${first.child.pid} on host`));
  });

  it("stops OpenAlex when its budget runs out (exit 75, reset time), keeps S2 going, and the resume finishes", async () => {
    const golden = await goldenRun();
    const dir = await testdir();
    const input = await writeInput(dir, PAPERS);
    const poor = await simulatorFor({ openalexBudget: 10 });
    const args = ["consolidate", "--input", input, "--output", "out.json"];
    const first = await runCli([...args, ...simFlags(poor)], { cwd: dir });
    expect(first.code, first.stderr).toBe(75);
    // Retry-After counts whole seconds to midnight UTC, so the reset is midnight or a second after.
    expect(first.stderr).toMatch(
      /The openalex budget is exhausted\. It resets at \d{4}-\d\d-\d\dT00:00:0[01]/,
    );
    const data = JSON.parse(await readFile(path.join(dir, "out.json"), "utf8"));
    expect(data.consolidation_metadata.complete).toBe(false);
    expect(data.consolidation_metadata.stats.sources.semantic_scholar.status).toBe("completed");

    const rich = await simulatorFor();
    const resumed = await runCli([...args, "--resume", ...simFlags(rich)], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(rich.requestLog.filter((r) => r.api === "s2")).toEqual([]);
    expect(await comparableOutput(path.join(dir, "out.json"))).toBe(golden.output);
  });

  it("--dry-run prints the plan and creates nothing", async () => {
    const dir = await testdir();
    const input = await writeInput(dir, PAPERS);
    const run = await runCli(
      ["consolidate", "--input", input, "--dry-run", "--openalex-rps", "20", "--s2-rps", "5"],
      { cwd: dir },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /120 papers valid \(\d+ with a DOI, \d+ with only an arXiv id, \d+ with only a title\)/,
    );
    expect(run.stdout).toMatch(/openalex: \d+ request\(s\) at 20\/s/);
    expect(run.stdout).toMatch(/semantic_scholar: \d+ request\(s\) at 5\/s/);
    expect(await readdir(dir)).toEqual(["papers.json"]);
  });

  const badInputs: Array<[string, string | undefined, RegExp]> = [
    ["a missing file", undefined, /nope\.json: no such file/],
    ["an empty file", "", /the file is empty/],
    ["not JSON", "{", /not valid JSON/],
    ["zero papers", '{"papers": []}', /no papers to consolidate/],
    [
      "a paper without a title",
      '{"papers": [{"venue": "V", "year": 2020}]}',
      /papers\[0\]\.title is required but missing/,
    ],
    [
      "conflicting duplicate ids",
      '[{"title":"A","venue":"V","year":2020,"paper_id":"x"},{"title":"B","venue":"V","year":2020,"paper_id":"x"}]',
      /papers\[1\]\.paper_id "x" is also the id of papers\[0\]/,
    ],
  ];
  for (const [name, content, message] of badInputs) {
    it(`rejects ${name} with one clear message, exit 2, creating nothing`, async () => {
      const dir = await testdir();
      const file = content === undefined ? "nope.json" : "in.json";
      if (content !== undefined) await writeFile(path.join(dir, file), content);
      const run = await runCli(["consolidate", "--input", file, "--openalex-url", "http://127.0.0.1:9"], {
        cwd: dir,
      });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr.split("\n")[0]).toContain(file);
      expect((await readdir(dir)).filter((f) => f !== file)).toEqual([]);
    });
  }

  it("rejects bad flags with exit 2", async () => {
    const dir = await testdir();
    for (const flags of [
      ["--openalex-rps", "0"],
      ["--checkpoint-interval", "soon"],
      ["--sources", "crossref"],
      ["--s2-url", "ftp://x"],
    ]) {
      const run = await runCli(["consolidate", "--input", "x.json", ...flags], { cwd: dir });
      expect(run.code, flags.join(" ")).toBe(2);
      expect(run.stderr).toMatch(/^cf: --/);
    }
  });
});
