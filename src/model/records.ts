import { z } from "zod";
import { normalizeSourceLabel } from "../sources/registry.js";

/**
 * Enrichment records: `{source, timestamp, original, data}` in four lists on a paper
 * (reference-behaviour §1.2, §2.1). Extra keys inside a record or its data are kept.
 */

export const RECORD_KINDS = ["citations", "abstracts", "urls", "identifiers"] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/** The source names (and legacy labels, read as the names they stand for) come from the registry. */
export { normalizeSourceLabel, SOURCE_NAMES, type SourceName } from "../sources/registry.js";

const sourceLabel = z.string().min(1).transform(normalizeSourceLabel);

function recordSchema<D extends z.ZodType>(data: D) {
  return z.looseObject({
    source: sourceLabel,
    timestamp: z.string().min(1),
    original: z.preprocess((v) => v ?? false, z.boolean()),
    data,
  });
}

export const citationDataSchema = z.looseObject({ count: z.number().int().nonnegative() });
export const abstractDataSchema = z.looseObject({
  text: z.string(),
  language: z.preprocess((v) => v ?? "en", z.string()),
});
export const urlDataSchema = z.looseObject({ url: z.string().min(1) });
export const identifierDataSchema = z.looseObject({
  identifier_type: z.string().min(1),
  identifier_value: z.string().min(1),
});

export const recordSchemas = {
  citations: recordSchema(citationDataSchema),
  abstracts: recordSchema(abstractDataSchema),
  urls: recordSchema(urlDataSchema),
  identifiers: recordSchema(identifierDataSchema),
} as const;

export type CitationRecord = z.infer<(typeof recordSchemas)["citations"]>;
export type AbstractRecord = z.infer<(typeof recordSchemas)["abstracts"]>;
export type UrlRecord = z.infer<(typeof recordSchemas)["urls"]>;
export type IdentifierRecord = z.infer<(typeof recordSchemas)["identifiers"]>;

export interface RecordsByKind {
  citations: CitationRecord;
  abstracts: AbstractRecord;
  urls: UrlRecord;
  identifiers: IdentifierRecord;
}

export type EnrichmentRecord = RecordsByKind[RecordKind];

/** New records for one paper, grouped by list, as a source produces them. */
export type EnrichmentSet = { [K in RecordKind]?: RecordsByKind[K][] };

/** Schema of an EnrichmentSet as stored in the journal. */
export const enrichmentSetSchema = z.object({
  citations: z.array(recordSchemas.citations).optional(),
  abstracts: z.array(recordSchemas.abstracts).optional(),
  urls: z.array(recordSchemas.urls).optional(),
  identifiers: z.array(recordSchemas.identifiers).optional(),
});
