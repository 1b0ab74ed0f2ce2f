import path from "node:path";
import type { Paper } from "../model/paper.js";
import { sourceRank } from "../sources/registry.js";
import { removeStaleTempFiles, storageError, writeFileAtomic } from "../storage/atomic-write.js";
import { nodeStorageFs, type StorageFs } from "../storage/fs.js";
import { StoredLine } from "../storage/paper-store.js";
import { readSessionFile } from "../storage/session-catalog.js";
import { OutputBytes } from "./output-bytes.js";
import { printStoredPaper } from "./stored-paper-text.js";

/** The `cf consolidate` output: `{"consolidation_metadata": {...}, "papers": [...]}`, 2-space indent. */

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
      .sort((a, b) => sourceRank(a.record.source) - sourceRank(b.record.source) || a.index - b.index)
      .map(({ record }) => record);
  }
  return copy;
}

/** Indent every line after the first by `pad` (to nest a pretty-printed value). */
function nest(text: string, pad: string): string {
  return text.replace(/\n/g, `\n${pad}`);
}

const TWICE_OPEN = "[\n  [\n    ".length;
const TWICE_CLOSE = "\n  ]\n]".length;

/**
 * A value pretty-printed two levels deep (each line after the first indented by 4 spaces), as
 * JSON.stringify prints it inside two lists: one native pass, no second pass over the text to
 * indent it (the output of a million papers is written this way).
 */
function nestedTwice(value: unknown): string {
  return JSON.stringify([[value]], null, 2).slice(TWICE_OPEN, -TWICE_CLOSE);
}

/**
 * The output's bytes in blocks of about 1 MB. A paper given as its stored line is printed from it
 * without being parsed (stored-paper-text.ts) unless the line cannot be printed that way. Each block
 * is a view of one reused buffer, valid until the next is asked for (as writeFileAtomic reads them).
 */
function* outputParts(metadata: unknown, papers: Iterable<Paper | StoredLine>): Iterable<Buffer> {
  const out = new OutputBytes();
  out.writeString(
    `{\n  "consolidation_metadata": ${nest(JSON.stringify(metadata, null, 2), "  ")},\n  "papers": [`,
  );
  let first = true;
  for (const entry of papers) {
    out.writeString(first ? "\n    " : ",\n    ");
    first = false;
    if (entry instanceof StoredLine) {
      if (!printStoredPaper(entry.line, entry.paperId, out))
        out.writeString(nestedTwice(withStableRecordOrder(entry.paper())));
    } else out.writeString(nestedTwice(withStableRecordOrder(entry)));
    if (out.full()) yield out.take();
  }
  out.writeString(first ? "]\n}\n" : "\n  ]\n}\n");
  yield out.take();
}

/**
 * Write the output atomically, streamed a block of papers at a time; creates the directory. Papers
 * can be given as their stored lines (PaperStore.printable()), printed without parsing them.
 */
export async function writeOutputFile(
  fs: StorageFs,
  file: string,
  metadata: unknown,
  papers: Iterable<Paper | StoredLine>,
): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  await fs.mkdir(dir).catch((error: unknown) => {
    throw storageError(`creating ${dir}`, error);
  });
  await writeFileAtomic(fs, path.resolve(file), outputParts(metadata, papers));
  // Nothing else sweeps the output's directory (unlike a session's): remove the temp files that
  // killed writes of this output left there.
  await removeStaleTempFiles(fs, path.resolve(file));
}

/** `data/consolidated_papers/papers_<YYYYMMDD_HHMMSS>.json` (local time), as the Python tool named it. */
export function defaultOutputPath(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}_${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  return path.join("data", "consolidated_papers", `papers_${stamp}.json`);
}

/**
 * The output a session's runs write to, as its session.json recorded it (`options.output`): a
 * resume without `--output` writes there, not to a new default file, so that a printed resume
 * command, pasted, writes where the run was writing. Undefined when none is recorded (or the file
 * cannot be read: the run then says why when it opens the session).
 */
export async function recordedOutputFile(
  sessionDir: string,
  fs: StorageFs = nodeStorageFs,
): Promise<string | undefined> {
  const read = await readSessionFile(fs, sessionDir).catch(() => undefined);
  if (read?.kind !== "ok") return undefined;
  const output = read.file.options?.output;
  return typeof output === "string" && output !== "" ? output : undefined;
}
