import type { Paper } from "../../model/paper.js";
import type { PaperUpdate } from "../../model/paper-update.js";
import type { EnrichmentSet, IdentifierRecord } from "../../model/records.js";
import { normalizeArxivId, normalizeDoi } from "../identifiers.js";
import type { S2Author, S2Paper } from "./schema.js";
import { semanticScholar } from "./source.js";

/** The source label of every record this client writes (not the Python tool's older spelling). */
export const S2_SOURCE = semanticScholar.name;

// externalIds key → identifier_type; CorpusId is handled with `corpusId` as `s2_corpus`.
const EXTERNAL_ID_TYPES = [
  ["DOI", "doi"],
  ["ArXiv", "arxiv"],
  ["PubMed", "pmid"],
  ["ACL", "acl"],
  ["MAG", "mag"],
  ["DBLP", "dblp"],
] as const;

type AffiliationFill = NonNullable<PaperUpdate["affiliations"]>[number];

/** Map one Semantic Scholar paper onto an idempotent update of our `paper`. */
export function mapS2Paper(paper: Paper, s2: S2Paper, timestamp: string): PaperUpdate {
  const record = <D>(data: D) => ({ source: S2_SOURCE, timestamp, original: false, data });
  const records: EnrichmentSet = {};
  if (typeof s2.citationCount === "number") records.citations = [record({ count: s2.citationCount })];
  if (s2.abstract?.trim()) records.abstracts = [record({ text: s2.abstract, language: "en" })];
  const pdfUrl = s2.openAccessPdf?.url?.trim();
  if (pdfUrl) records.urls = [record({ url: pdfUrl })];
  const identifiers = s2Identifiers(s2).map(([identifier_type, identifier_value]) =>
    record({ identifier_type, identifier_value }),
  );
  if (identifiers.length > 0) records.identifiers = identifiers satisfies IdentifierRecord[];

  const update: PaperUpdate = { paper_id: paper.paper_id, source: S2_SOURCE, records };
  const fill: NonNullable<PaperUpdate["fill"]> = {};
  const doi = normalizeDoi(text(s2.externalIds?.DOI));
  if (doi && !paper.doi) fill.doi = doi;
  const arxiv = normalizeArxivId(text(s2.externalIds?.ArXiv)) ?? normalizeArxivId(pdfUrl);
  if (arxiv && !paper.arxiv_id) fill.arxiv_id = arxiv;
  if (Object.keys(fill).length > 0) update.fill = fill;
  const affiliations = affiliationFills(paper.authors, s2.authors ?? []);
  if (affiliations.length > 0) update.affiliations = affiliations;
  return update;
}

/** `[identifier_type, value]` pairs of an S2 paper, each pair once (the reference duplicated s2_paper: B9). */
export function s2Identifiers(s2: S2Paper): [string, string][] {
  const pairs: [string, string | undefined][] = [
    ["s2_paper", s2.paperId],
    ["s2_corpus", text(s2.corpusId ?? s2.externalIds?.CorpusId)],
    ...EXTERNAL_ID_TYPES.map(([key, type]): [string, string | undefined] => [
      type,
      text(s2.externalIds?.[key]),
    ]),
  ];
  const seen = new Set<string>();
  const out: [string, string][] = [];
  for (const [type, value] of pairs) {
    if (!value || seen.has(`${type}\u0000${value}`)) continue;
    seen.add(`${type}\u0000${value}`);
    out.push([type, value]);
  }
  return out;
}

interface NameKey {
  full: string;
  last: string;
  initial: string;
}

const NAME_SUFFIX = /^(jr|sr|ii|iii|iv)$/;

/** Case-, accent- and punctuation-folded name; "Last, First" is read as "First Last". */
function nameKey(name: string | null | undefined): NameKey | undefined {
  const folded = (name ?? "").normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/['’`]/gu, "");
  const parts = folded.split(",");
  const ordered = parts.length === 2 ? `${parts[1]} ${parts[0]}` : folded;
  const words = ordered.split(/[^\p{L}\p{N}]+/u).filter((w) => w !== "");
  while (words.length > 2 && NAME_SUFFIX.test(words.at(-1)!)) words.pop();
  if (words.length === 0) return undefined;
  return { full: words.join(" "), last: words.at(-1)!, initial: words.length > 1 ? words[0]![0]! : "" };
}

/** Same author: equal folded full names, or the same last name and first initial. */
export function sameAuthorName(a: string | null | undefined, b: string | null | undefined): boolean {
  const [x, y] = [nameKey(a), nameKey(b)];
  return x !== undefined && y !== undefined && namesMatch(x, y);
}

function namesMatch(x: NameKey, y: NameKey): boolean {
  return x.full === y.full || (x.last === y.last && x.initial !== "" && x.initial === y.initial);
}

/**
 * Pair our authors with S2 authors one to one (same position first, then the first unused match)
 * and fill the empty affiliation lists of ours from theirs; never overwrite.
 */
function affiliationFills(ours: Paper["authors"], theirs: readonly S2Author[]): AffiliationFill[] {
  const ourKeys = ours.map((a) => nameKey(a.name));
  const theirKeys = theirs.map((a) => nameKey(a.name));
  const pairOf = new Map<number, number>();
  const used = new Set<number>();
  const matches = (i: number, j: number) => {
    const [x, y] = [ourKeys[i], theirKeys[j]];
    return !used.has(j) && x !== undefined && y !== undefined && namesMatch(x, y);
  };
  const pair = (i: number, j: number) => {
    pairOf.set(i, j);
    used.add(j);
  };
  ours.forEach((_, i) => {
    if (i < theirs.length && matches(i, i)) pair(i, i);
  });
  ours.forEach((_, i) => {
    if (pairOf.has(i)) return;
    const j = theirKeys.findIndex((_, k) => matches(i, k));
    if (j >= 0) pair(i, j);
  });
  const fills: AffiliationFill[] = [];
  ours.forEach((author, index) => {
    const j = pairOf.get(index);
    if (j === undefined || author.affiliations.length > 0) return;
    const affiliations = [...new Set((theirs[j]?.affiliations ?? []).map((s) => s.trim()).filter(Boolean))];
    if (affiliations.length > 0) fills.push({ index, name: author.name, affiliations });
  });
  return fills;
}

function text(value: string | number | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const s = String(value).trim();
  return s === "" ? undefined : s;
}
