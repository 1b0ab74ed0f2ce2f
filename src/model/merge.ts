import { canonicalJson } from "./canonical-json.js";
import type { Paper } from "./paper.js";
import { type EnrichmentSet, normalizeSourceLabel, RECORD_KINDS, type RecordKind } from "./records.js";

/**
 * Additive, idempotent merge of enrichment records into a paper (the reference's unused
 * `merge_enrichments`, made to work): a record is appended unless the paper already holds one of the
 * same kind from the same source with deeply equal data (key order ignored). Timestamps and
 * `original` do not count, so a re-fetch on resume adds nothing. Legacy source labels are normalised
 * (a source's older spelling → its name, see the registry's aliases) on the way in.
 */

interface KindIndex {
  keys: Set<string>;
  /** List length the index reflects; if the list changed behind our back, the index is rebuilt. */
  length: number;
}

const indexes = new WeakMap<object, Map<RecordKind, KindIndex>>();

/** Identity of a record for de-duplication: source label plus canonical data. */
export function recordKey(record: { source: string; data: unknown }): string {
  return `${normalizeSourceLabel(record.source)}\u0000${canonicalJson(record.data)}`;
}

function indexFor(paper: Paper, kind: RecordKind): KindIndex {
  let perPaper = indexes.get(paper);
  if (!perPaper) {
    perPaper = new Map();
    indexes.set(paper, perPaper);
  }
  const list = paper[kind] as Array<{ source: string; data: unknown }>;
  let index = perPaper.get(kind);
  if (!index || index.length !== list.length) {
    index = { keys: new Set(list.map(recordKey)), length: list.length };
    perPaper.set(kind, index);
  }
  return index;
}

/**
 * Append each record of `records` to `paper` unless an equal one (same kind, source and data) is
 * already there. Constant time per record after a paper's first merge. Returns how many were added.
 */
export function mergeEnrichments(paper: Paper, records: EnrichmentSet): number {
  let added = 0;
  for (const kind of RECORD_KINDS) {
    const incoming = records[kind];
    if (!incoming || incoming.length === 0) continue;
    const index = indexFor(paper, kind);
    const list = paper[kind] as unknown[];
    for (const record of incoming) {
      const key = recordKey(record);
      if (index.keys.has(key)) continue;
      index.keys.add(key);
      const label = normalizeSourceLabel(record.source);
      list.push(label === record.source ? record : { ...record, source: label });
      index.length = list.length;
      added += 1;
    }
  }
  return added;
}
