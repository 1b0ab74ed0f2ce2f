import { createHash } from "node:crypto";
import { z } from "zod";
import { isErrnoException, SessionCorruptError } from "../errors.js";
import { type Paper, parsePaper } from "../model/paper.js";
import { paperTallySchema } from "../model/paper-tally.js";
import { storageError, type WrittenFile, writeFileAtomic } from "./atomic-write.js";
import { linkError, type StorageFs } from "./fs.js";
import { ReadOnlyLines } from "./line-files.js";
import { checkStoredPaper } from "./paper-store.js";
import { readLines } from "./read-lines.js";

/**
 * `papers_enriched.json`: `{"metadata": {...}, "papers": [...]}`, written one paper per line so it
 * can be streamed in both directions (valid JSON all the same). Files from the Python tool (indented,
 * or a plain list) are read whole.
 */

export const PAPERS_FILE = "papers_enriched.json";

/** Files in another layout larger than this cannot be parsed in one piece. */
const MAX_WHOLE_FILE_BYTES = 512 * 1024 * 1024;

export const papersMetadataSchema = z.looseObject({
  total_papers: z.number().int().nonnegative(),
  unique_paper_ids: z.number().int().nonnegative(),
  saved_at: z.string(),
  generation: z.number().int().nonnegative().optional(),
  journal_seq: z.number().int().nonnegative().optional(),
  /** Totals over the papers (records, papers with each kind): resuming need not count them. */
  tally: paperTallySchema.optional(),
});

export type PapersMetadata = z.infer<typeof papersMetadataSchema>;

export interface PapersFile {
  metadata: PapersMetadata | undefined;
  papers: Paper[];
  sha256: string;
  bytes: number;
}

/** The first line starts with this; the second is PAPERS_LINE; then one paper per line. */
export const HEAD = '{"metadata":';
export const PAPERS_LINE = '"papers":[';

/**
 * A papers file whose papers are given as their JSON lines (copied as bytes). `onLine` learns
 * where each line lands (its byte offset and length), to read it back later.
 */
export function* papersFileChunks(
  metadata: PapersMetadata,
  lines: Iterable<Buffer>,
  onLine?: (offset: number, length: number) => void,
): Generator<string | Buffer> {
  const head = `${HEAD}${JSON.stringify(metadata)},\n${PAPERS_LINE}\n`;
  yield head;
  let offset = Buffer.byteLength(head, "utf8");
  let first = true;
  for (const line of lines) {
    if (!first) {
      yield SEPARATOR;
      offset += SEPARATOR.length;
    }
    onLine?.(offset, line.length);
    yield line;
    offset += line.length;
    first = false;
  }
  yield first ? "]}\n" : "\n]}\n";
}

const SEPARATOR = Buffer.from(",\n");

function* paperLines(papers: Iterable<Paper>): Generator<Buffer> {
  for (const paper of papers) yield Buffer.from(JSON.stringify(paper), "utf8");
}

/** Write the papers snapshot atomically, one paper at a time. */
export function writePapersFile(
  fs: StorageFs,
  file: string,
  metadata: PapersMetadata,
  papers: Iterable<Paper>,
): Promise<WrittenFile> {
  return writeFileAtomic(fs, file, papersFileChunks(metadata, paperLines(papers)));
}

/** Where each paper's line is in a papers file of cf's own layout, and the file's digest. */
export interface ScannedPapersFile {
  metadata: PapersMetadata;
  offsets: number[];
  lengths: number[];
  sha256: string;
  bytes: number;
}

/**
 * Find each paper's line in a papers file of cf's layout without parsing the papers (a check of
 * the layout and of each line's braces only), hashing the bytes on the way. Undefined for another
 * layout (the Python tool's): read those with readPapersFile. Throws SessionCorruptError naming
 * the file and line.
 */
export async function scanPapersFile(
  fs: StorageFs,
  file: string,
  options: {
    /** The file's sha256 being computed elsewhere (hashFileOffThread): the scan does not hash. */
    digest?: Promise<string>;
  } = {},
): Promise<ScannedPapersFile | undefined> {
  const corrupt = (line: number, what: string) =>
    new SessionCorruptError(file, `${file}: line ${line}: ${what}`, {
      hint: "The session's papers snapshot is damaged; restore it from a backup or start a new session.",
    });
  const stream = fs.readStream(file);
  const hash = createHash("sha256");
  const offsets: number[] = [];
  const lengths: number[] = [];
  let metadata: PapersMetadata | undefined;
  let state = "head" as "head" | "papers-open" | "papers" | "done";
  let lineNo = 0;
  let position = 0; // absolute offset of byte 0 of the buffer onLine is given
  let consumed = 0;
  let carry: Buffer | undefined; // the start of a line the next chunk ends
  let carryStart = 0;
  const onLine = (buffer: Buffer, start: number, end: number): "other-layout" | undefined => {
    lineNo += 1;
    if (state === "papers") {
      const last = end > start ? buffer[end - 1] : undefined;
      if (end - start === 2 && buffer[start] === 0x5d && last === 0x7d) {
        state = "done"; // "]}"
        return undefined;
      }
      const length = last === 0x2c ? end - start - 1 : end - start; // without the "," separator
      if (buffer[start] !== 0x7b || buffer[start + length - 1] !== 0x7d)
        throw corrupt(lineNo, "invalid paper");
      offsets.push(position + start);
      lengths.push(length);
      return undefined;
    }
    const text = buffer.toString("utf8", start, end);
    if (state === "head") {
      if (!text.startsWith(HEAD) || !text.endsWith(",")) return "other-layout";
      metadata = parseMetadata(text.slice(HEAD.length, -1), () => corrupt(lineNo, "invalid metadata"));
      state = "papers-open";
    } else if (state === "papers-open") {
      if (text !== PAPERS_LINE) throw corrupt(lineNo, `expected ${PAPERS_LINE}`);
      state = "papers";
    } else if (text !== "") throw corrupt(lineNo, "unexpected content after the end of the papers list");
    return undefined;
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (!options.digest) hash.update(chunk);
      const chunkStart = consumed; // absolute offset of chunk[0]
      consumed += chunk.length;
      let start = 0;
      let newline = chunk.indexOf(0x0a);
      if (carry) {
        // Only the line that spans the two chunks is joined (not the whole chunk: 1 MB copied per read).
        if (newline === -1) {
          carry = Buffer.concat([carry, chunk]);
          continue;
        }
        const joined = Buffer.concat([carry, chunk.subarray(0, newline)]);
        position = carryStart;
        if (onLine(joined, 0, joined.length) === "other-layout") return undefined;
        carry = undefined;
        start = newline + 1;
        newline = chunk.indexOf(0x0a, start);
      }
      position = chunkStart;
      for (; newline !== -1; newline = chunk.indexOf(0x0a, start)) {
        if (onLine(chunk, start, newline) === "other-layout") return undefined;
        start = newline + 1;
      }
      if (start < chunk.length) {
        carry = chunk.subarray(start);
        carryStart = chunkStart + start;
      }
    }
    position = carryStart;
    if (carry && onLine(carry, 0, carry.length) === "other-layout") return undefined;
  } catch (error) {
    if (!isErrnoException(error)) throw error;
    if (error.code === "ENOENT") throw new SessionCorruptError(file, `${file} is missing`);
    throw storageError(`reading ${file}`, linkError(error, file));
  } finally {
    stream.destroy();
  }
  if (state !== "done" || !metadata)
    throw corrupt(lineNo, "the file ends before the papers list is closed (truncated?)");
  if (metadata.total_papers !== offsets.length) {
    throw corrupt(
      1,
      `metadata.total_papers is ${metadata.total_papers} but the file holds ${offsets.length} papers`,
    );
  }
  let sha256: string;
  try {
    sha256 = options.digest ? await options.digest : hash.digest("hex");
  } catch (error) {
    throw storageError(`reading ${file}`, error);
  }
  return { metadata, offsets, lengths, sha256, bytes: consumed };
}

/**
 * Where each paper's line is, from the line lengths progress.json of the same generation recorded:
 * no pass over the file (a million papers' snapshot is gigabytes). Only the head and the end are
 * read here: the lines' bytes must be vouched for by the file's digest, which the caller checks.
 * Undefined when the head, the number of papers or the end differ (then scanPapersFile reads the
 * file, and says what is wrong).
 */
export function locatePapersByLengths(
  file: string,
  lengths: readonly number[],
): Omit<ScannedPapersFile, "sha256"> | undefined {
  let lines: ReadOnlyLines;
  try {
    lines = ReadOnlyLines.open(file);
  } catch {
    return undefined;
  }
  try {
    const head = lines.readUpTo(0, HEAD_READ_BYTES);
    const first = head.indexOf(0x0a);
    const second = first === -1 ? -1 : head.indexOf(0x0a, first + 1);
    if (second === -1) return undefined;
    const metadataLine = head.toString("utf8", 0, first);
    if (!metadataLine.startsWith(HEAD) || !metadataLine.endsWith(",")) return undefined;
    if (head.toString("utf8", first + 1, second) !== PAPERS_LINE) return undefined;
    const metadata = papersMetadataSchema.safeParse(safeJsonParse(metadataLine.slice(HEAD.length, -1)));
    if (!metadata.success || metadata.data.total_papers !== lengths.length) return undefined;
    const offsets = new Array<number>(lengths.length);
    let position = second + 1;
    for (let index = 0; index < lengths.length; index++) {
      offsets[index] = position;
      position += (lengths[index] as number) + (index === lengths.length - 1 ? 1 : SEPARATOR.length);
    }
    if (lines.readUpTo(position, 8).toString("latin1") !== "]}\n") return undefined;
    return { metadata: metadata.data, offsets, lengths: [...lengths], bytes: position + 3 };
  } catch {
    return undefined;
  } finally {
    lines.close();
  }
}

/** How much of the head locatePapersByLengths reads to find the metadata line (else the file is scanned). */
const HEAD_READ_BYTES = 1024 * 1024;

function safeJsonParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Read and validate a papers file in either layout; throws SessionCorruptError naming the file and line. */
export async function readPapersFile(
  fs: StorageFs,
  file: string,
  options: { trustedSha256?: string } = {},
): Promise<PapersFile> {
  const stream = fs.readStream(file);
  const hash = createHash("sha256");
  let bytes = 0;
  const lines = readLines(stream, (chunk) => {
    hash.update(chunk);
    bytes += chunk.length;
  });
  const corrupt = (line: number, what: string) =>
    new SessionCorruptError(file, `${file}: line ${line}: ${what}`, {
      hint: "The session's papers snapshot is damaged; restore it from a backup or start a new session.",
    });
  let lineNo = 0;
  let metadata: PapersMetadata | undefined;
  const raws: unknown[] = [];
  let state: "head" | "papers-open" | "papers" | "done" = "head";
  try {
    for await (const line of lines) {
      lineNo += 1;
      if (state === "head") {
        if (!line.startsWith(HEAD) || !line.endsWith(",")) {
          await lines.return(undefined);
          stream.destroy();
          return await readWholeFile(fs, file);
        }
        metadata = parseMetadata(line.slice(HEAD.length, -1), () => corrupt(lineNo, "invalid metadata"));
        state = "papers-open";
      } else if (state === "papers-open") {
        if (line !== PAPERS_LINE) throw corrupt(lineNo, `expected ${PAPERS_LINE}`);
        state = "papers";
      } else if (state === "papers") {
        if (line === "]}") {
          state = "done";
          continue;
        }
        const text = line.endsWith(",") ? line.slice(0, -1) : line;
        raws.push(parseJsonLine(text, () => corrupt(lineNo, "invalid paper")));
      } else if (line !== "") {
        throw corrupt(lineNo, "unexpected content after the end of the papers list");
      }
    }
  } catch (error) {
    if (!isErrnoException(error)) throw error; // cf's own errors included (isErrnoException excludes them)
    // A missing file is corruption (named), not an unexpected error; other disk errors are StorageErrors.
    if (error.code === "ENOENT") throw new SessionCorruptError(file, `${file} is missing`);
    throw storageError(`reading ${file}`, linkError(error, file));
  } finally {
    await lines.return(undefined);
    stream.destroy(); // also on early exits, so the descriptor is never left to the garbage collector
  }
  if (state !== "done") throw corrupt(lineNo, "the file ends before the papers list is closed (truncated?)");
  const sha256 = hash.digest("hex");
  // The exact bytes a checkpoint committed were written from validated papers: a structural check
  // is enough (and ten times faster on resume). Anything else is validated field by field.
  const trusted = options.trustedSha256 === sha256;
  const papers = raws.map((raw, index) =>
    trusted
      ? checkShape(raw, () => corrupt(index + 3, "invalid paper"))
      : validateStoredPaper(raw, index, () => corrupt(index + 3, "invalid paper")),
  );
  if (metadata && metadata.total_papers !== papers.length) {
    throw corrupt(
      1,
      `metadata.total_papers is ${metadata.total_papers} but the file holds ${papers.length} papers`,
    );
  }
  return { metadata, papers, sha256, bytes };
}

function parseMetadata(text: string, fail: () => Error): PapersMetadata {
  try {
    return papersMetadataSchema.parse(JSON.parse(text));
  } catch {
    throw fail();
  }
}

function parseJsonLine(text: string, fail: () => Error): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw fail();
  }
}

function validateStoredPaper(raw: unknown, index: number, fail: () => SessionCorruptError): Paper {
  const result = parsePaper(raw, index);
  if (!result.ok) {
    const issue = result.issues[0];
    const error = fail();
    error.message += issue ? ` (papers[${index}].${issue.path} ${issue.message})` : "";
    throw error;
  }
  return result.paper;
}

function checkShape(raw: unknown, fail: () => SessionCorruptError): Paper {
  const paper = checkStoredPaper(raw);
  if (!paper) throw fail();
  return paper;
}

/** The Python tool's layouts: indented `{"metadata", "papers"}` or a bare list. */
async function readWholeFile(fs: StorageFs, file: string): Promise<PapersFile> {
  const buffer = await fs.readFile(file);
  const fail = (what: string) =>
    new SessionCorruptError(file, `${file}: ${what}`, {
      hint: "The session's papers snapshot is damaged; restore it from a backup or start a new session.",
    });
  if (buffer.length > MAX_WHOLE_FILE_BYTES) throw fail("too large to read in this (non-streamed) layout");
  let data: unknown;
  try {
    data = JSON.parse(buffer.toString("utf8"));
  } catch (error) {
    throw fail(`not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  let rawPapers: unknown;
  let metadata: PapersMetadata | undefined;
  if (Array.isArray(data)) rawPapers = data;
  else if (
    data !== null &&
    typeof data === "object" &&
    Array.isArray((data as { papers?: unknown }).papers)
  ) {
    rawPapers = (data as { papers: unknown[] }).papers;
    const meta = papersMetadataSchema.safeParse((data as { metadata?: unknown }).metadata);
    metadata = meta.success ? meta.data : undefined;
  } else throw fail('expected {"metadata": ..., "papers": [...]} or a list of papers');
  const papers = (rawPapers as unknown[]).map((raw, index) => {
    const result = parsePaper(raw, index);
    if (!result.ok) {
      const issue = result.issues[0];
      throw fail(`papers[${index}]${issue ? `.${issue.path} ${issue.message}` : " is invalid"}`);
    }
    return result.paper;
  });
  return {
    metadata,
    papers,
    sha256: createHash("sha256").update(buffer).digest("hex"),
    bytes: buffer.length,
  };
}
