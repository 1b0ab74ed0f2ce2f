import { describeValue, type PaperIssue } from "./paper-issue.js";
import { type AbstractRecord, normalizeSourceLabel } from "./records.js";

/**
 * Flat fields of papers collected by earlier collectors (`"citations": 73`, `"abstract": "..."`),
 * migrated into `original: true` records before the paper schema sees them, so nothing they hold is
 * lost and the output is in the current format (where an `abstract` key is not allowed).
 */

export interface LegacyContext {
  /**
   * Timestamp of migrated records for papers without a `collection_timestamp`: the envelope's
   * `collection_metadata.timestamp`, else the input file's modification time. Without it, such a
   * paper's legacy values are an error (snapshots, the other caller, never hold legacy values).
   */
  fallbackTimestamp?: string | undefined;
}

/** Records created from legacy fields (per paper: 0 or 1 each; summed per file). */
export interface MigratedCounts {
  citations: number;
  abstracts: number;
}

export interface LegacyMigration {
  /** The paper with its legacy fields replaced: a shallow copy, or `raw` itself when it had none. */
  paper: unknown;
  migrated: MigratedCounts;
  issues: PaperIssue[];
}

/** Source of a migrated record when the paper names none. */
export const UNKNOWN_LEGACY_SOURCE = "collection";

export function noneMigrated(): MigratedCounts {
  return { citations: 0, abstracts: 0 };
}

export function migrateLegacyFields(raw: unknown, context: LegacyContext = {}): LegacyMigration {
  if (!isObject(raw) || !hasLegacyFields(raw)) return { paper: raw, migrated: noneMigrated(), issues: [] };
  const paper = { ...raw };
  const migrated = noneMigrated();
  const issues: PaperIssue[] = [];
  const stamp = () => recordStamp(paper, context);

  if (isLegacyCount(paper.citations)) {
    const count = parseCount(paper.citations);
    const at = stamp();
    if (count === undefined) {
      issues.push({
        path: "citations",
        message: `must be a list of citation records or a whole number of citations (legacy count), got ${describeValue(paper.citations)}`,
      });
    } else if (count > 0 && at === undefined) {
      issues.push({ path: "citations", message: MISSING_TIMESTAMP });
    }
    const keep = count !== undefined && count > 0 && at !== undefined;
    if (keep) migrated.citations = 1;
    // An error above is the message: the schema must not report the legacy value a second time.
    paper.citations = keep ? [{ ...at, original: true, data: { count } }] : [];
  }

  if (Object.hasOwn(paper, "abstract")) {
    const text = paper.abstract;
    delete paper.abstract;
    const at = stamp();
    if (text !== null && text !== undefined && typeof text !== "string") {
      issues.push({
        path: "abstract",
        message: `must be a string (legacy abstract), got ${describeValue(text)}`,
      });
    } else if (typeof text === "string" && text.trim() !== "") {
      if (at === undefined) issues.push({ path: "abstract", message: MISSING_TIMESTAMP });
      else if (appendAbstract(paper, { ...at, original: true, data: { text, language: "en" } })) {
        migrated.abstracts = 1;
      }
    }
  }
  return { paper, migrated, issues };
}

const MISSING_TIMESTAMP =
  "is a legacy value, which needs the paper's collection_timestamp (missing) to become a record";

function hasLegacyFields(paper: Record<string, unknown>): boolean {
  return isLegacyCount(paper.citations) || Object.hasOwn(paper, "abstract");
}

/** A number, or a non-empty string (`""` is falsy: the Python tool read it as no records). */
function isLegacyCount(value: unknown): value is number | string {
  return typeof value === "number" || (typeof value === "string" && value !== "");
}

function parseCount(value: number | string): number | undefined {
  const n = typeof value === "number" ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** `{source, timestamp}` of a migrated record; undefined when no timestamp is known. */
function recordStamp(
  paper: Record<string, unknown>,
  context: LegacyContext,
): { source: string; timestamp: string } | undefined {
  const timestamp = nonBlank(paper.collection_timestamp) ?? nonBlank(context.fallbackTimestamp);
  if (timestamp === undefined) return undefined;
  const label = nonBlank(paper.source) ?? nonBlank(paper.collection_source);
  return { source: label ? normalizeSourceLabel(label.trim()) : UNKNOWN_LEGACY_SOURCE, timestamp };
}

/**
 * Append to the paper's `abstracts` unless a record already has this text. A non-list `abstracts`
 * is left for the schema to report. True when appended.
 */
function appendAbstract(paper: Record<string, unknown>, record: AbstractRecord): boolean {
  const list = paper.abstracts;
  if (list && !Array.isArray(list)) return false;
  const existing: unknown[] = Array.isArray(list) ? list : [];
  const sameText = existing.some((r) => isObject(r) && isObject(r.data) && r.data.text === record.data.text);
  if (sameText) return false;
  paper.abstracts = [...existing, record];
  return true;
}

function nonBlank(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** `804 legacy citation counts and 569 abstracts kept as original records`; undefined when none. */
export function describeMigration(migrated: MigratedCounts): string | undefined {
  const { citations, abstracts } = migrated;
  if (citations === 0 && abstracts === 0) return undefined;
  const counts = `${citations} legacy citation count${citations === 1 ? "" : "s"}`;
  return `${counts} and ${abstracts} abstract${abstracts === 1 ? "" : "s"} kept as original records`;
}
