import { copyFile, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { RequestLogEntry, Simulator } from "../../src/simulator/server.js";
import { comparableOutput, interruptedRun, simFlags, simulatorFor, writeInput } from "../helpers/e2e.js";
import { dirDigest } from "../helpers/faults/damage.js";
import {
  asksFor,
  differingPapers,
  type PythonFormat,
  type PythonSessionSpec,
  type PythonSource,
  pythonPaper,
  writePythonSession,
} from "../helpers/python-sessions.js";
import { runCli, spawnCli } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

/**
 * Issue 15: the Python tool's sessions, in every checkpoint format it wrote, continued through the
 * binary against the simulator. Each is built from an uninterrupted cf run (helpers/python-sessions):
 * per paper, the sources "done" hold their records and fills as the Python tool kept them.
 */

type Json = Record<string, unknown>;
const INPUT = path.join("data", "collected", "papers.json");
const SOURCES: PythonSource[] = ["openalex", "semantic_scholar"];
const API: Record<PythonSource, RequestLogEntry["api"]> = { openalex: "openalex", semantic_scholar: "s2" };

/** Which sources the Python tool had done for paper i: both, one, the other, or none. */
function doneFor(i: number): Set<PythonSource> {
  return new Set(
    [[...SOURCES], ["openalex"], ["semantic_scholar"], [], [...SOURCES]][i % 5] as PythonSource[],
  );
}

interface World {
  dir: string;
  sim: Simulator;
  flags: string[];
  input: Json[];
  whole: Json[];
}

/** A project directory with its input at data/collected/papers.json and an uninterrupted run's output. */
async function world(count: number, sim?: Simulator): Promise<World> {
  const dir = await testdir();
  await mkdir(path.join(dir, "data", "collected"), { recursive: true });
  const written = await writeInput(dir, count, 7, Math.max(1500, count + 500));
  await copyFile(written, path.join(dir, INPUT));
  const simulator = sim ?? (await simulatorFor({ corpusSize: Math.max(1500, count + 500) }));
  const flags = [...simFlags(simulator, 1000), "--no-cache"];
  const run = await runCli(["consolidate", "--input", INPUT, "-o", "whole.json", ...flags], {
    cwd: dir,
    timeoutMs: 120_000,
  });
  expect(run.code, run.stderr).toBe(0);
  const input = JSON.parse(await readFile(path.join(dir, INPUT), "utf8")).papers as Json[];
  const whole = JSON.parse(await readFile(path.join(dir, "whole.json"), "utf8")).papers as Json[];
  return { dir, sim: simulator, flags, input, whole };
}

/**
 * The Python session's papers, per source the ids of those holding its records (done), and per paper
 * the ids cf filled from what no record carries (an arXiv id read from a landing page): the Python
 * tool could not have filled them, and cf does not ask a done source again, so they are not compared.
 */
function pythonPapers(w: World): {
  papers: Json[];
  done: Record<PythonSource, Set<string>>;
  ignore: Map<string, string[]>;
} {
  const built = w.whole.map((paper, i) => pythonPaper(paper, doneFor(i), i));
  const papers = built.map((b) => b.paper);
  const ignore = new Map(
    built.flatMap((b) => (b.uncarried.length > 0 ? [[b.paper.paper_id as string, b.uncarried]] : [])),
  );
  const label = { openalex: "openalex", semantic_scholar: "semanticscholar" };
  const done = Object.fromEntries(
    SOURCES.map((source) => [
      source,
      new Set(
        papers
          .filter((p) =>
            ["citations", "abstracts", "urls", "identifiers"].some((kind) =>
              (p[kind] as Json[]).some((r) => !r.original && r.source === label[source]),
            ),
          )
          .map((p) => p.paper_id as string),
      ),
    ]),
  ) as Record<PythonSource, Set<string>>;
  return { papers, done, ignore };
}

/** Every done paper unasked by its source, every other paper asked (so the probe itself is proven). */
function expectRequestsOnlyForUndone(
  requests: readonly RequestLogEntry[],
  w: World,
  done: Record<PythonSource, Set<string>>,
) {
  for (const source of SOURCES) {
    const mine = requests.filter((r) => r.api === API[source]);
    const wrong = w.whole.filter((p) => done[source].has(p.paper_id as string) && asksFor(mine, p));
    expect(
      wrong.map((p) => p.paper_id),
      `${source} asked again for papers it had done`,
    ).toEqual([]);
    const missed = w.whole.filter((p) => !done[source].has(p.paper_id as string) && !asksFor(mine, p));
    expect(
      missed.map((p) => p.paper_id),
      `${source} never asked for papers left to it`,
    ).toEqual([]);
  }
}

async function outputPapers(file: string): Promise<Json[]> {
  return JSON.parse(await readFile(file, "utf8")).papers as Json[];
}

const pythonId = (n: number) => `consolidate_20250719_2014${10 + n}_d9bb59${10 + n}`;

describe("continuing the Python tool's sessions, every checkpoint format", () => {
  it("each format, found by path, content or id: output equals the uninterrupted run, only undone papers requested, Python files unchanged", async () => {
    const w = await world(200);
    const { papers, done, ignore } = pythonPapers(w);
    const processed = { openalex: done.openalex.size + 7, semantic_scholar: done.semantic_scholar.size + 3 };
    // Ids the Python tool could not have filled are few: the comparison below leaves little out.
    expect(ignore.size).toBeLessThan(papers.length / 10);
    const cases: Array<{ format: PythonFormat; spec?: Partial<PythonSessionSpec>; args: string[] }> = [
      // Found by the input path it names (relative to the project, as the Python tool ran there).
      { format: "parallel", args: ["--input", INPUT, "--resume"] },
      // Named, without --input: the file the session names.
      { format: "phase", spec: { layout: "list" }, args: ["--resume", "--session-id", pythonId(1)] },
      // The input moved: found by its papers.
      { format: "phase-string", args: ["--input", "moved.json", "--resume"] },
      // The older per-source format, one source failed.
      {
        format: "per-source",
        spec: { statuses: { openalex: "completed", semantic_scholar: "failed" } },
        args: ["--input", INPUT, "--resume", "--session-id", pythonId(3)],
      },
    ];
    for (const [n, c] of cases.entries()) {
      const project = await testdir();
      await mkdir(path.join(project, "data", "collected"), { recursive: true });
      await copyFile(path.join(w.dir, INPUT), path.join(project, INPUT));
      await copyFile(path.join(w.dir, INPUT), path.join(project, "moved.json"));
      if (c.format === "phase-string") await rm(path.join(project, INPUT));
      const base = path.join(project, ".cf_state", "consolidate");
      const pyDir = await writePythonSession(base, pythonId(n), {
        format: c.format,
        inputFile: INPUT,
        papers,
        processed,
        ...c.spec,
      });
      const before = await dirDigest(pyDir);
      const from = w.sim.requestLog.length;
      const run = await runCli(["consolidate", ...c.args, "-o", "out.json", ...w.flags], {
        cwd: project,
        timeoutMs: 60_000,
      });
      expect(run.code, `${c.format}: ${run.stderr}`).toBe(0);
      expect(run.stderr).toContain(`Taking over ${pythonId(n)}: 200 papers`);
      expect(run.stderr).toContain(
        `done per source: openalex ${done.openalex.size}/200, semantic_scholar ${done.semantic_scholar.size}/200`,
      );
      const out = await outputPapers(path.join(project, "out.json"));
      expect(differingPapers(out, w.whole, { withFills: true, ignore }), c.format).toEqual([]);
      expectRequestsOnlyForUndone(w.sim.requestLog.slice(from), w, done);
      expect(await dirDigest(pyDir), c.format).toEqual(before);
      const sessions = await readdir(base);
      expect(sessions).toHaveLength(2);
      // From now on --resume for this input goes to the cf session (here: completed, nothing to do).
      const again = await runCli(["consolidate", ...c.args, "-o", "again.json", ...w.flags], {
        cwd: project,
      });
      expect(again.stderr).not.toContain("Taking over");
      expect(await readdir(base)).toEqual(sessions);
    }
  }, 240_000);

  it("a few thousand papers in an indented file whose input is gone: the session's own papers; --dry-run says what is left", async () => {
    const w = await world(3000);
    const { papers, done, ignore } = pythonPapers(w);
    const base = path.join(w.dir, ".cf_state", "consolidate");
    const id = pythonId(9);
    const pyDir = await writePythonSession(base, id, {
      format: "parallel",
      inputFile: INPUT,
      papers,
      processed: { openalex: done.openalex.size + 40, semantic_scholar: done.semantic_scholar.size },
    });
    await rm(path.join(w.dir, INPUT));
    const before = await dirDigest(pyDir);
    const sessionsBefore = (await readdir(base)).length;
    const args = ["consolidate", "--resume", "--session-id", id, "-o", "out.json", ...w.flags];

    const plan = await runCli([...args, "--dry-run"], { cwd: w.dir });
    expect(plan.code, plan.stderr).toBe(0);
    const leftOa = 3000 - done.openalex.size;
    const leftS2 = 3000 - done.semantic_scholar.size;
    expect(plan.stdout).toContain(`Taking over ${id}: 3000 papers`);
    expect(plan.stdout).toContain(
      `Lookups left: openalex ${leftOa} (about 40 of them the Python tool looked up and found nothing for), semantic_scholar ${leftS2}.`,
    );
    expect(plan.stdout).toContain("the session's input file is gone: its own 3000 papers are the input");
    expect(plan.stdout).toContain(`openalex: ${leftOa} of 3000 papers left to look up`);
    expect((await readdir(base)).length).toBe(sessionsBefore);

    const from = w.sim.requestLog.length;
    const run = await runCli(args, { cwd: w.dir, timeoutMs: 120_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("is gone: the session goes on with its own papers");
    // Without the input file, ids the Python tool filled read as the input's: fills are not compared.
    const out = await outputPapers(path.join(w.dir, "out.json"));
    expect(differingPapers(out, w.whole, { withFills: false, ignore })).toEqual([]);
    expectRequestsOnlyForUndone(w.sim.requestLog.slice(from), w, done);
    expect(await dirDigest(pyDir)).toEqual(before);
  }, 240_000);

  it("kill -9 at each step of the adoption, then --resume: the same output, the Python files unchanged", async () => {
    const w = await world(40);
    const { papers, done, ignore } = pythonPapers(w);
    const id = pythonId(5);
    const spec = {
      format: "parallel" as const,
      inputFile: INPUT,
      papers,
      processed: { openalex: 0, semantic_scholar: 0 },
    };
    const args = [
      "consolidate",
      "--input",
      INPUT,
      "--resume",
      "--session-id",
      id,
      "-o",
      "out.json",
      ...w.flags,
    ];
    // The operations of an adoption up to its first journal write: the new session's creation.
    const project = async () => {
      const dir = await testdir();
      await mkdir(path.join(dir, "data", "collected"), { recursive: true });
      await copyFile(path.join(w.dir, INPUT), path.join(dir, INPUT));
      const pyDir = await writePythonSession(path.join(dir, ".cf_state", "consolidate"), id, spec);
      return { dir, pyDir, before: await dirDigest(pyDir) };
    };
    const traced = await project();
    const traceFile = path.join(traced.dir, "ops.txt");
    const tracing = await runCli(args, {
      cwd: traced.dir,
      hooks: { traceOps: traceFile, journalCommit: "each" },
    });
    expect(tracing.code, tracing.stderr).toBe(0);
    const ops = (await readFile(traceFile, "utf8")).trim().split("\n");
    // Every operation before the first journal write creates the session (session.json, the papers
    // with what the Python tool fetched, generation 0): a kill at each, and at that first write.
    const creation = ops.findIndex(
      (op) => op.startsWith("write ") && op.endsWith(`${path.sep}journal.jsonl`),
    );
    expect(creation).toBeGreaterThan(3);
    for (let killAt = 1; killAt <= creation + 1; killAt++) {
      const p = await project();
      const killed = spawnCli(args, { cwd: p.dir, hooks: { killAtOp: killAt, journalCommit: "each" } });
      expect((await killed.exited).signal, `kill at op ${killAt}`).toBe("SIGKILL");
      const resumed = await runCli(args, { cwd: p.dir, timeoutMs: 60_000 });
      expect(resumed.code, `after a kill at op ${killAt}: ${resumed.stderr}`).toBe(0);
      const out = await outputPapers(path.join(p.dir, "out.json"));
      expect(differingPapers(out, w.whole, { withFills: true, ignore }), `kill at op ${killAt}`).toEqual([]);
      expect(await dirDigest(p.pyDir)).toEqual(p.before);
    }
    expect(done.openalex.size).toBeGreaterThan(0);
  }, 300_000);
});

describe("a Python session adopted without its input file", () => {
  it("interrupted, then resumed once the input is back: no input change, the same output", async () => {
    let child: ReturnType<typeof spawnCli> | undefined;
    let armed = false;
    let seen = 0;
    const sim = await simulatorFor({
      onRequest: () => {
        if (armed && ++seen === 8) child?.child.kill("SIGINT");
      },
    });
    const w = await world(120, sim);
    const { papers, ignore } = pythonPapers(w);
    const id = pythonId(7);
    await writePythonSession(path.join(w.dir, ".cf_state", "consolidate"), id, {
      format: "parallel",
      inputFile: INPUT,
      papers,
      processed: { openalex: 0, semantic_scholar: 0 },
    });
    const saved = await readFile(path.join(w.dir, INPUT));
    await rm(path.join(w.dir, INPUT));
    armed = true;
    child = spawnCli(["consolidate", "--resume", "--session-id", id, "-o", "out.json", ...w.flags], {
      cwd: w.dir,
    });
    expect((await child.exited).code, child.stderr()).toBe(130);
    armed = false;
    await writeFile(path.join(w.dir, INPUT), saved);
    const resumed = await runCli(
      ["consolidate", "--input", INPUT, "--resume", "-o", "out.json", ...w.flags],
      {
        cwd: w.dir,
        timeoutMs: 60_000,
      },
    );
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain("Found resumable session");
    // The ids the Python tool filled read as fills against the returning input, not as changes.
    expect(resumed.stderr).not.toContain("The input changed");
    const out = await outputPapers(path.join(w.dir, "out.json"));
    expect(differingPapers(out, w.whole, { withFills: true, ignore })).toEqual([]);
  }, 120_000);

  it("one that saved no papers cannot be continued without its input: exit 2, nothing created", async () => {
    const dir = await testdir();
    const base = path.join(dir, ".cf_state", "consolidate");
    const id = pythonId(8);
    await writePythonSession(base, id, {
      format: "parallel",
      inputFile: INPUT,
      papers: [],
      processed: { openalex: 0, semantic_scholar: 0 },
    });
    const run = await runCli(["consolidate", "--resume", "--session-id", id], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`session ${id} saved no papers and its input file ${INPUT} is gone`);
    expect(await readdir(base)).toEqual([id]);
  });
});

describe("resuming without the input file", () => {
  it("a cf session whose input is gone goes on with its own papers (--resume --session-id, no --input)", async () => {
    const dir = await testdir();
    const input = await writeInput(dir, 80);
    const whole = await runCli(
      [
        "consolidate",
        "--input",
        input,
        "-o",
        "whole.json",
        "--no-cache",
        ...simFlags(await simulatorFor(), 1000),
      ],
      {
        cwd: dir,
      },
    );
    expect(whole.code, whole.stderr).toBe(0);
    const base = path.join(dir, ".cf_state", "consolidate");
    const first = await interruptedRun(
      ["consolidate", "--input", input, "-o", "out.json", "--no-cache", "--yes"],
      dir,
      {
        afterRequests: 15,
      },
    );
    expect(first.exit.code, first.stderr).toBe(130);
    const id = /--session-id (\S+)/.exec(first.stderr)?.[1];
    expect(id).toBeDefined();
    await rm(input);
    const flags = first.args.slice(first.args.indexOf("--openalex-url"));
    const resumed = await runCli(
      ["consolidate", "--resume", "--session-id", id!, "-o", "out.json", "--no-cache", ...flags],
      {
        cwd: dir,
      },
    );
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain("is gone: the session goes on with its own papers");
    expect(await comparableOutput(path.join(dir, "out.json"))).toBe(
      await comparableOutput(path.join(dir, "whole.json")),
    );
    expect((await readdir(base)).length).toBe(2);
    // A new session cannot start without its input: the error names the file.
    const fresh = await runCli(["consolidate", "--input", input, "--resume", "--yes", ...flags], {
      cwd: dir,
    });
    expect(fresh.code).toBe(2);
    expect(fresh.stderr).toContain("papers.json: no such file");
  });
});
