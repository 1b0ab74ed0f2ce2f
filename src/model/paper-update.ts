import { z } from "zod";
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

/** Apply an update to its paper; idempotent. */
export function applyPaperUpdate(paper: Paper, update: PaperUpdate): UpdateEffect {
  const effect: UpdateEffect = { recordsAdded: 0, fieldsFilled: 0, affiliationsFilled: 0 };
  effect.recordsAdded = mergeEnrichments(paper, update.records);
  for (const [field, value] of Object.entries(update.fill ?? {})) {
    const key = field as "doi" | "arxiv_id" | "openalex_id";
    if (value && !paper[key]) {
      paper[key] = value;
      effect.fieldsFilled += 1;
    }
  }
  for (const fill of update.affiliations ?? []) {
    const author = paper.authors[fill.index];
    if (!author || author.name !== fill.name || author.affiliations.length > 0) continue;
    if (fill.affiliations.length === 0) continue;
    author.affiliations = [...fill.affiliations];
    const flags = paper.processing_flags;
    const sources = (flags.affiliation_sources ?? {}) as Record<string, string>;
    sources[String(fill.index)] = update.source;
    flags.affiliation_sources = sources;
    effect.affiliationsFilled += 1;
  }
  return effect;
}
