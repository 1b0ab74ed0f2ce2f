// Scale (issue 16): a whole `cf consolidate` run on N papers, every paper enriched by both sources,
// its snapshots and output written, against the simulator without latency or rate limit: the
// child's peak RSS and wall time. The large sizes run only with `--only scale`.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { consolidateArgs, dist, runTimed, writeBenchInput } from "./util.mjs";

/** Requests per second high enough that the run is bound by cf itself, not by the limiter. */
const UNLIMITED = { openalex: 100_000, s2: 100_000 };

/** Peak RSS (MB) and wall time (s) of a full run on `count` DOI papers that are all found. */
export async function fullRun(count) {
  const { syntheticCorpus } = await dist("simulator/synthetic-corpus.js");
  const { startSimulator } = await dist("simulator/server.js");
  const dir = mkdtempSync(path.join(os.tmpdir(), "cf-bench-scale-"));
  try {
    await writeBenchInput(path.join(dir, "in.json"), count);
    // Every DOI is a work, made when asked for: a corpus of any size (synthetic-corpus.ts).
    const sim = await startSimulator({ corpus: syntheticCorpus({ seed: 16 }) });
    const run = await runTimed(process.execPath, consolidateArgs(sim, UNLIMITED, ["--no-cache"]), {
      cwd: dir,
    });
    await sim.close();
    if (run.code !== 0) throw new Error(`cf exited ${run.code}: ${run.stderr.slice(-500)}`);
    // The row claims every paper enriched by both sources: the final progress lines must say so.
    for (const label of ["OpenAlex", "Semantic Scholar"]) {
      const last = [...run.stderr.matchAll(new RegExp(`${label}\\s+(\\d+)/\\d+.*?enriched (\\d+)`, "g"))].at(
        -1,
      );
      if (Number(last?.[2]) !== count) throw new Error(`${label} enriched ${last?.[2]} of ${count} papers`);
    }
    return {
      rssMb: run.rssKb / 1024,
      seconds: run.ms / 1000,
      inputMb: statSync(path.join(dir, "in.json")).size / 1024 / 1024,
      outputMb: statSync(path.join(dir, "out.json")).size / 1024 / 1024,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
