// Title matching on scraped inputs: cf consolidate against the simulator's ground truth (issue 10).
// Per source: recall over the papers it can resolve, wrong matches, requests per title-only paper.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { consolidateArgs, dist, runTimed } from "./util.mjs";

/** The scenarios: noisy titles with outranking decoys and near-miss absent papers, and clean titles. */
export const MATCHING_SCENARIOS = {
  messy: {
    corpus: { decoyShare: 0.4, messy: true },
    input: { titleNoise: 0.8, nearMissShare: 0.8, notFoundShare: 0.15 },
  },
  clean: { corpus: { decoyShare: 0, messy: false }, input: { notFoundShare: 0.1 } },
};

/** One scenario on `count` title-only papers; returns metric rows. */
export async function matching(name, count) {
  const { createCorpus } = await dist("simulator/corpus.js");
  const { generateInput } = await dist("simulator/input-gen.js");
  const { auditMatches } = await dist("simulator/match-audit.js");
  const { startSimulator } = await dist("simulator/server.js");
  const scenario = MATCHING_SCENARIOS[name];
  const dir = mkdtempSync(path.join(os.tmpdir(), "cf-bench-match-"));
  try {
    const corpus = createCorpus({ seed: 11, size: Math.max(3000, count * 3), ...scenario.corpus });
    const { file, truth } = generateInput(corpus, { count, mix: "title", seed: 11, ...scenario.input });
    writeFileSync(path.join(dir, "in.json"), JSON.stringify(file));
    const sim = await startSimulator({ corpus });
    const run = await runTimed(process.execPath, consolidateArgs(sim, { openalex: 200, s2: 200 }), {
      cwd: dir,
      rss: false,
    });
    await sim.close();
    if (run.code !== 0) throw new Error(`cf exited ${run.code}: ${run.stderr.slice(-500)}`);
    const output = JSON.parse(readFileSync(path.join(dir, "out.json"), "utf8"));
    const audit = auditMatches(output.papers, truth, sim.requestLog);
    const rows = [];
    for (const source of ["openalex", "semantic_scholar"]) {
      const a = audit[source];
      const at = `matching.${name}.${source}`;
      rows.push(
        {
          metric: `${at}.recall`,
          value: a.recall,
          unit: `right work / resolvable (${a.correct}/${a.resolvable} of ${count} papers)`,
          target: 0.98,
          ok: a.recall >= 0.98,
        },
        {
          metric: `${at}.wrong`,
          value: a.wrong,
          unit: "papers matched to a wrong work",
          target: 0,
          ok: a.wrong === 0,
        },
        {
          metric: `${at}.requests_per_paper`,
          value: a.requestsPerPaper,
          unit: "requests per title-only paper",
          target: 2,
          ok: a.requestsPerPaper <= 2,
        },
      );
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
