import { z } from "zod";
import { RECORD_KINDS, type RecordsByKind, recordSchemas } from "./records.js";

/**
 * The paper model of `cf collect` output (reference-behaviour §1.2), parsed leniently the way the
 * Python tool did (nulls become defaults, string authors become objects), except that unknown keys
 * are kept and written back unchanged instead of being fatal.
 */

const nullTo =
  <T>(fallback: () => T) =>
  (value: unknown) =>
    value ?? fallback();

const stringOrNull = z
  .string()
  .nullable()
  .optional()
  .transform((v) => v ?? null);
const numberOrNull = z
  .number()
  .nullable()
  .optional()
  .transform((v) => v ?? null);
const objectOrNull = z
  .record(z.string(), z.unknown())
  .nullable()
  .optional()
  .transform((v) => v ?? null);
const stringDefault = (fallback: string) =>
  z.preprocess(
    nullTo(() => fallback),
    z.string(),
  );

export const authorSchema = z.preprocess(
  (value) => {
    if (typeof value === "string") return { name: value, affiliations: [], email: "" };
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      const author = { ...(value as Record<string, unknown>) };
      // Legacy singular `affiliation` becomes the list when the list is absent.
      if (!("affiliations" in author) && "affiliation" in author) {
        const legacy = author.affiliation;
        delete author.affiliation;
        author.affiliations = typeof legacy === "string" && legacy !== "" ? [legacy] : [];
      }
      return author;
    }
    return value;
  },
  z.looseObject({
    name: z.string(),
    affiliations: z.preprocess(
      nullTo(() => []),
      z.array(z.string()),
    ),
    email: stringDefault(""),
  }),
);

export type Author = z.infer<typeof authorSchema>;

/** A record list: `null`, `0`, `""` and `false` (falsy, as the Python tool read them) become `[]`. */
function recordList<K extends keyof RecordsByKind>(kind: K) {
  return z.preprocess((v) => (v ? v : []), z.array(recordSchemas[kind]));
}

// Checked without trimming: the value is written back exactly as given.
const nonBlank = z.string().refine((s) => s.trim() !== "", "must not be empty");

const year = z.preprocess(
  (v) => (typeof v === "string" && /^\s*\d{4}\s*$/.test(v) ? Number(v) : v),
  z.number().int().min(1000).max(9999),
);

/** Known fields, in the serialisation order of reference §1.2. */
const knownFields = {
  title: nonBlank,
  authors: z.preprocess(
    nullTo(() => []),
    z.array(authorSchema),
  ),
  venue: nonBlank,
  year,
  citations: recordList("citations"),
  abstracts: recordList("abstracts"),
  doi: stringDefault(""),
  urls: recordList("urls"),
  identifiers: recordList("identifiers"),
  paper_id: stringOrNull,
  openalex_id: stringOrNull,
  arxiv_id: stringOrNull,
  normalized_venue: stringOrNull,
  keywords: z.preprocess(
    nullTo(() => []),
    z.array(z.string()),
  ),
  citation_velocity: numberOrNull,
  collection_source: stringDefault(""),
  // The Python tool defaulted a missing timestamp to "now"; we keep it null so output is reproducible.
  collection_timestamp: stringOrNull,
  processing_flags: z.preprocess(
    nullTo(() => ({})),
    z.record(z.string(), z.unknown()),
  ),
  venue_confidence: z.preprocess(
    nullTo(() => 1),
    z.number(),
  ),
  deduplication_confidence: z.preprocess(
    nullTo(() => 1),
    z.number(),
  ),
  breakthrough_score: numberOrNull,
  computational_analysis: objectOrNull,
  authorship_analysis: objectOrNull,
  venue_analysis: objectOrNull,
  source: stringDefault(""),
  mila_domain: stringDefault(""),
  collection_method: stringDefault(""),
  selection_rank: numberOrNull,
  benchmark_type: stringDefault(""),
};

export const KNOWN_PAPER_FIELDS = Object.keys(knownFields);

export const paperSchema = z.looseObject(knownFields);

/** A paper after parsing: known fields typed, unknown keys carried along untouched. */
export type Paper = z.infer<typeof paperSchema> & { paper_id: string };

/** Put known fields first in reference order, then unknown keys in their original order. */
export function orderPaperFields(paper: Record<string, unknown>): Record<string, unknown> {
  const ordered: Record<string, unknown> = {};
  for (const key of KNOWN_PAPER_FIELDS) ordered[key] = paper[key];
  for (const [key, value] of Object.entries(paper)) {
    if (!(key in ordered)) ordered[key] = value;
  }
  return ordered;
}

/** `{venue}_{year}_{index:04d}`, the id the Python loader gave papers without one. */
export function generatedPaperId(venue: string, paperYear: number, index: number): string {
  return `${venue}_${paperYear}_${String(index).padStart(4, "0")}`;
}

export type PaperParseResult = { ok: true; paper: Paper } | { ok: false; issues: PaperIssue[] };

export interface PaperIssue {
  /** JSON path inside the paper, e.g. `authors[1].name`. Empty for the paper itself. */
  path: string;
  message: string;
}

/** Parse one raw paper; `index` is its 0-based position, used for a generated `paper_id`. */
export function parsePaper(raw: unknown, index: number): PaperParseResult {
  const result = paperSchema.safeParse(raw);
  if (!result.success) {
    return {
      ok: false,
      issues: result.error.issues.map((issue) => ({
        path: formatPath(issue.path),
        message: describeIssue(issue, raw),
      })),
    };
  }
  const data = result.data;
  const paperId =
    data.paper_id && data.paper_id.trim() !== ""
      ? data.paper_id
      : generatedPaperId(data.venue, data.year, index);
  const paper = orderPaperFields({ ...data, paper_id: paperId }) as Paper;
  return { ok: true, paper };
}

/** `["authors", 1, "name"]` → `authors[1].name`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const value = valueAt(raw, issue.path);
  if (value === undefined && issue.code === "invalid_type") return "is required but missing";
  if (issue.code === "invalid_type") return `must be ${issue.expected}, got ${describeValue(value)}`;
  return `${issue.message} (got ${describeValue(value)})`;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = raw;
  for (const part of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string")
    return value.length > 40 ? `a string "${value.slice(0, 40)}…"` : `"${value}"`;
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

/** Record kinds in paper order, re-exported for callers iterating a paper's lists. */
export const PAPER_RECORD_KINDS = RECORD_KINDS;
