import { z } from "zod";

/**
 * The parts of an OpenAlex work that `cf` selects. Everything is optional and nullable (the 2023
 * and 2025 schemas differ, `select` drops fields, arXiv records have empty lists), and objects are
 * loose so new fields never break parsing.
 */

const text = z.string().nullish();

/** One entry of `locations`, `primary_location` or `best_oa_location`. */
export const locationSchema = z.looseObject({
  pdf_url: text,
  landing_page_url: text,
});

export const institutionSchema = z.looseObject({ display_name: text });

export const authorshipSchema = z.looseObject({
  author: z.looseObject({ display_name: text }).nullish(),
  institutions: z.array(institutionSchema).nullish(),
});

/** `ids`: `mag` was a number in older records and is a string now. */
export const workIdsSchema = z.looseObject({
  openalex: text,
  doi: text,
  pmid: text,
  pmcid: text,
  mag: z.union([z.string(), z.number()]).nullish(),
});

/** A work as returned by `/works/<id>` or inside a list's `results` (only the selected fields). */
export const workSchema = z.looseObject({
  id: text,
  doi: text,
  title: text,
  display_name: text,
  publication_year: z.number().int().nullish(),
  ids: workIdsSchema.nullish(),
  cited_by_count: z.number().int().nonnegative().nullish(),
  // Keys are words (they may contain "." or "$"), values are word positions.
  abstract_inverted_index: z.record(z.string(), z.array(z.number().int().nonnegative())).nullish(),
  authorships: z.array(authorshipSchema).nullish(),
  primary_location: locationSchema.nullish(),
  best_oa_location: locationSchema.nullish(),
  locations: z.array(locationSchema).nullish(),
});

export type OpenAlexWork = z.infer<typeof workSchema>;

/** The envelope of `GET /works?filter=...`. */
export const worksListSchema = z.looseObject({
  meta: z
    .looseObject({
      count: z.number().int().nullish(),
      page: z.number().int().nullish(),
      per_page: z.number().int().nullish(),
    })
    .nullish(),
  results: z.array(workSchema),
});

export type OpenAlexWorksList = z.infer<typeof worksListSchema>;

/** The fields requested with `select=` (top-level only, as the API requires). */
export const WORK_SELECT_FIELDS = [
  "id",
  "doi",
  "title",
  "display_name",
  "publication_year",
  "ids",
  "cited_by_count",
  "abstract_inverted_index",
  "authorships",
  "primary_location",
  "best_oa_location",
  "locations",
] as const;
