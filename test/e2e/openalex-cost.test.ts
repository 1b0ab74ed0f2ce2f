import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createCorpus } from "../../src/simulator/corpus.js";
import { generateInput } from "../../src/simulator/input-gen.js";
import { auditMatches } from "../../src/simulator/match-audit.js";
import { openAlexSpend } from "../../src/simulator/pricing.js";
import type { Simulator } from "../../src/simulator/server.js";
import { comparableOutput, simFlags, simulatorFor } from "../helpers/e2e.js";
import { runCli, spawnCli } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

/**
 * Issue 17: OpenAlex's budget is spent only where nothing else works. A mixed input (ids and
 * title-only papers, noisy titles, near misses, papers in no API) on a simulator whose Semantic
 * Scholar lacks usable ids for a share of works (as real S2 records do), through the binary; the
 * cost is what the simulator charged, summed from its request log.
 */

const PAPERS = 300;

async function scenario() {
  const dir = await testdir();
  const corpus = createCorpus({ seed: 17, size: 1500, s2IdGaps: 0.2, decoyShare: 0.2, messy: true });
  const { file, truth } = generateInput(corpus, {
    count: PAPERS,
    mix: "mixed",
    seed: 17,
    titleNoise: 0.3,
    nearMissShare: 0.3,
  });
  const input = path.join(dir, "papers.json");
  await writeFile(input, JSON.stringify(file, null, 2));
  const titleOnly = file.papers.filter((p) => !p.doi && !p.arxiv_id).length;
  return { dir, corpus, truth, input, titleOnly };
}

async function consolidate(sim: Simulator, dir: string, input: string, output: string, extra: string[] = []) {
  const from = sim.requestLog.length;
  const run = await runCli(
    [
      "consolidate",
      "--input",
      input,
      "--output",
      output,
      "--no-cache",
      "--yes",
      ...simFlags(sim, 200),
      ...extra,
    ],
    { cwd: dir },
  );
  const log = sim.requestLog.slice(from);
  const written = JSON.parse(await readFile(path.join(dir, output), "utf8"));
  return { run, log, spend: openAlexSpend(log), output: written };
}

describe("OpenAlex cost: ids found by Semantic Scholar serve OpenAlex", () => {
  it("costs at most 40% of searching every title-only paper, with OpenAlex's recall and precision unchanged", async () => {
    const { dir, corpus, truth, input, titleOnly } = await scenario();
    const sim = await simulatorFor({ corpus });
    // Before: OpenAlex alone searches every title-only paper (as cf did before cross-source ids).
    const alone = await consolidate(sim, dir, input, "alone.json", ["--sources", "openalex"]);
    expect(alone.run.code, alone.run.stderr).toBe(0);
    const both = await consolidate(sim, dir, input, "both.json");
    expect(both.run.code, both.run.stderr).toBe(0);

    const before = auditMatches(alone.output.papers, truth, alone.log).openalex;
    const after = auditMatches(both.output.papers, truth, both.log).openalex;
    console.log(
      `${titleOnly} title-only of ${PAPERS}: OpenAlex alone $${alone.spend.usd} (${alone.spend.searches} searches, ${alone.spend.lists} lists), ` +
        `with S2 ids $${both.spend.usd} (${both.spend.searches} searches, ${both.spend.lists} lists, ${both.spend.singletons} free singletons): ` +
        `${((100 * both.spend.usd) / alone.spend.usd).toFixed(1)}%; recall ${before.recall.toFixed(3)} → ${after.recall.toFixed(3)}, wrong ${before.wrong} → ${after.wrong}`,
    );
    expect(alone.spend.searches).toBeGreaterThanOrEqual(titleOnly);
    expect(both.spend.usd).toBeLessThanOrEqual(0.4 * alone.spend.usd);
    expect(after.recall).toBeGreaterThanOrEqual(before.recall);
    expect(after.wrong).toBeLessThanOrEqual(before.wrong);

    // The spend is counted from the cost headers: the output's stats say what the simulator charged.
    expect(both.output.consolidation_metadata.stats.sources.openalex.cost_usd).toBeCloseTo(both.spend.usd, 6);
    expect(alone.output.consolidation_metadata.stats.sources.openalex.cost_usd).toBeCloseTo(
      alone.spend.usd,
      6,
    );
  });
});

describe("--openalex-max-cost", () => {
  it("stops OpenAlex at the cap with exit 75 (resumable); resumed runs end with the uninterrupted run's output and spend", async () => {
    const { dir, corpus, input } = await scenario();
    const sim = await simulatorFor({ corpus });
    const whole = await consolidate(sim, dir, input, "whole.json");
    expect(whole.run.code, whole.run.stderr).toBe(0);

    const cap = 0.005;
    const capped = await consolidate(sim, dir, input, "capped.json", ["--openalex-max-cost", String(cap)]);
    expect(capped.run.code, capped.run.stderr).toBe(75);
    expect(capped.run.stderr).toContain("--openalex-max-cost cap of $0.005");
    expect(capped.run.stderr).toMatch(
      /resume with:\n {2}cf consolidate --resume .*--openalex-max-cost 0\.005/,
    );
    expect(capped.spend.usd).toBeLessThanOrEqual(cap);
    const list = await runCli(["consolidate-sessions", "list", "--json"], { cwd: dir });
    const session = (JSON.parse(list.stdout) as SessionJson[]).find((s) => s.status !== "completed")!;
    expect(session.sources.openalex).toMatchObject({ status: "budget_exhausted" });
    expect(session.sources.openalex?.cost_usd).toBeCloseTo(capped.spend.usd, 6);
    expect(session.sources.semantic_scholar?.status).toBe("completed");

    let total = capped.spend.usd;
    let runs = 1;
    for (let code = 75; code === 75; runs++) {
      expect(runs, "resumes needed").toBeLessThan(15);
      const resumed = await consolidate(sim, dir, input, "capped.json", [
        "--resume",
        "--openalex-max-cost",
        String(cap),
      ]);
      code = resumed.run.code;
      expect([0, 75], resumed.run.stderr).toContain(code);
      expect(resumed.spend.usd).toBeLessThanOrEqual(cap);
      total += resumed.spend.usd;
    }
    console.log(`cap $${cap}: ${runs} runs, $${total.toFixed(4)} in all; uninterrupted $${whole.spend.usd}`);
    expect(await comparableOutput(path.join(dir, "capped.json"))).toBe(
      await comparableOutput(path.join(dir, "whole.json")),
    );
    // The resumed runs keep the saving: at most one search per stop is paid twice (a title search
    // whose fallback the cap refused is redone).
    expect(total).toBeLessThanOrEqual(whole.spend.usd + runs * 0.001 + 1e-9);
    const final = JSON.parse(await readFile(path.join(dir, "capped.json"), "utf8"));
    expect(final.consolidation_metadata.stats.sources.openalex.cost_usd).toBeCloseTo(total, 6);
  });
});

interface SessionJson {
  status: string;
  sources: Record<string, { status: string; cost_usd: number } | undefined>;
}

describe("a resumed session keeps the saving", () => {
  it("interrupted (SIGINT) while Semantic Scholar works, then resumed: the uninterrupted run's output and OpenAlex bill", async () => {
    const { dir, corpus, input } = await scenario();
    let cli: ReturnType<typeof spawnCli> | undefined;
    let s2Seen = 0;
    const sim = await simulatorFor({
      corpus,
      onRequest: (entry) => {
        if (entry.api === "s2" && ++s2Seen === 40) cli?.child.kill("SIGINT");
      },
    });
    const whole = await consolidate(sim, dir, input, "whole.json");
    expect(whole.run.code, whole.run.stderr).toBe(0);

    s2Seen = 0;
    const from = sim.requestLog.length;
    const args = ["consolidate", "--input", input, "--output", "resumed.json", "--no-cache", "--yes"];
    cli = spawnCli([...args, ...simFlags(sim, 200)], { cwd: dir });
    const exit = await cli.exited;
    expect(exit.code, cli.stderr()).toBe(130);
    const interrupted = openAlexSpend(sim.requestLog.slice(from));
    const resumed = await consolidate(sim, dir, input, "resumed.json", ["--resume"]);
    expect(resumed.run.code, resumed.run.stderr).toBe(0);
    expect(await comparableOutput(path.join(dir, "resumed.json"))).toBe(
      await comparableOutput(path.join(dir, "whole.json")),
    );
    // What the interruption can cost again: the searches of lookups abandoned in flight.
    const total = interrupted.usd + resumed.spend.usd;
    console.log(`interrupted + resumed: $${total.toFixed(4)}; uninterrupted $${whole.spend.usd}`);
    expect(total).toBeLessThanOrEqual(whole.spend.usd + 0.01);
    expect(interrupted.searches + resumed.spend.searches).toBeLessThanOrEqual(whole.spend.searches + 10);
  });
});
