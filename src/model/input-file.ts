import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { InputError, isErrnoException } from "../errors.js";
import { canonicalJson } from "./canonical-json.js";
import { type MigratedCounts, noneMigrated } from "./legacy-fields.js";
import { formatLocalTimestamp } from "./local-timestamp.js";
import { type Paper, parsePaper } from "./paper.js";
import { claimPaperId } from "./paper-ids.js";

/** Largest input parsed in one piece; JSON.parse of a bigger string exhausts V8's string limit. */
export const MAX_INPUT_BYTES = 512 * 1024 * 1024;

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
  const file = input.shown;
  let data: unknown;
  try {
    data = JSON.parse(input.bytes.toString("utf8"));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new InputError(`${file}: not valid JSON (${detail})`, {
      hint: "The input must be the JSON written by `cf collect` or a JSON list of papers.",
    });
  }
  const { rawPapers, metadata, where } = unwrap(data, file);
  if (rawPapers.length === 0) {
    throw new InputError(`${file}: ${where} is empty: there are no papers to consolidate`);
  }
  const context = { fallbackTimestamp: envelopeTimestamp(metadata) ?? formatLocalTimestamp(input.mtime) };
  const results = rawPapers.map((raw, index) => parsePaper(raw, index, context));
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
  const migrated = noneMigrated();
  let noVenue = 0;
  const papers = parsed.map(({ paper, idGenerated, migrated: m }) => {
    if (idGenerated) paper.paper_id = claimPaperId(paper.paper_id, taken);
    migrated.citations += m.citations;
    migrated.abstracts += m.abstracts;
    if (paper.venue.trim() === "") noVenue += 1;
    return paper;
  });
  const { unique, warnings } = collapseDuplicates(papers, file, where);
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

async function readInputBytes(absolute: string, shown: string): Promise<{ bytes: Buffer; mtime: Date }> {
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
      throw new InputError(`${shown}: no such file`, { hint: "Check the --input path." });
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
  let collapsed = 0;
  papers.forEach((paper, index) => {
    const previous = firstIndex.get(paper.paper_id);
    if (previous === undefined) {
      firstIndex.set(paper.paper_id, index);
      unique.push(paper);
      return;
    }
    if (canonical(previous) === canonical(index)) {
      collapsed += 1;
      return;
    }
    throw new InputError(
      `${file}: ${where}[${index}].paper_id "${paper.paper_id}" is also the id of ${where}[${previous}], with different content`,
      { hint: "Give each paper a unique paper_id (or remove paper_id to have one generated)." },
    );
  });
  const warnings =
    collapsed > 0
      ? [`${file}: ${collapsed} exact duplicate paper(s) appear more than once; each is kept once`]
      : [];
  return { unique, warnings };
}
