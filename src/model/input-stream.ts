import { createHash } from "node:crypto";
import { closeSync, fstatSync, openSync, readSync, type Stats } from "node:fs";
import path from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import { InputError, InputFileMissingError, isErrnoException } from "../errors.js";
import { canonicalJson } from "./canonical-json.js";
import { IdHashIndex, OffsetList } from "./id-hash-index.js";
import {
  decodeInput,
  type LoadedInput,
  MAX_INPUT_BYTES,
  MAX_INPUT_DEPTH,
  parseInputFile,
  readInputFile,
} from "./input-file.js";
import { type MigratedCounts, noneMigrated } from "./legacy-fields.js";
import { formatLocalTimestamp } from "./local-timestamp.js";
import { type Paper, parsePaper } from "./paper.js";
import { claimPaperId } from "./paper-ids.js";
import { PaperSplitter, SplitProblem } from "./paper-splitter.js";
import { safeText } from "./safe-text.js";

/**
 * An input file read as a stream (issue 16): a first pass validates every paper and notes where
 * each lies; the papers are then read again, one at a time, whenever they are needed. Neither the
 * file nor its papers are ever held whole, so a million-paper file costs the memory of its ids.
 * The messages, ids and papers are those of parseInputFile, which reads a file whole.
 */

const BLOCK_BYTES = 4 * 1024 * 1024;

/**
 * Largest input read. A stream holds no more of a file than its ids, so this is only a bound on
 * what a mistaken path can cost: well above a million papers with abstracts (about 2 GB).
 */
export const MAX_STREAMED_INPUT_BYTES = 16 * 1024 ** 3;
const BOM = [0xef, 0xbb, 0xbf];

export interface ScannedInput {
  /** Absolute path of the file. */
  file: string;
  sha256: string;
  /** Papers in the input, exact duplicates counted once. */
  count: number;
  collectionMetadata: unknown;
  warnings: string[];
  migrated: MigratedCounts;
  /** `stream`: read in blocks; `whole`: a file only a whole read settles (see wholeFile). */
  read: "stream" | "whole";
  /** The input's papers, read again from the file on each call (an InputError if it changed since). */
  papers(): Iterable<Paper>;
}

export interface ScanOptions {
  /** Told the bytes read so far, after each block. */
  onProgress?: (bytesRead: number, size: number) => void;
  /** Bytes read at a time (tests use tiny blocks, to split papers and characters between reads). */
  blockBytes?: number;
  /** The hash of explicit ids (tests use one that collides often; see IdHashIndex). */
  idHash?: (id: string) => [number, number];
}

/** What the first pass needs to know of the file to read it again the same way. */
interface FileMark {
  absolute: string;
  shown: string;
  size: number;
  mtimeMs: number;
  ino: number;
  sha256: string;
  blockBytes: number;
  idHash: ((id: string) => [number, number]) | undefined;
}

/**
 * Read, hash and validate an input file without holding it: the `cf collect` envelope or a plain
 * list. Every problem is an InputError naming the file, the paper index and the field, worded as
 * parseInputFile words it. `onProgress` is told the bytes read so far.
 */
export async function scanInputFile(file: string, options: ScanOptions = {}): Promise<ScannedInput> {
  const absolute = path.resolve(file);
  const shown = safeText(file);
  const fd = openInput(absolute, file);
  try {
    const info = statInput(fd, shown);
    const mark = {
      absolute,
      shown,
      size: info.size,
      mtimeMs: info.mtimeMs,
      ino: info.ino,
      sha256: "",
      blockBytes: options.blockBytes ?? BLOCK_BYTES,
      idHash: options.idHash,
    };
    const context = { fallbackTimestamp: formatLocalTimestamp(info.mtime) };
    const first = await firstPass(fd, mark, context, options.onProgress).catch((error: unknown) => {
      if (error instanceof SplitProblem) return error;
      throw error;
    });
    // The file's shape is not what a stream can read (not JSON, no papers, too deep, papers twice):
    // the whole-file reader words the problem (or reads the file, as it always has).
    if (first instanceof SplitProblem) return wholeFile(file, mark, first);
    return finish(first, mark, context);
  } finally {
    closeSync(fd);
  }
}

/** The open input's size and times; not a regular file, empty or too large is an InputError. */
function statInput(fd: number, shown: string): Stats {
  const info = fstatSync(fd);
  if (!info.isFile()) throw new InputError(`${shown}: not a regular file`);
  if (info.size === 0) throw new InputError(`${shown}: the file is empty`);
  if (info.size <= MAX_STREAMED_INPUT_BYTES) return info;
  const gb = (bytes: number) => (bytes / 1024 ** 3).toFixed(0);
  throw new InputError(
    `${shown}: ${gb(info.size)} GB is larger than the ${gb(MAX_STREAMED_INPUT_BYTES)} GB input limit`,
    {
      hint: "Split the collection into several files and consolidate each.",
    },
  );
}

/** An input file's identity: its path, as given and absolute, and the sha256 of its bytes. */
export interface HashedInput {
  file: string;
  shown: string;
  sha256: string;
}

/**
 * Hash an input file a block at a time (it is not held): what choosing a session needs. A missing
 * file is an InputFileMissingError; not a file, empty, unreadable or too large, an InputError.
 */
export async function hashInputFile(file: string): Promise<HashedInput> {
  const absolute = path.resolve(file);
  const shown = safeText(file);
  const fd = openInput(absolute, file);
  try {
    const info = statInput(fd, shown);
    const hash = createHash("sha256");
    let blocksRead = 0;
    for (const block of blocks(fd, info.size, BLOCK_BYTES)) {
      hash.update(block);
      if (++blocksRead % 16 === 0) await nextTurn();
    }
    return { file: absolute, shown: file, sha256: hash.digest("hex") };
  } catch (error) {
    if (error instanceof InputError) throw error;
    const detail = isErrnoException(error) ? error.code : String(error);
    throw new InputError(`${shown}: cannot read the file (${detail})`, { cause: error });
  } finally {
    closeSync(fd);
  }
}

function openInput(absolute: string, given: string): number {
  try {
    return openSync(absolute, "r");
  } catch (error) {
    const shown = safeText(given);
    if (isErrnoException(error) && error.code === "ENOENT") {
      throw new InputFileMissingError(`${shown}: no such file`, { hint: "Check the --input path." });
    }
    if (isErrnoException(error) && error.code === "EISDIR")
      throw new InputError(`${shown}: not a regular file`);
    const detail = isErrnoException(error) ? error.code : String(error);
    throw new InputError(`${shown}: cannot read the file (${detail})`, { cause: error });
  }
}

interface FirstPass {
  count: number;
  /** The envelope's `collection_metadata` (the last, as JSON.parse keeps), when it has one. */
  metadata: { value: unknown } | undefined;
  /** Byte range of each paper, in file order. */
  starts: OffsetList;
  ends: OffsetList;
  /** Explicit ids, as hashes with the first paper that has each. */
  ids: IdHashIndex;
  /**
   * [index, index of the first paper whose id has the same hash] for each later paper with an
   * explicit id: the same id (a duplicate), unless two ids share a hash.
   */
  repeats: Array<[number, number]>;
  problems: string[];
  problemCount: number;
  /** Papers whose id is generated (only then are the explicit ids needed again, to keep clear of them). */
  generated: number;
  migrated: MigratedCounts;
  noVenue: number;
}

async function firstPass(
  fd: number,
  mark: FileMark,
  context: { fallbackTimestamp: string },
  onProgress: ((bytesRead: number, size: number) => void) | undefined,
): Promise<FirstPass> {
  const pass: FirstPass = {
    count: 0,
    metadata: undefined,
    starts: new OffsetList(),
    ends: new OffsetList(),
    ids: new IdHashIndex(mark.idHash),
    repeats: [],
    problems: [],
    problemCount: 0,
    generated: 0,
    migrated: noneMigrated(),
    noVenue: 0,
  };
  const splitter = new PaperSplitter(({ index, key, start, end, bytes }) => {
    if (index < 0) {
      // Another value of the envelope: checked as JSON.parse would; only the metadata is kept.
      const value = parseJson(bytes);
      if (key === "collection_metadata") pass.metadata = { value };
      return;
    }
    pass.starts.push(start);
    pass.ends.push(end);
    const result = parsePaper(parseJson(bytes), index, context);
    if (!result.ok) {
      for (const issue of result.issues) {
        pass.problemCount += 1;
        const field = issue.path === "" ? "" : `.${issue.path}`;
        if (pass.problems.length < 10) pass.problems.push(`papers[${index}]${field} ${issue.message}`);
      }
      return;
    }
    pass.migrated.citations += result.migrated.citations;
    pass.migrated.abstracts += result.migrated.abstracts;
    if (result.paper.venue.trim() === "") pass.noVenue += 1;
    if (result.idGenerated) {
      pass.generated += 1;
      return;
    }
    const previous = pass.ids.add(result.paper.paper_id, index);
    if (previous >= 0) pass.repeats.push([index, previous]);
  }, MAX_INPUT_DEPTH);
  const hash = createHash("sha256");
  const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  const head = Buffer.alloc(Math.min(4, mark.size));
  readFully(fd, head, 0);
  decodeInput(wideOnly(head), mark.shown); // UTF-16 and UTF-32 named, as for a whole file
  if (BOM.every((byte, i) => head[i] === byte)) splitter.skipStart(BOM.length);
  let at = 0;
  for (const block of blocks(fd, mark.size, mark.blockBytes)) {
    hash.update(block);
    try {
      utf8.decode(block, { stream: true });
    } catch {
      throw new SplitProblem("not UTF-8");
    }
    splitter.write(block, at);
    at += block.length;
    onProgress?.(at, mark.size);
    await nextTurn(); // signals and the spinner get their turn
  }
  try {
    utf8.decode();
  } catch {
    throw new SplitProblem("not UTF-8");
  }
  splitter.end();
  if (at !== mark.size) throw new InputError(`${mark.shown}: the file changed while it was being read`);
  mark.sha256 = hash.digest("hex");
  pass.count = splitter.papersSeen;
  return pass;
}

/**
 * The first bytes of a file, for decodeInput to name a UTF-16 or UTF-32 file by: a UTF-8 start that
 * a cut would make invalid is left out (the stream checks UTF-8 itself).
 */
function wideOnly(head: Buffer): Buffer {
  return head.every((byte) => byte < 0x80) ||
    head[0] === 0xff ||
    head[0] === 0xfe ||
    head[0] === 0 ||
    head[1] === 0
    ? head
    : Buffer.alloc(0);
}

/** A paper's bytes as a value; the tokenizer has vouched for the syntax. */
function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw new SplitProblem(error instanceof Error ? error.message : String(error));
  }
}

function finish(pass: FirstPass, mark: FileMark, mtimeContext: { fallbackTimestamp: string }): ScannedInput {
  const { shown } = mark;
  if (pass.count === 0) throw new InputError(`${shown}: papers is empty: there are no papers to consolidate`);
  if (pass.problemCount > 0) {
    const lines = pass.problems.map((p) => `  ${p}`);
    if (pass.problemCount > 10) lines.push(`  … and ${pass.problemCount - 10} more`);
    throw new InputError(`${shown}: ${pass.problemCount} invalid field(s):\n${lines.join("\n")}`, {
      hint: "Each paper needs a non-empty `title` and an integer `year`.",
    });
  }
  const collectionMetadata = pass.metadata?.value;
  const stamp = envelopeTimestamp(collectionMetadata);
  const context = stamp ? { fallbackTimestamp: stamp } : mtimeContext;
  const reader = new PaperReader(mark, pass.starts, pass.ends, context);
  const collapsed = collapseRepeats(pass, reader, shown);
  const warnings: string[] = [];
  if (collapsed.papers.size > 0) {
    warnings.push(
      `${shown}: ${collapsed.papers.size} exact duplicate paper(s) appear more than once; each is kept once`,
    );
  }
  const noVenue = pass.noVenue - collapsed.noVenue;
  if (noVenue > 0) {
    const count = noVenue === 1 ? "1 paper has" : `${noVenue} papers have`;
    warnings.push(`${shown}: ${count} no venue (kept empty; a missing paper_id becomes {year}_{index})`);
  }
  const migrated = {
    citations: pass.migrated.citations - collapsed.migrated.citations,
    abstracts: pass.migrated.abstracts - collapsed.migrated.abstracts,
  };
  // Generated ids keep clear of every explicit one (an id with a known hash is read to be sure).
  const { ids, repeats } = pass;
  const reserved = {
    has: (id: string) => {
      const first = ids.first(id);
      if (first < 0) return false;
      const same = [first, ...repeats.filter(([, previous]) => previous === first).map(([index]) => index)];
      return same.some((index) => reader.explicitId(index) === id);
    },
  };
  return {
    file: mark.absolute,
    sha256: mark.sha256,
    count: pass.count - collapsed.papers.size,
    collectionMetadata,
    warnings,
    migrated,
    read: "stream",
    papers: () => readPapers(reader, pass.count, collapsed.papers, pass.generated > 0 ? reserved : undefined),
  };
}

/** Reads single papers of a scanned file again by their byte ranges (for the few it needs). */
class PaperReader {
  constructor(
    readonly mark: FileMark,
    readonly starts: OffsetList,
    readonly ends: OffsetList,
    readonly context: { fallbackTimestamp: string },
  ) {}

  /** The paper's explicit id; undefined when it has none (one is generated). */
  explicitId(index: number): string | undefined {
    const result = this.parse(undefined, index);
    return result.idGenerated ? undefined : result.paper.paper_id;
  }

  parse(
    bytes: Buffer | undefined,
    index: number,
  ): { paper: Paper; idGenerated: boolean; migrated: MigratedCounts } {
    if (bytes === undefined) {
      bytes = Buffer.alloc(this.ends.at(index) - this.starts.at(index));
      const fd = openSync(this.mark.absolute, "r");
      try {
        readFully(fd, bytes, this.starts.at(index));
      } finally {
        closeSync(fd);
      }
    }
    const result = parsePaper(JSON.parse(bytes.toString("utf8")), index, this.context);
    if (!result.ok) throw changedSince(this.mark);
    return result;
  }
}

function changedSince(mark: FileMark): InputError {
  return new InputError(`${mark.shown}: the file changed since it was validated`, {
    hint: "Run the command again: the file is read afresh.",
  });
}

interface Collapsed {
  /** Indexes of the papers dropped as exact duplicates of an earlier one. */
  papers: Set<number>;
  /** What those papers counted for in the first pass. */
  migrated: MigratedCounts;
  noVenue: number;
}

/**
 * Papers whose explicit id an earlier paper has: the same content collapses into the first, different
 * content is an InputError naming both (the first such paper in the file, as parseInputFile names).
 * The papers are read again: only those whose id hash was seen before.
 */
function collapseRepeats(pass: FirstPass, reader: PaperReader, shown: string): Collapsed {
  const collapsed: Collapsed = { papers: new Set(), migrated: noneMigrated(), noVenue: 0 };
  if (pass.repeats.length === 0) return collapsed;
  // Papers by the first paper of their hash: within a group, ids are compared for real.
  const groups = new Map<number, number[]>();
  for (const [index, previous] of pass.repeats) {
    const group = groups.get(previous) ?? [previous];
    group.push(index);
    groups.set(previous, group);
  }
  let clash: { index: number; previous: number; id: string } | undefined;
  for (const group of groups.values()) {
    const parsed = group.map((index) => ({ index, ...reader.parse(undefined, index) }));
    const firstWithId = new Map<string, { index: number; canonical: string }>();
    for (const { index, paper, migrated } of parsed) {
      const first = firstWithId.get(paper.paper_id);
      const canonical = canonicalJson(paper);
      if (!first) {
        firstWithId.set(paper.paper_id, { index, canonical });
        continue;
      }
      if (first.canonical === canonical) {
        collapsed.papers.add(index);
        collapsed.migrated.citations += migrated.citations;
        collapsed.migrated.abstracts += migrated.abstracts;
        if (paper.venue.trim() === "") collapsed.noVenue += 1;
      } else if (!clash || index < clash.index) {
        clash = { index, previous: first.index, id: paper.paper_id };
      }
    }
  }
  if (clash) {
    throw new InputError(
      `${shown}: papers[${clash.index}].paper_id "${safeText(clash.id)}" is also the id of papers[${clash.previous}], with different content`,
      { hint: "Give each paper a unique paper_id (or remove paper_id to have one generated)." },
    );
  }
  return collapsed;
}

/** The second pass: each paper parsed again from its bytes, ids generated as parseInputFile does. */
function* readPapers(
  reader: PaperReader,
  count: number,
  collapsed: ReadonlySet<number>,
  reserved: { has(id: string): boolean } | undefined,
): Generator<Paper> {
  const { mark, starts, ends } = reader;
  const fd = openInput(mark.absolute, mark.shown);
  try {
    const info = fstatSync(fd);
    if (info.size !== mark.size || info.mtimeMs !== mark.mtimeMs || info.ino !== mark.ino)
      throw changedSince(mark);
    // The generated ids of this read; the explicit ones are shared by every read.
    const taken = new Set<string>();
    const hash = createHash("sha256");
    let index = 0;
    // The bytes read and not yet used: the start of a paper that continues in the next block.
    let carry = Buffer.alloc(0);
    let at = 0;
    for (const block of blocks(fd, mark.size, mark.blockBytes)) {
      hash.update(block);
      const window = carry.length === 0 ? block : Buffer.concat([carry, block]);
      const windowAt = at - carry.length;
      const windowEnd = at + block.length;
      at = windowEnd;
      while (index < count && ends.at(index) <= windowEnd) {
        const current = index++;
        if (collapsed.has(current)) continue;
        const bytes = window.subarray(starts.at(current) - windowAt, ends.at(current) - windowAt);
        const result = reader.parse(bytes, current);
        if (result.idGenerated) result.paper.paper_id = claimPaperId(result.paper.paper_id, taken, reserved);
        yield result.paper;
      }
      // Copied: a short carry must not keep its whole block alive.
      const next = index < count ? Math.max(starts.at(index), windowAt) : windowEnd;
      carry = next < windowEnd ? Buffer.from(window.subarray(next - windowAt)) : Buffer.alloc(0);
    }
    if (index !== count || hash.digest("hex") !== mark.sha256) throw changedSince(mark);
  } finally {
    closeSync(fd);
  }
}

/** The file's first `size` bytes, a block at a time (each a fresh buffer). */
function* blocks(fd: number, size: number, blockBytes: number): Generator<Buffer> {
  let at = 0;
  while (at < size) {
    const block = Buffer.allocUnsafe(Math.min(blockBytes, size - at));
    const read = readSync(fd, block, 0, block.length, at);
    if (read === 0) return;
    yield read === block.length ? block : block.subarray(0, read);
    at += read;
  }
}

function readFully(fd: number, into: Buffer, position: number): void {
  let done = 0;
  while (done < into.length) {
    const read = readSync(fd, into, done, into.length - done, position + done);
    if (read === 0) break;
    done += read;
  }
}

/** `collection_metadata.timestamp` of the collect envelope, when it is a non-empty string. */
function envelopeTimestamp(metadata: unknown): string | undefined {
  if (metadata === null || typeof metadata !== "object") return undefined;
  const timestamp = (metadata as Record<string, unknown>).timestamp;
  return typeof timestamp === "string" && timestamp.trim() !== "" ? timestamp : undefined;
}

/** What a file too large for a whole read is told, by the stream's problem. */
const LARGE_FILE_PROBLEMS: Record<string, string> = {
  "not UTF-8": "not valid UTF-8; save it as UTF-8",
  "no papers key": 'the top-level object has no "papers" key',
  "papers is not a list": '"papers" must be an array',
  "papers appears twice": '"papers" appears twice',
  "not a list or an object": 'expected a JSON object with "papers" or a JSON list',
  "nested too deep": `nested deeper than ${MAX_INPUT_DEPTH} levels`,
};

/**
 * A file the stream could not split: read whole by parseInputFile, which names the problem (or, for
 * a shape only a whole read settles, such as a repeated "papers" key, reads it). Beyond the size a
 * whole read can take, the problem is named here.
 */
async function wholeFile(given: string, mark: FileMark, problem: SplitProblem): Promise<ScannedInput> {
  if (mark.size > MAX_INPUT_BYTES) {
    throw new InputError(
      `${mark.shown}: ${LARGE_FILE_PROBLEMS[problem.message] ?? `not valid JSON (${safeText(problem.message)})`}`,
      {
        hint: "The input must be the JSON written by `cf collect` or a JSON list of papers, in UTF-8.",
      },
    );
  }
  const loaded: LoadedInput = parseInputFile(await readInputFile(given));
  return {
    file: loaded.file,
    sha256: loaded.sha256,
    count: loaded.papers.length,
    collectionMetadata: loaded.collectionMetadata,
    warnings: loaded.warnings,
    migrated: loaded.migrated,
    read: "whole",
    papers: () => loaded.papers,
  };
}
