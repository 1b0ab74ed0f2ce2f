import fc from "fast-check";
import type { PaperUpdate } from "../../../src/model/paper-update.js";
import type { EnrichmentRecord, EnrichmentSet, RecordKind } from "../../../src/model/records.js";
import { mulberry32, shuffle } from "../../../src/simulator/prng.js";
import type { JournalPayload } from "../../../src/storage/journal-entries.js";

/** fast-check generators of the property suite: records, updates, journal entries. */

/** Unicode text: graphemes of any script, combining marks, emoji, plus a few tricky fixed strings. */
export const text = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 12 }),
  fc.constantFrom("", " ", "e\u0301", "\u00e9", "ﬁ", "Ａ", "\u200b", "naïve—“quotes”", "😀👍🏽"),
);

/** Object keys as APIs may send them, including names that are special to JavaScript objects. */
const key = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 6 }) },
  { weight: 1, arbitrary: fc.constantFrom("__proto__", "constructor", "toString", "count", "url") },
);

/** Extra keys nested inside record data, as newer API fields would appear. */
const extras = fc.dictionary(
  key,
  fc.jsonValue({ maxDepth: 2, depthSize: "small" }).filter((v) => v !== undefined),
  { maxKeys: 2 },
);

export const LABELS = ["openalex", "semantic_scholar", "semanticscholar", "pmlr"] as const;
const label = fc.constantFrom(...LABELS);
const timestamp = fc.constantFrom("2025-01-01T00:00:00", "2025-06-01T12:30:00.500000", "t");

/** Data of each record kind, small value ranges so that equal records occur often. */
export function dataOf(kind: RecordKind, withExtras: boolean): fc.Arbitrary<Record<string, unknown>> {
  const base = {
    citations: fc.record({ count: fc.nat(3) }),
    abstracts: fc.record({
      text: fc.oneof(text, fc.constantFrom("a", "b")),
      language: fc.constantFrom("en", "fr"),
    }),
    urls: fc.record({ url: fc.constantFrom("https://a/x.pdf", "https://b/ÿ.pdf", "https://a/x.pdf?v=1") }),
    identifiers: fc.record({
      identifier_type: fc.constantFrom("doi", "mag", "s2_paper"),
      identifier_value: fc.constantFrom("1", "2", "10.1/é"),
    }),
  }[kind] as fc.Arbitrary<Record<string, unknown>>;
  if (!withExtras) return base;
  return fc.tuple(base, fc.option(extras, { nil: undefined })).map(([b, e]) => ({ ...(e ?? {}), ...b }));
}

function recordOf(kind: RecordKind, withExtras: boolean, labels: fc.Arbitrary<string> = label) {
  return fc.record({ source: labels, timestamp, original: fc.boolean(), data: dataOf(kind, withExtras) });
}

/** An enrichment set; `withExtras` adds unicode and nested unknown keys inside data. */
export function enrichmentSet(
  withExtras: boolean,
  labels?: fc.Arbitrary<string>,
): fc.Arbitrary<EnrichmentSet> {
  return fc.record(
    {
      citations: fc.array(recordOf("citations", withExtras, labels), { maxLength: 3 }),
      abstracts: fc.array(recordOf("abstracts", withExtras, labels), { maxLength: 3 }),
      urls: fc.array(recordOf("urls", withExtras, labels), { maxLength: 3 }),
      identifiers: fc.array(recordOf("identifiers", withExtras, labels), { maxLength: 3 }),
    },
    { requiredKeys: [] },
  ) as fc.Arbitrary<EnrichmentSet>;
}

/** The same value with the keys of every object in another order (a seeded shuffle). */
export function permuteKeys<T>(value: T, seed: number): T {
  const random = mulberry32(seed);
  const visit = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(visit);
    if (v === null || typeof v !== "object") return v;
    const out: Record<string, unknown> = Object.create(null);
    for (const k of shuffle(random, Object.keys(v))) out[k] = visit((v as Record<string, unknown>)[k]);
    return Object.setPrototypeOf(out, Object.prototype);
  };
  return visit(value) as T;
}

/** A record as another run would fetch it again: other timestamp, other `original`, keys reordered. */
export function refetched<R extends EnrichmentRecord>(record: R, seed: number): R {
  return {
    ...record,
    timestamp: "2030-01-01T00:00:00",
    original: !record.original,
    data: permuteKeys(record.data, seed),
  };
}

const SOURCES = ["openalex", "semantic_scholar"] as const;
const AT = "2026-01-01T00:00:00.000Z";

/** An update of one paper as a source client produces it (records valid for the journal schema). */
function update(paperIds: readonly string[]): fc.Arbitrary<PaperUpdate> {
  return fc.record(
    {
      paper_id: fc.constantFrom(...paperIds, "not-in-session"),
      source: fc.constantFrom(...SOURCES),
      records: enrichmentSet(false, fc.constantFrom(...SOURCES)),
      fill: fc.record(
        {
          doi: fc.constantFrom("10.1/a", "10.1/b"),
          arxiv_id: fc.constantFrom("2101.00001"),
          openalex_id: fc.constantFrom("https://openalex.org/W1", "https://openalex.org/W2"),
        },
        { requiredKeys: [] },
      ),
      affiliations: fc.array(
        fc.record({
          index: fc.nat(2),
          name: fc.constantFrom("Ada Quill", "Author 0", "Author 1", "Nobody"),
          affiliations: fc.array(fc.constantFrom("Mila", "MIT", "ETH Zürich"), { maxLength: 2 }),
        }),
        { maxLength: 2 },
      ),
    },
    { requiredKeys: ["paper_id", "source", "records"] },
  ) as fc.Arbitrary<PaperUpdate>;
}

/** A journal payload: mostly completed batches, sometimes a source status change. */
export function journalPayload(paperIds: readonly string[]): fc.Arbitrary<JournalPayload> {
  const outcome = fc.constantFrom("matched", "not_found", "failed") as fc.Arbitrary<
    "matched" | "not_found" | "failed"
  >;
  const batch = fc
    .record({
      source: fc.constantFrom(...SOURCES),
      api_calls: fc.nat(4),
      outcomes: fc.dictionary(fc.constantFrom(...paperIds, "not-in-session"), outcome, { maxKeys: 4 }),
      updates: fc.array(update(paperIds), { maxLength: 3 }),
      message: fc.constantFrom("HTTP 503", "timed out after 1000 ms", "ünïcode error"),
    })
    .map(({ message, ...b }): JournalPayload => {
      const failed = Object.keys(b.outcomes).filter((id) => b.outcomes[id] === "failed");
      const errors = Object.fromEntries(failed.map((id) => [id, `${message} (${id})`]));
      return { type: "batch", at: AT, ...b, ...(failed.length > 0 ? { errors } : {}) };
    });
  const status = fc.record({
    type: fc.constant("source_status" as const),
    source: fc.constantFrom(...SOURCES),
    at: fc.constant(AT),
    status: fc.constantFrom(
      "pending",
      "in_progress",
      "completed",
      "failed",
      "budget_exhausted",
      "unreachable",
    ) as fc.Arbitrary<
      "pending" | "in_progress" | "completed" | "failed" | "budget_exhausted" | "unreachable"
    >,
    last_error: fc.option(fc.constantFrom("HTTP 401: check the API key", "3 paper(s) failed"), { nil: null }),
    resets_at: fc.option(fc.constant("2026-01-02T00:00:00.000Z"), { nil: null }),
  });
  return fc.oneof({ weight: 5, arbitrary: batch }, { weight: 1, arbitrary: status });
}
