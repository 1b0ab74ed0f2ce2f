import { copyFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createCorpus } from "../../src/simulator/corpus.js";
import { intIn, mulberry32, type Random } from "../../src/simulator/prng.js";
import { type Simulator, startSimulator } from "../../src/simulator/server.js";
import { comparableOutput, simFlags, writeInput } from "../helpers/e2e.js";
import {
  checkFinal,
  type KillAt,
  requestsPerKill,
  runConcurrently,
  startAttempt,
  tempFilesOf,
} from "../helpers/faults/crash.js";
import { recordSuite, SEED, size, TIER } from "../helpers/faults/tier.js";
import { testdir } from "../helpers/testdir.js";

/**
 * Crash equivalence: runs of 500 papers killed with SIGKILL at seeded random moments (and killed
 * again during some resumes) must, once resumed to the end, write exactly the golden output, with
 * no duplicate record, no unreadable session file, and no more requests than the golden run plus
 * what the batches in flight at each kill cost.
 */

const PAPERS = 500;
const RPS = 50;
const LATENCY_MS = 10;
/** 1.2 s between snapshots: a run takes several seconds, so kills land between and during snapshots. */
const INTERVAL_MINUTES = "0.02";
const KILLS = size("kills", 30, 200);
/** Cases at once, each with its own simulator: cf is CPU-bound, so more than this only queues. */
const WIDTH = 3;

type Plan =
  | { after: "requests"; fraction: number }
  | { after: "ms"; ms: number }
  | { after: "tempFiles"; n: number };

interface CrashCase {
  seed: number;
  /** The first run's kill, then one per resume that is killed too. */
  kills: Plan[];
}

function plan(random: Random, first: boolean): Plan {
  const r = random();
  // Request counts reach every phase of fetching; delays hit start-up, session loading and journal
  // replay; the n-th temp file lands inside an atomic write (a snapshot step, the journal reset).
  if (r < 0.5) return { after: "requests", fraction: random() };
  if (r < 0.7) return { after: "ms", ms: intIn(random, first ? 50 : 100, 2500) };
  return { after: "tempFiles", n: intIn(random, 1, 12) };
}

/**
 * Seeded cases until their planned kills add up to `wanted`; most are killed 1 to 3 more times during
 * resumes (each case redoes a whole run's work, so more kills per case keep the suite affordable).
 */
function makeCases(wanted: number, firstSeed: number): CrashCase[] {
  const cases: CrashCase[] = [];
  let total = 0;
  for (let i = 0; total < wanted; i++) {
    const seed = firstSeed + i;
    const random = mulberry32(seed);
    const r = random();
    const again = Math.min(r < 0.1 ? 0 : r < 0.2 ? 1 : r < 0.4 ? 2 : 3, wanted - total - 1);
    const kills = Array.from({ length: 1 + again }, (_, k) => plan(random, k === 0));
    cases.push({ seed, kills });
    total += kills.length;
  }
  return cases;
}

interface Golden {
  input: string;
  output: string;
  requests: number;
  perKill: number;
}

const corpus = createCorpus({ seed: 7, size: 1500 });

function args(sim: Simulator, resume: boolean): string[] {
  return [
    "consolidate",
    "--input",
    "papers.json",
    "--output",
    "out.json",
    "--checkpoint-interval",
    INTERVAL_MINUTES,
    ...simFlags(sim, RPS),
    ...(resume ? ["--resume"] : []),
  ];
}

async function goldenRun(): Promise<Golden> {
  const dir = await testdir("cf-crash-golden-");
  const input = await writeInput(dir, PAPERS);
  const sim = await startSimulator({ corpus, latencyMs: LATENCY_MS });
  try {
    const run = await startAttempt(args(sim, false), dir).done;
    if (run.code !== 0) throw new Error(`golden run failed (${run.code}): ${run.stderr}`);
    const output = await comparableOutput(path.join(dir, "out.json"));
    return { input, output, requests: sim.requestLog.length, perKill: requestsPerKill(RPS, sim.requestLog) };
  } finally {
    await sim.close();
  }
}

const stats = { kills: 0, midWrite: 0 };

async function runCase(item: CrashCase, golden: Golden): Promise<void> {
  const dir = await testdir("cf-crash-");
  await copyFile(golden.input, path.join(dir, "papers.json"));
  const base = path.join(dir, ".cf_state", "consolidate");
  let hook = () => {};
  const sim = await startSimulator({ corpus, latencyMs: LATENCY_MS, onRequest: () => hook() });
  const history: string[] = [];
  let kills = 0;
  try {
    for (let i = 0; ; i++) {
      const planned = item.kills[i];
      const killAt = planned && toKillAt(planned, golden.requests - sim.requestLog.length, base);
      const attempt = startAttempt(args(sim, i > 0), dir, killAt);
      hook = attempt.onRequest;
      const end = await attempt.done;
      const what = killAt ? `${killAt.after}=${"n" in killAt ? killAt.n : killAt.ms}` : "to the end";
      if (end.signal === "SIGKILL" && planned) {
        kills += 1;
        const temps = await tempFilesOf(base, end.pid);
        stats.kills += 1;
        if (temps > 0) stats.midWrite += 1;
        history.push(
          `${what}: killed at request ${sim.requestLog.length}${temps ? ` mid-write (${temps} temp)` : ""}`,
        );
        continue;
      }
      history.push(`${what}: exit ${end.code ?? end.signal}`);
      if (end.code !== 0) throw new Error(`attempt ${i} failed: ${end.stderr} [${history.join(" → ")}]`);
      break;
    }
    const problems = await checkFinal(dir, golden, sim, kills * golden.perKill);
    if (problems.length > 0) throw new Error(`${problems.join("; ")} [${history.join(" → ")}]`);
  } finally {
    await sim.close();
  }
}

function toKillAt(planned: Plan, remaining: number, base: string): KillAt {
  if (planned.after === "requests") {
    return { after: "requests", n: 1 + Math.floor(planned.fraction * Math.max(1, remaining - 1)) };
  }
  return planned.after === "ms" ? planned : { ...planned, base };
}

describe(`crash equivalence (${TIER}: ${KILLS} kills of ${PAPERS}-paper runs, seed ${SEED})`, () => {
  it(
    "every run killed with SIGKILL and resumed (killed again during some resumes) ends equal to the golden run",
    async () => {
      const started = performance.now();
      const golden = await goldenRun();
      // A planned kill can miss (the attempt ended first): more cases until KILLS kills happened.
      const cases: CrashCase[] = [];
      const failures: string[] = [];
      for (let round = 0; stats.kills < KILLS && round < 5; round++) {
        const more = makeCases(KILLS - stats.kills, SEED + round * 100_000);
        cases.push(...more);
        failures.push(...(await runConcurrently(undefined, more, WIDTH, (item) => runCase(item, golden))));
      }
      recordSuite({
        suite: `crash-equivalence (${stats.kills} SIGKILLs)`,
        cases: cases.length,
        failures: failures.length,
        ms: performance.now() - started,
      });
      console.info(
        `crash-equivalence: ${cases.length} cases, ${stats.kills} kills (${stats.midWrite} mid-write), golden ${golden.requests} requests, ≤ ${golden.perKill} more per kill`,
      );
      expect(failures).toEqual([]);
      expect(stats.kills).toBeGreaterThanOrEqual(KILLS);
    },
    TIER === "full" ? 3_600_000 : 600_000,
  );
});
