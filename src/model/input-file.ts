import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { InputError, InputFileMissingError, isErrnoException } from "../errors.js";
import { canonicalJson } from "./canonical-json.js";
import { type MigratedCounts, noneMigrated } from "./legacy-fields.js";
import { formatLocalTimestamp } from "./local-timestamp.js";
import { type Paper, parsePaper } from "./paper.js";
import { claimPaperId } from "./paper-ids.js";
import { safeText } from "./safe-text.js";

/** Largest input parsed in one piece; JSON.parse of a bigger string exhausts V8's string limit. */
export const MAX_INPUT_BYTES = 512 * 1024 * 1024;

/**
 * Deepest nesting of lists and objects accepted in an input file, counted from the top of the file
 * (the `{"papers": [...]}` envelope and a paper are 3 levels). Deeper values are refused before any
 * session exists: JSON.stringify, which writes sessions and the output, overflows the stack at a few
 * thousand levels, and no paper needs more than a handful.
 */
export const MAX_INPUT_DEPTH = 256;

export interface LoadedInput {
  /** Absolute path of the file. */
  file: string;
  sha256: string;
  papers: Paper[];
  /** `collection_metadata` of the collect output, when present (kept for reference, not used). */
  collectionMetadata: unknown;
  /** Non-fatal notes, e.g. exact duplicate papers collapsed, papers without a venue. */
  warnings: string[];
  /** Records made from legacy flat fields (`citations: 73`, `abstract`), over every paper of the file. */
  migrated: MigratedCounts;
}

/** An input file read and hashed, not parsed yet. */
export interface InputFile {
  /** Absolute path of the file. */
  file: string;
  /** The path as the user gave it, for messages. */
  shown: string;
  sha256: string;
  bytes: Buffer;
  /** Modification time: the timestamp of legacy values when neither the paper nor the envelope has one. */
  mtime: Date;
}

/**
 * Read and validate an input file: the `cf collect` envelope `{"papers": [...]}` or a plain list.
 * Every problem is an InputError naming the file, the paper index and the field.
 */
export async function loadInputFile(file: string): Promise<LoadedInput> {
  return parseInputFile(await readInputFile(file));
}

/** Read an input file and hash it; a missing, empty, unreadable or too large file is an InputError. */
export async function readInputFile(file: string): Promise<InputFile> {
  const absolute = path.resolve(file);
  const { bytes, mtime } = await readInputBytes(absolute, file);
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  return { file: absolute, shown: file, sha256, bytes, mtime };
}

/** Parse and validate the papers of a read input file (see loadInputFile). */
export function parseInputFile(input: InputFile): LoadedInput {
  const file = safeText(input.shown);
  const text = decodeInput(input.bytes, file);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    // V8's message quotes the text around the error: raw control characters from the file.
    const detail = safeText(error instanceof Error ? error.message : String(error));
    throw new InputError(`${file}: not valid JSON (${detail})`, {
      hint: "The input must be the JSON written by `cf collect` or a JSON list of papers.",
    });
  }
  checkDepth(data, file);
  const { rawPapers, metadata, where } = unwrap(data, file);
  if (rawPapers.length === 0) {
    throw new InputError(`${file}: ${where} is empty: there are no papers to consolidate`);
  }
  const context = { fallbackTimestamp: envelopeTimestamp(metadata) ?? formatLocalTimestamp(input.mtime) };
  const results = rawPapers.map((raw, index) => {
    // Each raw paper is let go once parsed: a large file's two forms never peak together.
    rawPapers[index] = undefined;
    return parsePaper(raw, index, context);
  });
  const problems: string[] = [];
  results.forEach((result, index) => {
    if (result.ok) return;
    for (const issue of result.issues) {
      const field = issue.path === "" ? "" : `.${issue.path}`;
      problems.push(`${where}[${index}]${field} ${issue.message}`);
    }
  });
  if (problems.length > 0) {
    const shown = problems.slice(0, 10).map((p) => `  ${p}`);
    if (problems.length > 10) shown.push(`  … and ${problems.length - 10} more`);
    throw new InputError(`${file}: ${problems.length} invalid field(s):\n${shown.join("\n")}`, {
      hint: "Each paper needs a non-empty `title` and an integer `year`.",
    });
  }
  const parsed = results.flatMap((r) => (r.ok ? [r] : []));
  // Every explicit id is known before any id is generated, so a generated one never takes it.
  const taken = new Set(parsed.flatMap((r) => (r.idGenerated ? [] : [r.paper.paper_id])));
  const papers = parsed.map(({ paper, idGenerated }) => {
    if (idGenerated) paper.paper_id = claimPaperId(paper.paper_id, taken);
    return paper;
  });
  const { unique, collapsed, warnings } = collapseDuplicates(papers, file, where);
  // Counted over the papers kept: an exact duplicate dropped is not migrated twice.
  const migrated = noneMigrated();
  let noVenue = 0;
  parsed.forEach(({ paper, migrated: m }, index) => {
    if (collapsed.has(index)) return;
    migrated.citations += m.citations;
    migrated.abstracts += m.abstracts;
    if (paper.venue.trim() === "") noVenue += 1;
  });
  if (noVenue > 0) {
    const count = noVenue === 1 ? "1 paper has" : `${noVenue} papers have`;
    warnings.push(`${file}: ${count} no venue (kept empty; a missing paper_id becomes {year}_{index})`);
  }
  return {
    file: input.file,
    sha256: input.sha256,
    papers: unique,
    collectionMetadata: metadata,
    warnings,
    migrated,
  };
}

/** `collection_metadata.timestamp` of the collect envelope, when it is a non-empty string. */
function envelopeTimestamp(metadata: unknown): string | undefined {
  if (metadata === null || typeof metadata !== "object") return undefined;
  const timestamp = (metadata as Record<string, unknown>).timestamp;
  return typeof timestamp === "string" && timestamp.trim() !== "" ? timestamp : undefined;
}

async function readInputBytes(absolute: string, given: string): Promise<{ bytes: Buffer; mtime: Date }> {
  const shown = safeText(given);
  try {
    const info = await stat(absolute);
    if (!info.isFile()) throw new InputError(`${shown}: not a regular file`);
    if (info.size === 0) throw new InputError(`${shown}: the file is empty`);
    if (info.size > MAX_INPUT_BYTES) {
      throw new InputError(
        `${shown}: ${(info.size / 1024 / 1024).toFixed(0)} MB is larger than the ${MAX_INPUT_BYTES / 1024 / 1024} MB input limit`,
        { hint: "Split the collection into several files and consolidate each." },
      );
    }
    return { bytes: await readFile(absolute), mtime: info.mtime };
  } catch (error) {
    if (error instanceof InputError) throw error;
    if (isErrnoException(error) && error.code === "ENOENT") {
      throw new InputFileMissingError(`${shown}: no such file`, { hint: "Check the --input path." });
    }
    const detail = isErrnoException(error) ? error.code : String(error);
    throw new InputError(`${shown}: cannot read the file (${detail})`, { cause: error });
  }
}

function unwrap(data: unknown, file: string): { rawPapers: unknown[]; metadata: unknown; where: string } {
  if (Array.isArray(data)) return { rawPapers: data, metadata: undefined, where: "papers" };
  if (data !== null && typeof data === "object") {
    const envelope = data as Record<string, unknown>;
    if (!("papers" in envelope)) {
      throw new InputError(`${file}: the top-level object has no "papers" key`, {
        hint: 'Expected {"collection_metadata": {...}, "papers": [...]} or a plain list of papers.',
      });
    }
    if (!Array.isArray(envelope.papers)) {
      throw new InputError(`${file}: "papers" must be an array, got ${typeName(envelope.papers)}`);
    }
    return { rawPapers: envelope.papers, metadata: envelope.collection_metadata, where: "papers" };
  }
  throw new InputError(`${file}: expected a JSON object with "papers" or a JSON list, got ${typeName(data)}`);
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/**
 * Two papers with one id: identical ones collapse (with a warning), different ones are an error.
 * Content is compared (canonically) only for ids seen twice: most inputs have no duplicates.
 */
function collapseDuplicates(papers: Paper[], file: string, where: string) {
  const firstIndex = new Map<string, number>();
  const canonicalOf = new Map<number, string>();
  const canonical = (index: number) => {
    let text = canonicalOf.get(index);
    if (text === undefined) {
      text = canonicalJson(papers[index]);
      canonicalOf.set(index, text);
    }
    return text;
  };
  const unique: Paper[] = [];
  const collapsed = new Set<number>();
  papers.forEach((paper, index) => {
    const previous = firstIndex.get(paper.paper_id);
    if (previous === undefined) {
      firstIndex.set(paper.paper_id, index);
      unique.push(paper);
      return;
    }
    if (canonical(previous) === canonical(index)) {
      collapsed.add(index);
      return;
    }
    throw new InputError(
      `${file}: ${where}[${index}].paper_id "${safeText(paper.paper_id)}" is also the id of ${where}[${previous}], with different content`,
      { hint: "Give each paper a unique paper_id (or remove paper_id to have one generated)." },
    );
  });
  const warnings =
    collapsed.size > 0
      ? [`${file}: ${collapsed.size} exact duplicate paper(s) appear more than once; each is kept once`]
      : [];
  return { unique, collapsed, warnings };
}

const UTF8_HINT = "cf reads JSON files in UTF-8 (a UTF-8 byte-order mark is fine).";

/**
 * The text of an input file: UTF-8, with or without a byte-order mark (dropped: not part of the
 * data; the sha256 stays that of the bytes). UTF-16 and UTF-32 (by their byte-order mark, or by the
 * NUL bytes of the ASCII character every JSON text starts with) and invalid UTF-8 are InputErrors
 * naming the encoding or the first bad byte.
 */
export function decodeInput(bytes: Uint8Array, file: string): string {
  const wide = wideEncoding(bytes);
  if (wide !== undefined)
    throw new InputError(`${file}: looks like ${wide}; save it as UTF-8`, { hint: UTF8_HINT });
  try {
    // ignoreBOM: false drops a leading UTF-8 byte-order mark.
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const offset = Math.max(0, invalidUtf8Offset(bytes));
    const byte = `0x${(bytes[offset] ?? 0).toString(16).toUpperCase().padStart(2, "0")}`;
    let line = 1;
    for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line += 1;
    throw new InputError(
      `${file}: not valid UTF-8 (byte ${byte} at offset ${offset}, line ${line}); save it as UTF-8`,
      { hint: UTF8_HINT },
    );
  }
}

/** `UTF-16 (little-endian)` and the like, from the first bytes; undefined for UTF-8 (or unknown). */
function wideEncoding(b: Uint8Array): string | undefined {
  const [b0, b1, b2, b3] = [b[0], b[1], b[2], b[3]];
  if (b.length >= 4 && b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) return "UTF-32 (little-endian)";
  if (b.length >= 4 && b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff) return "UTF-32 (big-endian)";
  if (b0 === 0xff && b1 === 0xfe) return "UTF-16 (little-endian)";
  if (b0 === 0xfe && b1 === 0xff) return "UTF-16 (big-endian)";
  // No byte-order mark: JSON starts with an ASCII character, so NUL bytes around it tell the width.
  if (b.length >= 4 && b0 === 0 && b1 === 0 && b2 === 0 && b3 !== 0) return "UTF-32 (big-endian)";
  if (b.length >= 4 && b0 !== 0 && b1 === 0 && b2 === 0 && b3 === 0) return "UTF-32 (little-endian)";
  if (b.length >= 2 && b0 === 0 && b1 !== 0) return "UTF-16 (big-endian)";
  if (b.length >= 2 && b0 !== 0 && b1 === 0) return "UTF-16 (little-endian)";
  return undefined;
}

/** Offset of the first byte that starts an invalid UTF-8 sequence, or -1 (RFC 3629 rules). */
export function invalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i += 1;
      continue;
    }
    const follow =
      lead >= 0xc2 && lead <= 0xdf
        ? 1
        : lead >= 0xe0 && lead <= 0xef
          ? 2
          : lead >= 0xf0 && lead <= 0xf4
            ? 3
            : 0;
    if (follow === 0) return i;
    // The second byte's range excludes overlong forms, surrogates and code points above U+10FFFF.
    const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    const second = bytes[i + 1];
    if (second === undefined || second < low || second > high) return i;
    for (let k = 2; k <= follow; k++) {
      const next = bytes[i + k];
      if (next === undefined || (next & 0xc0) !== 0x80) return i;
    }
    i += follow + 1;
  }
  return -1;
}

interface DepthFrame {
  value: object;
  /** Keys of an object; undefined for an array. */
  keys: string[] | undefined;
  /** The next child to look at. */
  index: number;
}

/**
 * Refuse lists and objects nested deeper than MAX_INPUT_DEPTH, naming the path (shortened) of the
 * first one. Without recursion: the point is to stop what would overflow the stack later.
 */
export function checkDepth(data: unknown, file: string, limit = MAX_INPUT_DEPTH): void {
  if (data === null || typeof data !== "object") return;
  const frame = (value: object): DepthFrame => ({
    value,
    keys: Array.isArray(value) ? undefined : Object.keys(value),
    index: 0,
  });
  const stack: DepthFrame[] = [frame(data)];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const length = top.keys === undefined ? (top.value as unknown[]).length : top.keys.length;
    if (top.index >= length) {
      stack.pop();
      continue;
    }
    const at = top.index++;
    const child =
      top.keys === undefined
        ? (top.value as unknown[])[at]
        : (top.value as Record<string, unknown>)[top.keys[at]!];
    if (child === null || typeof child !== "object") continue;
    if (stack.length >= limit) {
      const where = depthPath(stack, Array.isArray(data));
      throw new InputError(`${file}: ${where} is nested deeper than ${limit} levels`, {
        hint: `cf accepts lists and objects nested at most ${limit} levels deep, counted from the top of the file.`,
      });
    }
    stack.push(frame(child));
  }
}

/** The path of the innermost frame's current child, `papers[0].x.x.x.x.x.x…x.x.x` when long. */
function depthPath(stack: readonly DepthFrame[], rootIsList: boolean): string {
  const parts = stack.map((f) => (f.keys === undefined ? f.index - 1 : f.keys[f.index - 1]!));
  const piece = (part: string | number, first: boolean) =>
    typeof part === "number" ? `[${part}]` : first ? safeText(part) : `.${safeText(part)}`;
  const join = (list: ReadonlyArray<string | number>, first: boolean) =>
    list.map((part, i) => piece(part, first && i === 0)).join("");
  const root = rootIsList ? "papers" : "";
  if (parts.length <= 12) return root + join(parts, !rootIsList);
  return `${root}${join(parts.slice(0, 8), !rootIsList)}…${join(parts.slice(-3), false)}`;
}
