import path from "node:path";
import type { Paper } from "../model/paper.js";
import { storageError, writeFileAtomic } from "../storage/atomic-write.js";
import type { StorageFs } from "../storage/fs.js";
import { isProcessAlive } from "../storage/session-lock.js";

/** The `cf consolidate` output: `{"consolidation_metadata": {...}, "papers": [...]}`, 2-space indent. */

const SOURCE_RANK: Record<string, number> = { openalex: 1, semantic_scholar: 2 };
const LISTS = ["citations", "abstracts", "urls", "identifiers"] as const;

/**
 * The paper as written to the output: records from the input first (in their order), then each
 * API source's in a fixed source order, so the bytes do not depend on which answer came first.
 */
export function withStableRecordOrder(paper: Paper): Paper {
  const copy = { ...paper };
  for (const list of LISTS) {
    const records = paper[list] as Array<{ source: string }>;
    (copy[list] as unknown) = records
      .map((record, index) => ({ record, index }))
      .sort(
        (a, b) =>
          (SOURCE_RANK[a.record.source] ?? 0) - (SOURCE_RANK[b.record.source] ?? 0) || a.index - b.index,
      )
      .map(({ record }) => record);
  }
  return copy;
}

/** Indent every line after the first by `pad` (to nest a pretty-printed value). */
function nest(text: string, pad: string): string {
  return text.replace(/\n/g, `\n${pad}`);
}

function* outputParts(metadata: unknown, papers: Iterable<Paper>): Iterable<string> {
  yield `{\n  "consolidation_metadata": ${nest(JSON.stringify(metadata, null, 2), "  ")},\n  "papers": [`;
  let first = true;
  for (const paper of papers) {
    yield `${first ? "\n" : ",\n"}    ${nest(JSON.stringify(withStableRecordOrder(paper), null, 2), "    ")}`;
    first = false;
  }
  yield first ? "]\n}\n" : "\n  ]\n}\n";
}

/** Write the output atomically, streamed one paper at a time; creates the directory. */
export async function writeOutputFile(
  fs: StorageFs,
  file: string,
  metadata: unknown,
  papers: Iterable<Paper>,
): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  await fs.mkdir(dir).catch((error: unknown) => {
    throw storageError(`creating ${dir}`, error);
  });
  await writeFileAtomic(fs, path.resolve(file), outputParts(metadata, papers));
  await removeStaleTemps(fs, path.resolve(file));
}

/**
 * Remove temp files that earlier writes of this output left when their process was killed: unlike
 * a session directory's, nothing else ever sweeps the output's directory. A temp file is stale when
 * the pid in its name is not a live process on this host (a live one may be writing it right now).
 */
async function removeStaleTemps(fs: StorageFs, file: string): Promise<void> {
  const dir = path.dirname(file);
  const base = path.basename(file).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(`^\\.${base}\\.(\\d+)\\.[0-9a-f]{8}\\.tmp$`);
  for (const name of await fs.readdir(dir).catch(() => [])) {
    const pid = Number(pattern.exec(name)?.[1] ?? 0);
    if (pid > 0 && (pid === process.pid || !isProcessAlive(pid))) {
      await fs.unlink(path.join(dir, name)).catch(() => undefined);
    }
  }
}

/** `data/consolidated_papers/papers_<YYYYMMDD_HHMMSS>.json` (local time), as the Python tool named it. */
export function defaultOutputPath(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}_${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  return path.join("data", "consolidated_papers", `papers_${stamp}.json`);
}
