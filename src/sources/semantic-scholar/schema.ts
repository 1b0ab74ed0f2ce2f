import { z } from "zod";

/**
 * Zod schemas for the Semantic Scholar Graph API answers cf reads (api-facts B2). Loose on purpose:
 * unknown keys pass, and every field real recordings show as null, "" or missing is nullish.
 */

const idValue = z.union([z.string(), z.number()]).nullish();

/** `externalIds` of a paper: strings, except `CorpusId`, a number. */
export const s2ExternalIdsSchema = z.looseObject({
  DOI: idValue,
  ArXiv: idValue,
  PubMed: idValue,
  ACL: idValue,
  MAG: idValue,
  DBLP: idValue,
  CorpusId: idValue,
});

/** An author as nested in a paper, or from `/author/...` (where `externalIds.DBLP` is a list). */
export const s2AuthorSchema = z.looseObject({
  authorId: z.string().nullish(),
  name: z.string().nullish(),
  affiliations: z.array(z.string()).nullish(),
  externalIds: z.record(z.string(), z.unknown()).nullish(),
});

/** `openAccessPdf`: null (2024), `{url:"", status:null|"CLOSED"}` when there is no PDF (2025), or a URL. */
export const s2OpenAccessPdfSchema = z.looseObject({
  url: z.string().nullish(),
  status: z.string().nullish(),
  license: z.string().nullish(),
});

/** One paper object; only `paperId` is always present (the API adds it to any `fields`). */
export const s2PaperSchema = z.looseObject({
  paperId: z.string().min(1),
  corpusId: z.number().int().nullish(),
  externalIds: s2ExternalIdsSchema.nullish(),
  title: z.string().nullish(),
  year: z.number().int().nullish(),
  venue: z.string().nullish(),
  abstract: z.string().nullish(),
  citationCount: z.number().int().nonnegative().nullish(),
  openAccessPdf: s2OpenAccessPdfSchema.nullish(),
  authors: z.array(s2AuthorSchema).nullish(),
});

/** A `/paper/search/match` candidate: a paper plus the unbounded `matchScore` (not trusted). */
export const s2MatchCandidateSchema = s2PaperSchema.extend({ matchScore: z.number().nullish() });

/** `POST /paper/batch`: one entry per requested id, in request order; `null` for an unknown id. */
export const s2BatchResponseSchema = z.array(s2PaperSchema.nullable());

/** `GET /paper/search/match`: `{data: [candidate]}`. */
export const s2MatchResponseSchema = z.looseObject({ data: z.array(s2MatchCandidateSchema).nullish() });

/** `/paper/search` and `/paper/search/bulk`; an empty result has no `data` key at all. */
export const s2SearchResponseSchema = z.looseObject({
  total: z.number().int().nullish(),
  offset: z.number().int().nullish(),
  next: z.number().int().nullish(),
  token: z.string().nullish(),
  data: z.array(s2PaperSchema).nullish(),
});

/** `/paper/{id}/authors`: a page of authors. */
export const s2AuthorPageSchema = z.looseObject({
  offset: z.number().int().nullish(),
  next: z.number().int().nullish(),
  data: z.array(s2AuthorSchema),
});

/** `POST /author/batch`: like the paper batch, `null` for an unknown id. */
export const s2AuthorBatchResponseSchema = z.array(s2AuthorSchema.nullable());

/** Error bodies: `{"error": "..."}` (400/404) or `{"message": "...", "code": "429"}` (429). */
export const s2ErrorBodySchema = z
  .looseObject({ error: z.string().nullish(), message: z.string().nullish(), code: z.string().nullish() })
  .refine((b) => Boolean(b.error || b.message), "neither error nor message");

export type S2Paper = z.infer<typeof s2PaperSchema>;
export type S2Author = z.infer<typeof s2AuthorSchema>;
export type S2MatchCandidate = z.infer<typeof s2MatchCandidateSchema>;

/** The `error` of a 404 from `/paper/search/match` when nothing matches. */
export const TITLE_MATCH_NOT_FOUND = "Title match not found";
