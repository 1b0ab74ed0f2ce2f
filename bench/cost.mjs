// OpenAlex's bill (issue 17): what cf consolidate spends on OpenAlex per 1,000 papers, as the
// simulator charges it (2026 prices: by id free, a list $0.0001, a search $0.001), before and after
// ids found by Semantic Scholar serve OpenAlex. "Before" is OpenAlex searching every title-only
// paper (cf without cross-source ids; run here as --sources openalex); "after" is both sources.
// The simulator's Semantic Scholar lacks usable ids for 20% of works (no DOI, a DOI OpenAlex does
// not know, another paper's DOI), as real S2 records do; titles are noisy, some papers are in no API.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BIN, dist, runTimed, simulatorFlags } from "./util.mjs";

/** Rows for one input mix (`mixed` or `title`) of `count` papers. */
export async function costBench(mix, count) {
  const { createCorpus } = await dist("simulator/corpus.js");
  const { generateInput } = await dist("simulator/input-gen.js");
  const { auditMatches } = await dist("simulator/match-audit.js");
  const { openAlexSpend } = await dist("simulator/pricing.js");
  const { startSimulator } = await dist("simulator/server.js");
  const dir = mkdtempSync(path.join(os.tmpdir(), "cf-bench-cost-"));
  try {
    const corpus = createCorpus({
      seed: 23,
      size: Math.max(3000, count * 3),
      s2IdGaps: 0.2,
      decoyShare: 0.2,
      messy: true,
    });
    const { file, truth } = generateInput(corpus, {
      count,
      mix,
      seed: 23,
      titleNoise: 0.3,
      nearMissShare: 0.3,
    });
    writeFileSync(path.join(dir, "in.json"), JSON.stringify(file));
    const sim = await startSimulator({ corpus });
    const run = async (output, extra) => {
      const from = sim.requestLog.length;
      const result = await runTimed(
        process.execPath,
        [
          BIN,
          ...["consolidate", "--input", "in.json", "--output", output],
          ...["--yes", "--no-cache", "--no-progress"],
          ...simulatorFlags(sim, { openalex: 200, s2: 200 }),
          ...extra,
        ],
        { cwd: dir, rss: false },
      );
      if (result.code !== 0) throw new Error(`cf exited ${result.code}: ${result.stderr.slice(-500)}`);
      const log = sim.requestLog.slice(from);
      const papers = JSON.parse(readFileSync(path.join(dir, output), "utf8")).papers;
      return { spend: openAlexSpend(log), audit: auditMatches(papers, truth, log).openalex };
    };
    const before = await run("before.json", ["--sources", "openalex"]);
    const after = await run("after.json", []);
    await sim.close();
    const per1000 = (usd) => (usd * 1000) / count;
    const at = `cost.${mix}`;
    return [
      {
        metric: `${at}.openalex_usd_per_1000.before`,
        value: per1000(before.spend.usd),
        unit: "USD",
        target: null,
        ok: null,
      },
      {
        metric: `${at}.openalex_usd_per_1000.after`,
        value: per1000(after.spend.usd),
        unit: "USD",
        target: null,
        ok: null,
      },
      {
        metric: `${at}.after_over_before`,
        value: (100 * after.spend.usd) / before.spend.usd,
        unit: "%",
        target: 40,
        ok: after.spend.usd <= 0.4 * before.spend.usd,
      },
      {
        metric: `${at}.searches.before`,
        value: before.spend.searches,
        unit: "requests",
        target: null,
        ok: null,
      },
      {
        metric: `${at}.searches.after`,
        value: after.spend.searches,
        unit: "requests",
        target: null,
        ok: null,
      },
      {
        metric: `${at}.openalex_recall.before_after`,
        value: after.audit.recall - before.audit.recall,
        unit: `Δ (${before.audit.recall.toFixed(3)} → ${after.audit.recall.toFixed(3)})`,
        target: 0,
        ok: after.audit.recall >= before.audit.recall,
      },
      {
        metric: `${at}.openalex_wrong.after`,
        value: after.audit.wrong,
        unit: `matches (before ${before.audit.wrong})`,
        target: 0,
        ok: after.audit.wrong <= before.audit.wrong,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
