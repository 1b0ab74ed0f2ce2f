import { copyFile, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createCorpus } from "../../src/simulator/corpus.js";
import { mulberry32 } from "../../src/simulator/prng.js";
import { type Simulator, startSimulator } from "../../src/simulator/server.js";
import { comparableOutput, simFlags, writeInput } from "../helpers/e2e.js";
import { checkFinal, requestsPerKill, runConcurrently, startAttempt } from "../helpers/faults/crash.js";
import { SEED, size, TIER } from "../helpers/faults/tier.js";
import { testdir } from "../helpers/testdir.js";

/**
 * Kill points: run through the test entry (test/helpers/spawned/cf-test-entry.mjs), `killAtOp: N` makes cf
 * SIGKILL itself right before its N-th mutating session file operation (open, write, fsync,
 * truncate, close, rename, unlink, mkdir, dirsync; journal appends and the output file included).
 * A traced run (`traceOps`) counts the operations of a small run with several snapshots; then
 * every N (full tier) or a seeded sample covering every kind of state a kill can leave (CI) is
 * killed there and resumed with a plain `--resume` (the real binary), which must always reach the
 * golden output: no duplicate, no unreadable file, no more requests than the golden run plus the
 * batches in flight. A kill before the first checkpoint leaves nothing worth resuming and must not
 * make the user choose; a kill after the completion commit leaves nothing to do.
 */

/** A small run in CI, a larger one (more batches, so more journal appends) in the full tier. */
const PAPERS = size("killpoint_papers", 20, 40);
const RPS = 50;
/** Slow answers (three rounds of 0.3 s) and a 0.24 s interval: three or more snapshots during the run. */
const LATENCY_MS = 300;
const INTERVAL_MINUTES = "0.004";
/** CI samples this many kill points; the full tier kills at every one. */
const SAMPLE = size("killpoints", 20, Number.MAX_SAFE_INTEGER);
const WIDTH = 3;

const corpus = createCorpus({ seed: 7, size: 1500 });

function args(sim: Simulator, interval: string, resume: boolean): string[] {
  const run = ["consolidate", "--input", "papers.json", "--output", "out.json"];
  return [...run, "--checkpoint-interval", interval, ...simFlags(sim, RPS), ...(resume ? ["--resume"] : [])];
}

/** "rename checkpoint.json", "write .papers_enriched.json.TMP", "mkdir <session>": an operation's kind. */
function kindOf(line: string): string {
  const space = line.indexOf(" ");
  const name = path
    .basename(line.slice(space + 1))
    .replace(/\.\d+\.[0-9a-f]{8}\.tmp$/, ".TMP")
    .replace(/^consolidate_\d{8}_\d{6}_[0-9a-f]{8}$/, "<session>");
  return `${line.slice(0, space)} ${name}`;
}

async function readTrace(file: string): Promise<string[]> {
  return (await readFile(file, "utf8").catch(() => "")).split("\n").filter((l) => l !== "");
}

interface Golden {
  interval: string;
  input: string;
  output: string;
  requests: number;
  perKill: number;
  trace: string[];
}

async function goldenRun(interval: string): Promise<Golden> {
  const dir = await testdir("cf-killpoints-golden-");
  const input = await writeInput(dir, PAPERS);
  const sim = await startSimulator({ corpus, latencyMs: LATENCY_MS });
  try {
    const traceFile = path.join(dir, "trace.txt");
    const hooks = { traceOps: traceFile, journalCommit: "each" } as const;
    const run = await startAttempt(args(sim, interval, false), dir, undefined, hooks).done;
    if (run.code !== 0) throw new Error(`golden run failed (${run.code}): ${run.stderr}`);
    const output = await comparableOutput(path.join(dir, "out.json"));
    const trace = await readTrace(traceFile);
    return {
      interval,
      input,
      output,
      requests: sim.requestLog.length,
      perKill: requestsPerKill(RPS, sim.requestLog),
      trace,
    };
  } finally {
    await sim.close();
  }
}

/**
 * For sampling, what a kill leaves on disk. Before any step of an atomic write it leaves the old
 * target and at most a temp file, which nothing reads and the next run removes: the same state as
 * before the rename. Before a dirsync it leaves what a kill before the next operation leaves.
 */
function stateKind(line: string): string | undefined {
  const kind = kindOf(line);
  const sealed = /^(?:open|write|fsync|close) \.(.+)\.TMP$/.exec(kind);
  if (sealed) return `rename ${sealed[1]}`;
  return kind.startsWith("dirsync ") ? undefined : kind;
}

/**
 * Every N from 1 to one past the last operation, or (CI) a seeded sample: both sides of the first
 * and the last checkpoint commit, the first and one-past-the-last operation, and one N for each
 * state a kill can leave (stateKind), then random ones up to SAMPLE.
 */
function killPoints(trace: readonly string[]): number[] {
  const last = trace.length + 1;
  if (SAMPLE >= last) return Array.from({ length: last }, (_, i) => i + 1);
  const random = mulberry32(SEED);
  const commits = trace.flatMap((line, i) => (kindOf(line) === "rename checkpoint.json" ? [i + 1] : []));
  const edges = [1, commits[0], commits.at(-1)].filter((n): n is number => n !== undefined);
  const chosen = new Set([...edges, ...edges.map((n) => n + 1), last]);
  const byKind = new Map<string, number[]>();
  for (const [i, line] of trace.entries()) {
    const kind = stateKind(line);
    if (kind) byKind.set(kind, [...(byKind.get(kind) ?? []), i + 1]);
  }
  for (const ns of byKind.values()) chosen.add(ns[Math.floor(random() * ns.length)] as number);
  while (chosen.size < SAMPLE) chosen.add(1 + Math.floor(random() * last));
  return [...chosen].sort((a, b) => a - b);
}

/** Kill at op N, resume, apply the oracle; returns the kind of operation the kill came before. */
async function killAndResume(n: number, golden: Golden): Promise<string | undefined> {
  const dir = await testdir("cf-killpoint-");
  await copyFile(golden.input, path.join(dir, "papers.json"));
  const sim = await startSimulator({ corpus, latencyMs: LATENCY_MS });
  const where = `op ${n} (${golden.trace[n - 1] ? kindOf(golden.trace[n - 1] as string) : "after the last"} in the golden trace)`;
  try {
    const traceFile = path.join(dir, "trace.txt");
    // One journal write per batch (no group commit timing), so op N is the same operation as in the golden run.
    const hooks = { killAtOp: n, traceOps: traceFile, journalCommit: "each" } as const;
    const killed = await startAttempt(args(sim, golden.interval, false), dir, undefined, hooks).done;
    const trace = await readTrace(traceFile);
    const at = `${where}, killed before "${trace.length === n ? kindOf(trace[n - 1] as string) : "nothing"}"`;
    if (killed.signal === "SIGKILL" ? trace.length !== n : killed.code !== 0 || trace.length >= n) {
      throw new Error(
        `${at}: run ended ${killed.code ?? killed.signal} after ${trace.length} ops: ${killed.stderr}`,
      );
    }
    const resumed = await startAttempt(args(sim, golden.interval, true), dir).done;
    if (resumed.code !== 0) throw new Error(`${at}: resume exited ${resumed.code}: ${resumed.stderr}`);
    const problems = await checkFinal(dir, golden, sim, killed.signal ? golden.perKill : 0);
    if (problems.length > 0) throw new Error(`${at}: ${problems.join("; ")}`);
    return killed.signal ? kindOf(trace[n - 1] as string) : undefined;
  } finally {
    await sim.close();
  }
}

describe(`kill points (${TIER}, seed ${SEED})`, () => {
  it(
    "a run killed right before any of its file operations resumes with --resume to the golden output",
    async () => {
      const golden = await goldenRun(INTERVAL_MINUTES);
      const commits = golden.trace.filter((l) => kindOf(l) === "rename checkpoint.json").length;
      // Creation, two or more interval snapshots, the final one and the completion commit.
      expect(commits, golden.trace.join("\n")).toBeGreaterThanOrEqual(5);
      const points = killPoints(golden.trace);
      const failures = await runConcurrently("kill-points", points, WIDTH, async (n) => {
        await killAndResume(n, golden);
      });
      console.info(
        `kill-points: ${points.length} of ${golden.trace.length + 1} kill points, ${commits} checkpoint commits, golden ${golden.requests} requests`,
      );
      expect(failures).toEqual([]);
    },
    TIER === "full" ? 3_600_000 : 600_000,
  );

  it("regressions: kills before the first commit, after the completion commit, during the output write", async () => {
    // Without interval snapshots the operations come in the same order every time, so op N of the
    // traced run is the same operation in the killed one.
    const golden = await goldenRun("0");
    const ops = golden.trace.map(kindOf);
    const commit = ops.indexOf("rename checkpoint.json") + 1;
    const points: Array<[string, number, string]> = [
      // A pending session (no checkpoint): --resume starts a new one without asking (was exit 2).
      ["before the first commit", commit, "rename checkpoint.json"],
      // A completed session: nothing to resume, exit 0 (was exit 2; with --yes, everything again).
      ["after the completion commit", ops.lastIndexOf("rename checkpoint.json") + 2, "dirsync <session>"],
      // The output's temp file is removed by the resume (was left forever).
      ["during the output write", ops.indexOf("write .out.json.TMP") + 1, "write .out.json.TMP"],
    ];
    for (const [name, n, kind] of points) {
      expect(await killAndResume(n, golden), name).toBe(kind);
    }
  }, 120_000);
});
