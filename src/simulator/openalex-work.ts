import { primaryDoi, type SimAuthor, type SimWork } from "./corpus.js";
import { hashOf } from "./prng.js";

/** A synthetic work rendered in the OpenAlex 2025 work schema (the shape of the b-vitamins W2741809807 fixture). */

const OA = "https://openalex.org";
const COUNTRIES = ["US", "GB", "DE", "CA", "FR", "JP", "CN", "CH", "NL", "SE", "KR", "IN"];
const ARXIV_SOURCE = {
  id: `${OA}/S4306400194`,
  display_name: "arXiv (Cornell University)",
  issn_l: null,
  issn: null,
  is_oa: true,
  is_in_doaj: false,
  is_indexed_in_scopus: false,
  is_core: false,
  host_organization: `${OA}/I205783295`,
  host_organization_name: "Cornell University",
  host_organization_lineage: [`${OA}/I205783295`],
  host_organization_lineage_names: ["Cornell University"],
  type: "repository",
};

/** The top-level fields `select=` accepts (those of the rendered work, plus `relevance_score`). */
export const OPENALEX_WORK_FIELDS: ReadonlySet<string> = new Set(
  `
id doi title display_name relevance_score publication_year publication_date ids language
primary_location type indexed_in open_access authorships countries_distinct_count
institutions_distinct_count corresponding_author_ids corresponding_institution_ids fwci has_fulltext
cited_by_count biblio is_retracted is_paratext locations_count locations best_oa_location
referenced_works_count referenced_works related_works abstract_inverted_index cited_by_api_url
counts_by_year updated_date created_date
`
    .trim()
    .split(/\s+/),
);

/** `{word: [positions]}` in first-occurrence order, as OpenAlex stores abstracts; null without one. */
export function invertedIndex(text: string | undefined): Record<string, number[]> | null {
  if (!text) return null;
  const index = new Map<string, number[]>();
  text.split(" ").forEach((word, position) => {
    if (word !== "") index.set(word, [...(index.get(word) ?? []), position]);
  });
  return Object.fromEntries(index);
}

function institutionOf(name: string) {
  const h = hashOf("institution", name);
  const id = `${OA}/I${100_000_000 + (h % 4_000_000_000)}`;
  return {
    id,
    display_name: name,
    ror: `https://ror.org/0${(h % 0xfffffff).toString(36).padStart(8, "0")}`,
    country_code: COUNTRIES[h % COUNTRIES.length]!,
    type: /Lab|Center/.test(name) ? "company" : "education",
    lineage: [id],
  };
}

function authorship(author: SimAuthor, position: number, count: number) {
  const institutions = author.institutions.map(institutionOf);
  return {
    author_position: position === 0 ? "first" : position === count - 1 ? "last" : "middle",
    author: {
      id: `${OA}/${author.openalexId}`,
      display_name: author.openalexName ?? author.name,
      orcid: null,
    },
    institutions,
    countries: [...new Set(institutions.map((i) => i.country_code))],
    is_corresponding: position === 0,
    raw_author_name: author.name,
    raw_affiliation_strings: author.institutions,
    affiliations: institutions.map((i) => ({
      raw_affiliation_string: i.display_name,
      institution_ids: [i.id],
    })),
  };
}

function locations(work: SimWork) {
  const out: Array<Record<string, unknown>> = [];
  if (work.doi) {
    const pdf = work.pdfUrl && !work.arxivId ? work.pdfUrl : null;
    const source = {
      ...ARXIV_SOURCE,
      id: `${OA}/S${4_210_000_000 + (hashOf("source", work.venue) % 1_000_000)}`,
      display_name: work.venueName,
      is_oa: pdf !== null,
      is_core: true,
      host_organization: null,
      host_organization_name: null,
      host_organization_lineage: [],
      host_organization_lineage_names: [],
      type: /Journal|Transactions/.test(work.venueName) ? "journal" : "conference",
    };
    out.push({
      is_oa: pdf !== null,
      landing_page_url: `https://doi.org/${work.doi}`,
      pdf_url: pdf,
      source,
      license: pdf ? "cc-by" : null,
      license_id: pdf ? `${OA}/licenses/cc-by` : null,
      version: "publishedVersion",
      is_accepted: true,
      is_published: true,
    });
  }
  if (work.arxivId) {
    out.push({
      is_oa: true,
      landing_page_url: `https://arxiv.org/abs/${work.arxivId}`,
      pdf_url: work.pdfUrl ?? null,
      source: ARXIV_SOURCE,
      license: null,
      license_id: null,
      version: "submittedVersion",
      is_accepted: false,
      is_published: false,
    });
  }
  return out;
}

/** The full OpenAlex work; `relevance` adds `relevance_score` (title searches only). */
export function openAlexWork(work: SimWork, relevance?: number): Record<string, unknown> {
  const doi = primaryDoi(work);
  const doiUrl = doi ? `https://doi.org/${doi}` : null;
  const id = `${OA}/${work.openalexId}`;
  const locs = locations(work);
  const best = locs.find((l) => l.pdf_url) ?? null;
  const authorships = work.authors.map((a, i) => authorship(a, i, work.authors.length));
  const institutionIds = new Set(authorships.flatMap((a) => a.institutions.map((i) => i.id)));
  const updated = hashOf("updated", work.paperId);
  return {
    id,
    doi: doiUrl,
    title: work.title,
    display_name: work.title,
    ...(relevance === undefined ? {} : { relevance_score: relevance }),
    publication_year: work.year,
    publication_date: work.publicationDate,
    ids: {
      openalex: id,
      ...(doiUrl ? { doi: doiUrl } : {}),
      ...(work.year <= 2020 ? { mag: work.openalexId.slice(1) } : {}),
    },
    language: "en",
    primary_location: locs[0] ?? null,
    type: work.doi ? "article" : "preprint",
    indexed_in: work.doi ? ["crossref"] : ["arxiv", "datacite"],
    open_access: {
      is_oa: best !== null,
      oa_status: best === null ? "closed" : work.doi && !work.arxivId ? "gold" : "green",
      oa_url: best?.pdf_url ?? null,
      any_repository_has_fulltext: work.arxivId !== undefined,
    },
    authorships,
    countries_distinct_count: new Set(authorships.flatMap((a) => a.countries)).size,
    institutions_distinct_count: institutionIds.size,
    corresponding_author_ids: [],
    corresponding_institution_ids: [],
    fwci: null,
    has_fulltext: best !== null,
    cited_by_count: work.citedByCount,
    biblio: { volume: null, issue: null, first_page: null, last_page: null },
    is_retracted: false,
    is_paratext: false,
    locations_count: locs.length,
    locations: locs,
    best_oa_location: best,
    referenced_works_count: 0,
    referenced_works: [],
    related_works: [],
    abstract_inverted_index: invertedIndex(work.abstract),
    cited_by_api_url: `https://api.openalex.org/works?filter=cites:${work.openalexId}`,
    counts_by_year: [],
    updated_date: `2025-${String(1 + (updated % 9)).padStart(2, "0")}-${String(1 + (updated % 28)).padStart(2, "0")}T04:12:33.512000`,
    created_date: work.publicationDate,
  };
}
