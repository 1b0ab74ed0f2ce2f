import { z } from "zod";
import { fillPriority } from "../sources/registry.js";
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
