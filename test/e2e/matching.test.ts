import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createCorpus } from "../../src/simulator/corpus.js";
import { type GenerateInputOptions, generateInput } from "../../src/simulator/input-gen.js";
import { auditMatches, type MatchAudit } from "../../src/simulator/match-audit.js";
import { simFlags, simulatorFor } from "../helpers/e2e.js";
import { runCli } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

/**
 * Recall and precision of title matching through the built binary, against the simulator's ground
 * truth (issue 10). The full-size figures in README come from `npm run bench -- --only matching`.
 */

interface Scenario {
  corpus: { decoyShare: number; messy: boolean };
  input: Omit<GenerateInputOptions, "count" | "mix" | "seed">;
}

const PAPERS = 160;

async function measure({ corpus: corpusOptions, input: inputOptions }: Scenario): Promise<MatchAudit> {
  const dir = await testdir();
  const corpus = createCorpus({ seed: 11, size: 1500, ...corpusOptions });
  const { file, truth } = generateInput(corpus, { count: PAPERS, mix: "title", seed: 11, ...inputOptions });
  const input = path.join(dir, "papers.json");
  await writeFile(input, JSON.stringify(file, null, 2));
  const sim = await simulatorFor({ corpus });
  const run = await runCli(["consolidate", "--input", input, "--output", "out.json", ...simFlags(sim, 100)], {
    cwd: dir,
  });
  expect(run.code, run.stderr).toBe(0);
  const output = JSON.parse(await readFile(path.join(dir, "out.json"), "utf8"));
  const audit = auditMatches(output.papers, truth, sim.requestLog);
  for (const source of ["openalex", "semantic_scholar"] as const) {
    const a = audit[source];
    console.log(
      `${source}: recall ${a.correct}/${a.resolvable} = ${a.recall.toFixed(3)}, wrong ${a.wrong}, requests/paper ${a.requestsPerPaper.toFixed(2)}`,
    );
  }
  return audit;
}

function expectGoals(audit: MatchAudit): void {
  for (const source of ["openalex", "semantic_scholar"] as const) {
    const a = audit[source];
    expect(a.wrongExamples, `${source} wrong matches`).toEqual([]);
    expect(a.wrong).toBe(0);
    expect(a.recall, `${source} missed:\n${a.missedExamples.join("\n")}`).toBeGreaterThanOrEqual(0.98);
    // At most one fallback per title: about two requests per title-only paper.
    expect(a.requestsPerPaper).toBeLessThanOrEqual(2);
  }
}

describe("title matching on scraped inputs (simulator ground truth)", () => {
  it("messy titles, near-miss decoys that outrank the true paper, near-miss absent papers: recall ≥ 0.98, no wrong match", async () => {
    const audit = await measure({
      corpus: { decoyShare: 0.4, messy: true },
      input: { titleNoise: 0.8, nearMissShare: 0.8, notFoundShare: 0.15 },
    });
    expectGoals(audit);
    // The decoys do push S2's single best match off the true paper: the fallback search is used.
    expect(audit.semantic_scholar.requestsPerPaper).toBeGreaterThan(1);
  });

  it("the same in the legacy flat format", async () => {
    expectGoals(
      await measure({
        corpus: { decoyShare: 0.4, messy: true },
        input: { titleNoise: 0.8, nearMissShare: 0.8, notFoundShare: 0.15, legacy: true },
      }),
    );
  });

  it("clean titles: every paper found, one request per paper", async () => {
    const audit = await measure({ corpus: { decoyShare: 0, messy: false }, input: { notFoundShare: 0.1 } });
    expectGoals(audit);
    for (const source of ["openalex", "semantic_scholar"] as const) {
      expect(audit[source].recall).toBe(1);
    }
    // Only absent papers (about 10%) cost a fallback.
    expect(audit.openalex.requestsPerPaper).toBeLessThanOrEqual(1.15);
    expect(audit.semantic_scholar.requestsPerPaper).toBeLessThanOrEqual(1.15);
  });
});
