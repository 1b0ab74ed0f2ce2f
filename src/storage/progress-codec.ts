import { SessionCorruptError } from "../errors.js";
import type { SourceName } from "../model/records.js";
import { InputHashColumn, OUTCOME_CHARS, OutcomeColumn, type PaperPositions } from "./paper-columns.js";
import type { PaperOutcome, ProgressFile } from "./session-files.js";

/**
 * progress.json to and from a session's per-paper columns. cf writes one code per paper in
 * `paper_ids` order; files of earlier versions (objects keyed by paper id) are still read.
 */

/** What progress.json holds for a session's columns. */
export interface ProgressColumns {
  outcomes: ReadonlyMap<SourceName, OutcomeColumn>;
  inputHashes: InputHashColumn;
  errors: ReadonlyMap<SourceName, ReadonlyMap<string, string>>;
  paperIds: readonly string[];
  /** The byte length of each paper's line in the papers file of the same generation. */
  lineLengths: readonly number[];
}

/** progress.json's content for the columns now (written at each snapshot). */
export function progressFileOf(
  columns: ProgressColumns,
  generation: number,
  journalSeq: number,
): ProgressFile {
  const size = columns.paperIds.length;
  const hashes = columns.inputHashes.toCodes(size);
  return {
    generation,
    journal_seq: journalSeq,
    outcome_codes: Object.fromEntries(
      [...columns.outcomes].map(([source, column]) => [source, column.toCodes(size)]),
    ),
    errors: Object.fromEntries([...columns.errors].map(([source, map]) => [source, Object.fromEntries(map)])),
    input_hash_codes: hashes.codes,
    input_hashes: hashes.other,
    paper_ids: [...columns.paperIds],
    line_lengths: [...columns.lineLengths],
  };
}

/**
 * The columns progress.json gives for papers at `positions`. The codes are by `paper_ids`
 * position: read as they are when the session's papers are in that order (the usual case), else
 * paper by paper. Throws SessionCorruptError naming the file and key for a code of another form.
 */
export function columnsOf(
  progress: ProgressFile,
  positions: PaperPositions,
  file: string,
): { outcomes: Map<SourceName, OutcomeColumn>; inputHashes: InputHashColumn } {
  const listed = progress.paper_ids ?? [];
  const inOrder = sameOrder(listed, positions.ids());
  const corrupt = (key: string, error: unknown) =>
    new SessionCorruptError(file, `${file}: ${key}: ${(error as Error).message}`);
  const outcomes = new Map<SourceName, OutcomeColumn>();
  for (const [source, codes] of Object.entries(progress.outcome_codes ?? {})) {
    if (codes === undefined) continue;
    let read: OutcomeColumn;
    try {
      read = OutcomeColumn.fromCodes(inOrder ? positions : listedOrder(listed), codes);
    } catch (error) {
      throw corrupt(`outcome_codes.${source}`, error);
    }
    outcomes.set(source as SourceName, inOrder ? read : reindexed(new OutcomeColumn(positions), read));
  }
  for (const [source, byId] of Object.entries(progress.sources ?? {})) {
    const column = outcomes.get(source as SourceName) ?? new OutcomeColumn(positions);
    // for…in, not Object.entries: no array of pairs for objects of 100,000 keys.
    for (const paperId in byId) column.set(paperId, byId[paperId] as PaperOutcome);
    outcomes.set(source as SourceName, column);
  }
  let inputHashes = new InputHashColumn(positions);
  if (progress.input_hash_codes !== undefined) {
    let read: InputHashColumn;
    try {
      read = InputHashColumn.fromCodes(inOrder ? positions : listedOrder(listed), progress.input_hash_codes);
    } catch (error) {
      throw corrupt("input_hash_codes", error);
    }
    inputHashes = inOrder ? read : reindexed(inputHashes, read);
  }
  for (const paperId in progress.input_hashes) {
    inputHashes.set(paperId, progress.input_hashes[paperId] as string);
  }
  return { outcomes, inputHashes };
}

/** Per source, the papers whose lookup failed, in progress.json's order. */
export function failedPaperIds(progress: ProgressFile): Map<SourceName, string[]> {
  const failed = new Map<SourceName, string[]>();
  const listed = progress.paper_ids ?? [];
  const failedCode = OUTCOME_CHARS[3] as string;
  for (const [source, codes = ""] of Object.entries(progress.outcome_codes ?? {})) {
    const ids: string[] = [];
    for (let index = codes.indexOf(failedCode); index !== -1; index = codes.indexOf(failedCode, index + 1))
      if (listed[index] !== undefined) ids.push(listed[index] as string);
    failed.set(source as SourceName, ids);
  }
  for (const [source, byId] of Object.entries(progress.sources ?? {})) {
    const ids = failed.get(source as SourceName) ?? [];
    const listedFailed = new Set(ids);
    for (const paperId in byId)
      if (byId[paperId] === "failed" && !listedFailed.has(paperId)) ids.push(paperId);
    failed.set(source as SourceName, ids);
  }
  return failed;
}

function sameOrder(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}

/** Positions of the ids as progress.json lists them. */
function listedOrder(ids: readonly string[]): PaperPositions {
  let index: Map<string, number> | undefined;
  return {
    ids: () => ids,
    positionOf: (paperId) => {
      index ??= new Map(ids.map((id, position) => [id, position]));
      return index.get(paperId);
    },
  };
}

/** `into`, given every entry of `from` (a column over other positions) by paper id. */
function reindexed<C extends Map<string, V>, V>(into: C, from: Map<string, V>): C {
  for (const [paperId, value] of from) into.set(paperId, value);
  return into;
}
