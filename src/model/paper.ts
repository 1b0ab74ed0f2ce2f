import { z } from "zod";
import { type LegacyContext, type MigratedCounts, migrateLegacyFields } from "./legacy-fields.js";
import { generatedPaperId, isBlankPaperId } from "./paper-ids.js";
import { type PaperIssue, toPaperIssue } from "./paper-issue.js";
import { RECORD_KINDS, type RecordsByKind, recordSchemas } from "./records.js";

export { generatedPaperId } from "./paper-ids.js";
export { formatPath, type PaperIssue } from "./paper-issue.js";

/**
 * The paper model of `cf collect` output (reference-behaviour §1.2), parsed leniently the way the
 * Python tool did (nulls become defaults, string authors become objects), except that unknown keys
 * are kept and written back unchanged instead of being fatal, legacy flat fields (`citations: 73`,
 * `abstract`) become records (legacy-fields.ts), and an empty venue is allowed (legacy files have them).
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
      // Legacy singular `affiliation` becomes the list when the list is absent: a string (empty or
      // null: none), a list as it is. Anything else stays where it is, an unknown key (never lost).
      if (!("affiliations" in author) && "affiliation" in author) {
        const legacy = author.affiliation;
        if (legacy === null || typeof legacy === "string" || Array.isArray(legacy)) {
          delete author.affiliation;
          author.affiliations = typeof legacy === "string" ? (legacy === "" ? [] : [legacy]) : (legacy ?? []);
        } else author.affiliations = [];
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
  // A null author holds nothing: dropped, as the Python tool dropped it.
  authors: z.preprocess(
    (value) => (Array.isArray(value) ? value.filter((author) => author !== null) : (value ?? [])),
    z.array(authorSchema),
  ),
  // Kept as given ("" for null or missing): legacy collectors left it empty for many papers.
  venue: stringDefault(""),
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

export type PaperParseResult =
  | {
      ok: true;
      paper: Paper;
      /** True when `paper_id` was generated (missing or blank): a file may need to make it unique. */
      idGenerated: boolean;
      /** Records made from legacy flat fields. */
      migrated: MigratedCounts;
    }
  | { ok: false; issues: PaperIssue[] };

/**
 * Parse one raw paper; `index` is its 0-based position, used for a generated `paper_id` (unique
 * within this paper only: parseInputFile makes generated ids unique across the file).
 */
export function parsePaper(raw: unknown, index: number, context: LegacyContext = {}): PaperParseResult {
  const legacy = migrateLegacyFields(raw, context);
  const result = paperSchema.safeParse(legacy.paper);
  if (!result.success || legacy.issues.length > 0) {
    const schemaIssues = result.success ? [] : result.error.issues.map((i) => toPaperIssue(i, legacy.paper));
    return { ok: false, issues: [...schemaIssues, ...legacy.issues] };
  }
  const data = result.data;
  const idGenerated = isBlankPaperId(data.paper_id);
  const paperId = idGenerated ? generatedPaperId(data.venue, data.year, index) : (data.paper_id as string);
  const paper = orderPaperFields({ ...data, paper_id: paperId }) as Paper;
  return { ok: true, paper, idGenerated, migrated: legacy.migrated };
}

/** Record kinds in paper order, re-exported for callers iterating a paper's lists. */
export const PAPER_RECORD_KINDS = RECORD_KINDS;
