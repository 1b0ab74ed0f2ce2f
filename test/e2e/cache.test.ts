import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { createCorpus, generateInputFile } from "../../src/simulator/corpus.js";
import type { Simulator } from "../../src/simulator/server.js";
import { comparableOutput, simFlags, simulatorFor } from "../helpers/e2e.js";
import { runCli, spawnCli } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

/**
 * Issue 14: the response cache across sessions, through the binary against the simulator. Each
 * run here is a new session (`--yes`, no `--resume`): only the cache can save its requests.
 */

const Database = createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3;
const DAY_MS = 86_400_000;

interface InputPaper {
  paper_id: string;
}

/** `count` generated papers (seed 7, the simulator's corpus) as a file; `take` keeps a slice. */
async function writePapers(dir: string, name: string, count: number, take?: [number, number], seed = 7) {
  const file = generateInputFile(createCorpus({ seed: 7, size: 1500 }), { count, mix: "mixed", seed });
  const papers = (file as unknown as { papers: InputPaper[] }).papers;
  const kept = take ? papers.slice(...take) : papers;
  const target = path.join(dir, name);
  await writeFile(target, JSON.stringify({ ...file, papers: kept }, null, 2));
  return target;
}

/** Run `cf consolidate` to the end on `sim`; the requests it made are counted from the simulator's log. */
async function consolidateOnce(
  sim: Simulator,
  dir: string,
  input: string,
  output: string,
  extra: string[] = [],
) {
  const before = sim.requestLog.length;
  const run = await runCli(
    ["consolidate", "--input", input, "--output", output, "--yes", ...simFlags(sim, 200), ...extra],
    { cwd: dir },
  );
  const metadata = existsSync(path.join(dir, output))
    ? JSON.parse(await readFile(path.join(dir, output), "utf8")).consolidation_metadata
    : undefined;
  return { ...run, requests: sim.requestLog.length - before, stats: metadata?.stats };
}

function cacheDb(file: string) {
  const db = new Database(file);
  return {
    db,
    /** Move entries' fetch time back by `days` (status: one kind only). */
    age(days: number, status?: "found" | "not_found") {
      const where = status ? ` WHERE status = '${status}'` : "";
      db.prepare(`UPDATE answers SET fetched_at = fetched_at - ?${where}`).run(days * DAY_MS);
    },
    count(status?: "found" | "not_found"): number {
      const where = status ? ` WHERE status = '${status}'` : "";
      return (db.prepare(`SELECT count(*) AS n FROM answers${where}`).get() as { n: number }).n;
    },
    newest(): number {
      return (db.prepare("SELECT max(fetched_at) AS t FROM answers").get() as { t: number }).t;
    },
    close: () => db.close(),
  };
}

describe("the response cache", () => {
  it("answers a second run of the same input in a new session with 0 requests and the same output; the dry run counts the hits", async () => {
    const dir = await testdir();
    const sim = await simulatorFor();
    const input = await writePapers(dir, "papers.json", 120);
    const cold = await consolidateOnce(sim, dir, input, "cold.json");
    expect(cold.code, cold.stderr).toBe(0);
    expect(cold.requests).toBeGreaterThan(40);
    expect(existsSync(path.join(dir, ".cf_state", "cache.sqlite"))).toBe(true);

    const plan = await runCli(["consolidate", "--input", input, "--dry-run", ...simFlags(sim)], { cwd: dir });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain("openalex: 120 of 120 papers answered by the cache; 0 request(s)");
    expect(plan.stdout).toContain("semantic_scholar: 120 of 120 papers answered by the cache; 0 request(s)");

    const warm = await consolidateOnce(sim, dir, input, "warm.json");
    expect(warm.code, warm.stderr).toBe(0);
    expect(warm.requests).toBe(0);
    expect(warm.stats.sources.openalex.papers_cached).toBe(120);
    expect(warm.stats.sources.semantic_scholar.papers_cached).toBe(120);
    expect(warm.stdout).toMatch(/Cached\s*│\s*120\s*│\s*120/);
    expect(await comparableOutput(path.join(dir, "warm.json"))).toBe(
      await comparableOutput(path.join(dir, "cold.json")),
    );
    // Records served from the cache carry the time their data was fetched: the cold run's.
    const papers = (file: string) => readFile(path.join(dir, file), "utf8").then((t) => JSON.parse(t).papers);
    expect(await papers("warm.json")).toEqual(await papers("cold.json"));

    // cf's own output fed back in: the ids the sources filled in do not change what is looked up.
    const againPlan = await runCli(["consolidate", "--input", "cold.json", "--dry-run", ...simFlags(sim)], {
      cwd: dir,
    });
    expect(againPlan.stdout).toContain("openalex: 120 of 120 papers answered by the cache; 0 request(s)");
    const fedBack = await consolidateOnce(sim, dir, "cold.json", "fed-back.json");
    expect(fedBack.code, fedBack.stderr).toBe(0);
    expect(fedBack.requests).toBe(0);

    const list = await runCli(["consolidate-sessions", "list", "--all", "--json"], { cwd: dir });
    const sessions = JSON.parse(list.stdout) as Array<{ sources: Record<string, { papers_cached: number }> }>;
    expect(sessions.map((s) => s.sources.openalex?.papers_cached).sort()).toEqual([0, 120, 120]);
  });

  it("requests only the new papers of a grown input (no more than those papers alone cost, +2)", async () => {
    const dir = await testdir();
    const sim = await simulatorFor();
    const base = await writePapers(dir, "base.json", 220, [0, 200]);
    const added = await writePapers(dir, "added.json", 220, [200, 220]);
    const grown = await writePapers(dir, "grown.json", 220);
    // What the 20 new papers cost alone, on an empty cache of their own.
    const alone = await consolidateOnce(sim, dir, added, "alone.json", ["--cache", "alone.sqlite"]);
    expect(alone.code, alone.stderr).toBe(0);
    expect((await consolidateOnce(sim, dir, base, "base-out.json")).code).toBe(0);

    const next = await consolidateOnce(sim, dir, grown, "grown-out.json");
    expect(next.code, next.stderr).toBe(0);
    expect(alone.requests).toBeGreaterThan(0);
    expect(next.requests).toBeLessThanOrEqual(alone.requests + 2);
    expect(next.stats.sources.openalex.papers_cached).toBe(200);
    const fresh = await consolidateOnce(sim, dir, grown, "fresh.json", ["--no-cache"]);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(await comparableOutput(path.join(dir, "grown-out.json"))).toBe(
      await comparableOutput(path.join(dir, "fresh.json")),
    );
  });

  it("--refresh fetches every paper again and stores the new answers", async () => {
    const dir = await testdir();
    const sim = await simulatorFor();
    const input = await writePapers(dir, "papers.json", 60);
    const cold = await consolidateOnce(sim, dir, input, "cold.json");
    expect(cold.code, cold.stderr).toBe(0);
    const db = cacheDb(path.join(dir, ".cf_state", "cache.sqlite"));
    const newestBefore = db.newest();
    const entries = db.count();
    db.close();

    const refreshed = await consolidateOnce(sim, dir, input, "refreshed.json", ["--refresh"]);
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(refreshed.requests).toBe(cold.requests);
    expect(refreshed.stats.sources.openalex.papers_cached).toBe(0);
    const after = cacheDb(path.join(dir, ".cf_state", "cache.sqlite"));
    expect(after.count()).toBe(entries);
    expect(after.newest()).toBeGreaterThan(newestBefore);
    after.close();
  });

  it("remembers not-found answers for 7 days and found ones for --max-age (default 30d)", async () => {
    const dir = await testdir();
    const sim = await simulatorFor();
    const input = await writePapers(dir, "papers.json", 120);
    const cold = await consolidateOnce(sim, dir, input, "cold.json");
    expect(cold.code, cold.stderr).toBe(0);
    const notFound = cold.stats.sources.openalex.papers_not_found as number;
    expect(notFound).toBeGreaterThan(0);
    const file = path.join(dir, ".cf_state", "cache.sqlite");

    // Six days on, everything is still fresh.
    let db = cacheDb(file);
    db.age(6);
    db.close();
    expect((await consolidateOnce(sim, dir, input, "day6.json")).requests).toBe(0);

    // Eight days on, the not-found answers have expired: only those papers are asked again.
    db = cacheDb(file);
    db.age(2);
    db.close();
    const day8 = await consolidateOnce(sim, dir, input, "day8.json");
    expect(day8.code, day8.stderr).toBe(0);
    expect(day8.requests).toBeGreaterThan(0);
    expect(day8.stats.sources.openalex.papers_cached).toBe(120 - notFound);
    expect(day8.stats.sources.openalex.papers_not_found).toBe(notFound);

    // Forty days on, found answers are past the default max age, but within --max-age 60d (the
    // not-found answers were fetched again at day 8).
    db = cacheDb(file);
    db.age(32, "found");
    db.close();
    const within = await consolidateOnce(sim, dir, input, "day40.json", ["--max-age", "60d"]);
    expect(within.requests).toBe(0);
    expect(within.stats.sources.openalex.papers_cached).toBe(120);
    const stale = await consolidateOnce(sim, dir, input, "day40-default.json");
    expect(stale.stats.sources.openalex.papers_cached).toBe(notFound);
    expect(stale.requests).toBeGreaterThan(day8.requests);
  });

  it("keeps the answers of another API address apart: they never serve a run against this one", async () => {
    const dir = await testdir();
    const input = await writePapers(dir, "papers.json", 30);
    const one = await simulatorFor();
    expect((await consolidateOnce(one, dir, input, "one.json")).code).toBe(0);
    const other = await simulatorFor();
    const there = await consolidateOnce(other, dir, input, "other.json");
    expect(there.code, there.stderr).toBe(0);
    expect(there.requests).toBeGreaterThan(0);
    expect(there.stats.sources.openalex.papers_cached).toBe(0);
    const stats = await runCli(["cache", "stats", "--json"], { cwd: dir });
    const sources = Object.keys(JSON.parse(stats.stdout).sources);
    expect(sources).toEqual(
      expect.arrayContaining([`openalex@${one.openalexUrl}`, `openalex@${other.openalexUrl}`]),
    );
  });

  it("--no-cache and CF_NO_CACHE=1 read and write no cache file; CF_CACHE names it", async () => {
    const dir = await testdir();
    const sim = await simulatorFor();
    const input = await writePapers(dir, "papers.json", 20);
    expect((await consolidateOnce(sim, dir, input, "a.json", ["--no-cache"])).code).toBe(0);
    const env = await runCli(
      ["consolidate", "--input", input, "--output", "b.json", "--yes", ...simFlags(sim, 200)],
      { cwd: dir, env: { CF_NO_CACHE: "1" } },
    );
    expect(env.code, env.stderr).toBe(0);
    expect(await readdir(path.join(dir, ".cf_state"))).toEqual(["consolidate"]);
    const unclear = await runCli(["consolidate", "--input", input, "--dry-run", ...simFlags(sim)], {
      cwd: dir,
      env: { CF_NO_CACHE: "maybe" },
    });
    expect(unclear.code).toBe(2);
    expect(unclear.stderr).toContain('CF_NO_CACHE="maybe" is neither on nor off');

    const named = await runCli(
      ["consolidate", "--input", input, "--output", "c.json", "--yes", ...simFlags(sim, 200)],
      { cwd: dir, env: { CF_CACHE: "elsewhere/answers.sqlite" } },
    );
    expect(named.code, named.stderr).toBe(0);
    expect(existsSync(path.join(dir, "elsewhere", "answers.sqlite"))).toBe(true);
    expect(existsSync(path.join(dir, ".cf_state", "cache.sqlite"))).toBe(false);
  });

  it("a run killed with SIGKILL leaves the cache intact; a new run on it completes to the same output", async () => {
    const dir = await testdir();
    const sim = await simulatorFor({ latencyMs: 20 });
    const input = await writePapers(dir, "papers.json", 150);
    const golden = await consolidateOnce(sim, dir, input, "golden.json", ["--no-cache"]);
    expect(golden.code, golden.stderr).toBe(0);

    const before = sim.requestLog.length;
    const killed = spawnCli(
      ["consolidate", "--input", input, "--output", "killed.json", "--yes", ...simFlags(sim, 100)],
      { cwd: dir },
    );
    while (sim.requestLog.length - before < golden.requests / 2) await new Promise((r) => setTimeout(r, 5));
    killed.child.kill("SIGKILL");
    expect((await killed.exited).signal).toBe("SIGKILL");

    const file = path.join(dir, ".cf_state", "cache.sqlite");
    const db = cacheDb(file);
    expect(db.db.pragma("integrity_check", { simple: true })).toBe("ok");
    const kept = db.count();
    db.close();
    const next = await consolidateOnce(sim, dir, input, "next.json");
    expect(next.code, next.stderr).toBe(0);
    // Every answer the killed run stored serves a paper (papers may share a DOI, hence at least).
    expect(kept).toBeGreaterThan(0);
    expect(
      next.stats.sources.openalex.papers_cached + next.stats.sources.semantic_scholar.papers_cached,
    ).toBeGreaterThanOrEqual(kept);
    expect(await comparableOutput(path.join(dir, "next.json"))).toBe(
      await comparableOutput(path.join(dir, "golden.json")),
    );
    const after = cacheDb(file);
    expect(after.db.pragma("integrity_check", { simple: true })).toBe("ok");
    after.close();
  });

  it("two runs on different inputs share one cache at the same time", async () => {
    const dir = await testdir();
    const sim = await simulatorFor({ latencyMs: 10 });
    const first = await writePapers(dir, "first.json", 150, undefined, 7);
    const second = await writePapers(dir, "second.json", 150, undefined, 8);
    const args = (input: string, output: string) => [
      "consolidate",
      "--input",
      input,
      "--output",
      output,
      "--yes",
      ...simFlags(sim, 100),
    ];
    const a = spawnCli(args(first, "first-out.json"), { cwd: dir });
    const b = spawnCli(args(second, "second-out.json"), { cwd: dir });
    const [exitA, exitB] = await Promise.all([a.exited, b.exited]);
    expect(exitA.code, a.stderr()).toBe(0);
    expect(exitB.code, b.stderr()).toBe(0);
    expect(a.stderr() + b.stderr()).not.toContain("response cache");
    // Both runs' answers are in the cache: each input again costs nothing.
    for (const [input, output] of [
      [first, "first-again.json"],
      [second, "second-again.json"],
    ] as const) {
      const again = await consolidateOnce(sim, dir, input, output);
      expect(again.requests).toBe(0);
    }
  });

  it("moves a cache file that is not a database aside with a warning and goes on with an empty one", async () => {
    const dir = await testdir();
    const sim = await simulatorFor();
    const input = await writePapers(dir, "papers.json", 20);
    await writeFile(
      path.join(dir, "broken.sqlite"),
      "these are not the answers you are looking for\n".repeat(200),
    );
    const run = await consolidateOnce(sim, dir, input, "out.json", ["--cache", "broken.sqlite"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /warning: the response cache \S*broken\.sqlite could not be used \(.+\): moved aside to broken\.sqlite\.broken-/,
    );
    const aside = (await readdir(dir)).filter((name) => name.startsWith("broken.sqlite.broken-"));
    expect(aside).toHaveLength(1);
    expect(await readFile(path.join(dir, aside[0]!), "utf8")).toContain("not the answers");
    const db = cacheDb(path.join(dir, "broken.sqlite"));
    expect(db.count()).toBeGreaterThan(0);
    db.close();
  });
});
