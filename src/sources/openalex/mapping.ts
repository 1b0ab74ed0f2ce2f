import { formatLocalTimestamp } from "../../model/local-timestamp.js";
import type { Paper } from "../../model/paper.js";
import type { PaperUpdate } from "../../model/paper-update.js";
import type { EnrichmentSet } from "../../model/records.js";
import { normalizeArxivId, normalizeDoi } from "../identifiers.js";
import type { OpenAlexWork } from "./schema.js";
import { openalex } from "./source.js";

/** The source label written on every OpenAlex record and update. */
export const OPENALEX_SOURCE = openalex.name;

type InvertedIndex = NonNullable<OpenAlexWork["abstract_inverted_index"]>;

/** Rebuild an abstract from its inverted index: words by position (word breaks ties), space-joined. */
export function rebuildAbstract(index: InvertedIndex | null | undefined): string | undefined {
  if (!index) return undefined;
  const pairs: Array<[number, string]> = [];
  for (const [word, positions] of Object.entries(index)) {
    for (const position of positions) pairs.push([position, word]);
  }
  pairs.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const text = pairs
    .map(([, word]) => word)
    .join(" ")
    .trim();
  return text === "" ? undefined : text;
}

/** PDF URLs of the primary, best open-access and other locations, in that order, each once. */
export function pdfUrls(work: OpenAlexWork): string[] {
  const locations = [work.primary_location, work.best_oa_location, ...(work.locations ?? [])];
  return unique(locations.map((l) => l?.pdf_url));
}

/** The work's DOI in canonical form (lowercase, no `https://doi.org/`). */
export function workDoi(work: OpenAlexWork): string | undefined {
  return normalizeDoi(work.ids?.doi ?? work.doi);
}

/** `[type, value]` identifier pairs: openalex (full URL), doi (bare), pmid/pmcid (as given), mag. */
export function workIdentifiers(work: OpenAlexWork): Array<[string, string]> {
  const ids = work.ids;
  const mag = ids?.mag === null || ids?.mag === undefined ? undefined : String(ids.mag);
  const pairs: Array<[string, string | null | undefined]> = [
    ["openalex", work.id ?? ids?.openalex],
    ["doi", workDoi(work)],
    ["pmid", ids?.pmid],
    ["pmcid", ids?.pmcid],
    ["mag", mag],
  ];
  return pairs.flatMap(([type, value]) => (value && value.trim() !== "" ? [[type, value.trim()]] : []));
}

/** The arXiv id of the work: from an arXiv DataCite DOI, else from an arxiv.org location URL. */
export function workArxivId(work: OpenAlexWork): string | undefined {
  const doi = workDoi(work);
  if (doi?.startsWith("10.48550/arxiv.")) return normalizeArxivId(doi.slice("10.48550/arxiv.".length));
  const locations = [work.primary_location, work.best_oa_location, ...(work.locations ?? [])];
  for (const url of locations.flatMap((l) => [l?.landing_page_url, l?.pdf_url])) {
    const id = url && /arxiv\.org\/(abs|pdf)\//i.test(url) ? normalizeArxivId(url) : undefined;
    if (id) return id;
  }
  return undefined;
}

interface PersonName {
  full: string;
  last: string;
  initial: string;
}

/** Case-, accent- and punctuation-folded name; "Last, First" is read as "First Last". */
export function parsePersonName(raw: string | null | undefined): PersonName | undefined {
  let name = (raw ?? "").normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/['’`]/gu, "");
  const comma = name.indexOf(",");
  if (comma >= 0) name = `${name.slice(comma + 1)} ${name.slice(0, comma)}`;
  const tokens = name.split(/[^\p{L}\p{N}]+/u).filter((t) => t !== "");
  const last = tokens.at(-1);
  if (last === undefined) return undefined;
  return { full: tokens.join(" "), last, initial: tokens.length > 1 ? (tokens[0]?.[0] ?? "") : "" };
}

const sameFullName = (x: PersonName, y: PersonName) => x.full === y.full;
const sameLastAndInitial = (x: PersonName, y: PersonName) =>
  x.last === y.last && x.initial !== "" && x.initial === y.initial;

/** Same person: equal folded full names, or same last name and same first initial. */
export function sameAuthorName(a: string, b: string): boolean {
  const x = parsePersonName(a);
  const y = parsePersonName(b);
  return !!x && !!y && (sameFullName(x, y) || sameLastAndInitial(x, y));
}

/** Institutions for the paper's authors with no affiliations yet, matched one-to-one by name. */
export function affiliationFills(paper: Paper, work: OpenAlexWork): NonNullable<PaperUpdate["affiliations"]> {
  const authorships = (work.authorships ?? []).map((a) => ({
    name: parsePersonName(a.author?.display_name),
    institutions: unique((a.institutions ?? []).map((i) => i.display_name)),
  }));
  const people = paper.authors.map((a) => parsePersonName(a.name));
  const assigned = new Map<number, number>();
  const used = new Set<number>();
  // Exact full names first, so an initial-only match cannot take someone else's authorship.
  for (const matches of [sameFullName, sameLastAndInitial]) {
    people.forEach((person, i) => {
      if (!person || assigned.has(i)) return;
      const j = authorships.findIndex(
        (a, k) => !used.has(k) && a.name !== undefined && matches(person, a.name),
      );
      if (j < 0) return;
      assigned.set(i, j);
      used.add(j);
    });
  }
  const fills: NonNullable<PaperUpdate["affiliations"]> = [];
  for (const [i, j] of [...assigned].sort((a, b) => a[0] - b[0])) {
    const author = paper.authors[i];
    const institutions = authorships[j]?.institutions ?? [];
    if (!author || author.affiliations.length > 0 || institutions.length === 0) continue;
    fills.push({ index: i, name: author.name, affiliations: institutions });
  }
  return fills;
}

/** Map a work found for `paper` to its PaperUpdate; records are stamped with `now()`. */
export function mapWork(paper: Paper, work: OpenAlexWork, now: () => Date): PaperUpdate {
  const timestamp = formatLocalTimestamp(now());
  const record = <D>(data: D) => ({ source: OPENALEX_SOURCE, timestamp, original: false, data });
  const records: EnrichmentSet = {};
  if (typeof work.cited_by_count === "number") records.citations = [record({ count: work.cited_by_count })];
  const abstract = rebuildAbstract(work.abstract_inverted_index);
  if (abstract) records.abstracts = [record({ text: abstract, language: "en" })];
  const urls = pdfUrls(work);
  if (urls.length > 0) records.urls = urls.map((url) => record({ url }));
  const identifiers = workIdentifiers(work);
  if (identifiers.length > 0) {
    records.identifiers = identifiers.map(([type, value]) =>
      record({ identifier_type: type, identifier_value: value }),
    );
  }
  const fill: NonNullable<PaperUpdate["fill"]> = {};
  const openalexId = work.id ?? work.ids?.openalex;
  if (openalexId) fill.openalex_id = openalexId;
  const doi = workDoi(work);
  if (doi) fill.doi = doi;
  const arxivId = workArxivId(work);
  if (arxivId) fill.arxiv_id = arxivId;
  const affiliations = affiliationFills(paper, work);
  return {
    paper_id: paper.paper_id,
    source: OPENALEX_SOURCE,
    records,
    ...(Object.keys(fill).length > 0 ? { fill } : {}),
    ...(affiliations.length > 0 ? { affiliations } : {}),
  };
}

function unique(values: ReadonlyArray<string | null | undefined>): string[] {
  const out: string[] = [];
  for (const value of values) {
    const v = value?.trim();
    if (v && !out.includes(v)) out.push(v);
  }
  return out;
}
