// Memory: peak RSS of `cf consolidate --dry-run` on large inputs and of snapshotting enriched papers.

import { once } from "node:events";
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BIN, benchPapers, ROOT, runTimed } from "./util.mjs";

/** Write an input of `count` benchmark papers as a stream (no giant string here either). */
async function writeInput(file, count) {
  const out = createWriteStream(file);
  out.write('{"papers":[\n');
  for (let i = 0; i < count; i += 10_000) {
    const chunk = benchPapers(Math.min(10_000, count - i)).map((p, k) => ({
      ...p,
      paper_id: `B${String(i + k).padStart(7, "0")}`,
      doi: `10.5555/bench.${i + k}`,
    }));
    const text = chunk.map((p) => JSON.stringify(p)).join(",\n");
    if (!out.write(`${i === 0 ? "" : ",\n"}${text}`)) await once(out, "drain");
  }
  out.end("\n]}\n");
  await once(out, "finish");
}

/** Peak RSS (MB) and input size (MB) of a dry run on `count` papers. */
export async function dryRunMemory(count) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cf-bench-mem-"));
  try {
    const file = path.join(dir, "in.json");
    await writeInput(file, count);
    const run = await runTimed(process.execPath, [BIN, "consolidate", "--input", file, "--dry-run"], {
      cwd: dir,
    });
    if (run.code !== 0) throw new Error(`dry run exited ${run.code}: ${run.stderr.slice(-300)}`);
    return { rssMb: run.rssKb / 1024, inputMb: statSync(file).size / 1024 / 1024, ms: run.ms };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Peak RSS (MB) of a process that builds `count` enriched papers and snapshots them. */
export async function snapshotMemory(count) {
  const run = await runTimed(process.execPath, [
    path.join(ROOT, "bench", "checkpoint.mjs"),
    "snapshot",
    String(count),
  ]);
  if (run.code !== 0) throw new Error(`snapshot child exited ${run.code}: ${run.stderr.slice(-300)}`);
  return { rssMb: run.rssKb / 1024, ...JSON.parse(run.stdout) };
}
