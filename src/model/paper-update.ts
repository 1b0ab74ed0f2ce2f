import { z } from "zod";
import { fillPriority, sourceRank } from "../sources/registry.js";
import { mergeEnrichments } from "./merge.js";
import type { Paper } from "./paper.js";
import { enrichmentSetSchema } from "./records.js";

/**
 * Everything one source learned about one paper, in a form that can be applied any number of times
 * with the same result: records are merged (de-duplicated), scalar ids and author affiliations are
 * filled only where empty. The journal stores these, so replaying it is idempotent.
 */
export const paperUpdateSchema = z.object({
  paper_id: z.string().min(1),
  source: z.string().min(1),
  records: enrichmentSetSchema,
  /** Scalar fields filled only when empty on the paper (never overwritten). */
  fill: z
    .object({
      doi: z.string().min(1).optional(),
      arxiv_id: z.string().min(1).optional(),
      openalex_id: z.string().min(1).optional(),
    })
    .optional(),
  /** Affiliations for authors (by position and name) whose own list is empty. */
  affiliations: z
    .array(
      z.object({
        index: z.number().int().nonnegative(),
        name: z.string(),
        affiliations: z.array(z.string()),
      }),
    )
    .optional(),
});

export type PaperUpdate = z.infer<typeof paperUpdateSchema>;

export interface UpdateEffect {
  recordsAdded: number;
  fieldsFilled: number;
  affiliationsFilled: number;
}

/**
 * Which source wins when two fill the same empty field: the result must not depend on which
 * answer arrived first (resumed runs must equal uninterrupted ones). Values present in the input
 * (no entry in processing_flags) are never replaced.
 */
function outranks(source: string, previous: string | undefined): boolean {
  if (previous === undefined) return false;
  return fillPriority(source) > fillPriority(previous);
}

const FLAG_KEYS = ["affiliation_sources", "field_sources"] as const;

/** Record who filled `key` in processing_flags[flag], keeping key order fixed (stable output bytes). */
function setFlag(paper: Paper, flag: (typeof FLAG_KEYS)[number], key: string, source: string): void {
  const flags = paper.processing_flags;
  const current = flags[flag];
  const map: Record<string, string> =
    current && typeof current === "object" && !Array.isArray(current)
      ? { ...(current as Record<string, string>) }
      : {};
  map[key] = source;
  flags[flag] = Object.fromEntries(Object.entries(map).sort(([a], [b]) => a.localeCompare(b)));
  for (const name of FLAG_KEYS) {
    if (!(name in flags)) continue;
    const value = flags[name];
    delete flags[name];
    flags[name] = value;
  }
}

function filledBy(paper: Paper, flag: (typeof FLAG_KEYS)[number], key: string): string | undefined {
  const map = paper.processing_flags[flag];
  return map && typeof map === "object" ? (map as Record<string, string>)[key] : undefined;
}

/** Apply an update to its paper; idempotent, and independent of the order updates arrive in. */
export function applyPaperUpdate(paper: Paper, update: PaperUpdate): UpdateEffect {
  const effect: UpdateEffect = { recordsAdded: 0, fieldsFilled: 0, affiliationsFilled: 0 };
  effect.recordsAdded = mergeEnrichments(paper, update.records);
  for (const [field, value] of Object.entries(update.fill ?? {})) {
    const key = field as "doi" | "arxiv_id" | "openalex_id";
    if (!value) continue;
    const by = filledBy(paper, "field_sources", key);
    const empty = !paper[key];
    if (!empty && !outranks(update.source, by)) continue;
    if (paper[key] !== value) effect.fieldsFilled += 1;
    paper[key] = value;
    setFlag(paper, "field_sources", key, update.source);
  }
  for (const fill of update.affiliations ?? []) {
    const author = paper.authors[fill.index];
    if (!author || author.name !== fill.name || fill.affiliations.length === 0) continue;
    const by = filledBy(paper, "affiliation_sources", String(fill.index));
    if (author.affiliations.length > 0 && !outranks(update.source, by)) continue;
    if (author.affiliations.join("\u0000") !== fill.affiliations.join("\u0000"))
      effect.affiliationsFilled += 1;
    author.affiliations = [...fill.affiliations];
    setFlag(paper, "affiliation_sources", String(fill.index), update.source);
  }
  return effect;
}

/**
 * The paper as the input gave it, for lookups: ids and author affiliations that a source filled in
 * are blanked again, so what a source asks for and the fills it proposes never depend on which other
 * answer arrived first (or in an earlier run). Authors are copied: later fills on the real paper
 * (which replace an author's list) do not show through.
 */
export function inputView(paper: Paper): Paper {
  const view = { ...paper };
  const filled = paper.processing_flags.field_sources;
  if (filled && typeof filled === "object") {
    for (const field of Object.keys(filled)) {
      if (field === "doi") view.doi = "";
      else if (field === "arxiv_id" || field === "openalex_id") view[field] = null;
    }
  }
  const byAuthor = paper.processing_flags.affiliation_sources;
  const filledAuthors = byAuthor && typeof byAuthor === "object" ? Object.keys(byAuthor) : [];
  view.authors = paper.authors.map((author, i) =>
    filledAuthors.includes(String(i)) ? { ...author, affiliations: [] } : { ...author },
  );
  return view;
}

/** The id fields a lookup can use, and the identifier record type that carries each. */
const LOOKUP_IDS = [
  ["doi", "doi"],
  ["arxiv_id", "arxiv"],
] as const;
type LookupId = (typeof LOOKUP_IDS)[number][0];

/**
 * The paper as `source` looks it up: its input view, plus, when the input gave it neither DOI nor
 * arXiv id, the ones other sources' identifier records give it (so that a paper Semantic Scholar
 * identified costs OpenAlex a free lookup by id, not a paid search). The records, not the filled
 * fields, are read: they do not depend on which source's fill won, nor on ids an earlier cf run
 * filled into the input. Among several, the earliest source's (registry order), then the smallest
 * value: the same view whatever order answers came in. The view's `field_sources` names the source
 * of each borrowed id (see `borrowedIds`); it is a copy, so later fills do not show through.
 */
export function lookupView(paper: Paper, source: string): Paper {
  const view = inputView(paper);
  if (view.doi || view.arxiv_id) return view;
  const found = new Map<LookupId, { value: string; from: string; rank: number }>();
  for (const record of paper.identifiers ?? []) {
    if (record.source === source || record.original) continue;
    const field = LOOKUP_IDS.find(([, type]) => type === record.data.identifier_type)?.[0];
    const value = record.data.identifier_value.trim();
    if (!field || value === "") continue;
    const rank = sourceRank(record.source);
    const best = found.get(field);
    if (rank === 0 || (best && (best.rank < rank || (best.rank === rank && best.value <= value)))) continue;
    found.set(field, { value, from: record.source, rank });
  }
  if (found.size === 0) return view;
  const filled = view.processing_flags.field_sources;
  const by: Record<string, unknown> = filled && typeof filled === "object" ? { ...filled } : {};
  for (const [field, { value, from }] of found) {
    view[field] = value;
    by[field] = from;
  }
  view.processing_flags = { ...view.processing_flags, field_sources: by };
  return view;
}

/**
 * The ids of a lookup view that another source found rather than the input (`lookupView`): an
 * answer found by one of them must still be checked against the paper's title and year.
 */
export function borrowedIds(view: Paper): LookupId[] {
  const filled = view.processing_flags.field_sources;
  if (!filled || typeof filled !== "object") return [];
  return LOOKUP_IDS.map(([field]) => field).filter((field) => field in filled && !!view[field]);
}
