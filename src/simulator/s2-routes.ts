import type { Corpus, SimAuthor, SimWork } from "./corpus.js";
import type { RouteRequest } from "./openalex-routes.js";
import { hashOf } from "./prng.js";
import { json, type Reply } from "./reply.js";
import { s2ListedIds } from "./s2-ids.js";
import { s2PaperSearch } from "./s2-search.js";
import { searchTitles } from "./search.js";

/** The Semantic Scholar Graph API v1 over the corpus: paper batch, search, title match and single papers. */

/** Most ids one `POST /paper/batch` accepts. */
export const S2_MAX_BATCH = 500;

const PAPER_FIELDS = new Set(
  `paperId externalIds corpusId publicationVenue url title abstract venue year referenceCount citationCount
  influentialCitationCount isOpenAccess openAccessPdf fieldsOfStudy s2FieldsOfStudy publicationTypes
  publicationDate journal citationStyles authors`.split(/\s+/),
);
const AUTHOR_FIELDS = new Set(
  "authorId externalIds url name affiliations homepage paperCount citationCount hIndex".split(" "),
);

interface Fields {
  paper: Set<string>;
  author: Set<string>;
}

/** Route one request below `/graph/v1`. */
export function s2Route(corpus: Corpus, request: RouteRequest): Reply {
  const fields = parseFields(request.params.get("fields"));
  if (typeof fields === "string") return json(400, { error: fields });
  if (request.path === "/paper/batch") {
    if (request.method !== "POST") return json(405, { message: "Method Not Allowed" });
    return batch(corpus, request.body, fields);
  }
  if (request.method !== "GET") return json(405, { message: "Method Not Allowed" });
  if (request.path === "/paper/search/match") {
    const query = request.params.get("query")?.trim();
    if (!query) return json(400, { error: "Missing required parameter: 'query'" });
    // Decoys carry a rank boost: a decoy that is a hit is returned instead of its true work.
    const best = searchTitles(corpus, query)[0];
    if (!best) return json(404, { error: "Title match not found" });
    const matchScore = Math.round((100 + 140 * best.rank) * 1e5) / 1e5;
    return json(200, { data: [{ ...render(best.work, fields), matchScore }] });
  }
  if (request.path === "/paper/search") {
    return s2PaperSearch(corpus, request.params, (work) => render(work, fields));
  }
  if (request.path.startsWith("/paper/")) {
    let id: string;
    try {
      id = decodeURIComponent(request.path.slice("/paper/".length));
    } catch {
      return json(400, { error: "Invalid paper id" });
    }
    const work = resolveId(corpus, id);
    return work ? json(200, render(work, fields)) : json(404, { error: `Paper with id ${id} not found` });
  }
  return json(404, { error: "Not Found" });
}

function batch(corpus: Corpus, body: string, fields: Fields): Reply {
  let ids: unknown;
  try {
    ids = (JSON.parse(body) as { ids?: unknown }).ids;
  } catch {
    ids = undefined;
  }
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === "string")) {
    return json(400, { error: 'Request body must be a JSON object with a list of string "ids"' });
  }
  if (ids.length > S2_MAX_BATCH) {
    return {
      ...json(400, { error: `Can only process ${S2_MAX_BATCH} paper ids at a time` }),
      ids: ids.length,
    };
  }
  const papers = ids.map((id) => {
    const work = resolveId(corpus, id);
    return work ? render(work, fields) : null;
  });
  return { ...json(200, papers), ids: ids.length };
}

/**
 * `DOI:`, `ARXIV:`, `CorpusId:`, a 40-hex paperId, or a bare DOI; unknown ids resolve to nothing.
 * DOIs and arXiv ids find a work only when S2 lists them for it (corpus option `s2IdGaps`).
 */
function resolveId(corpus: Corpus, raw: string): SimWork | undefined {
  const [byDoi, byArxiv] = [corpus.s2ByDoi ?? corpus.byDoi, corpus.s2ByArxiv ?? corpus.byArxiv];
  const id = raw.trim();
  const colon = id.indexOf(":");
  const prefix = colon > 0 ? id.slice(0, colon).toUpperCase() : "";
  const value = colon > 0 ? id.slice(colon + 1).trim() : id;
  if (prefix === "DOI" || (prefix === "" && value.startsWith("10."))) {
    const doi = value.toLowerCase();
    const arxiv = doi.startsWith("10.48550/arxiv.") ? doi.slice("10.48550/arxiv.".length) : undefined;
    return byDoi.get(doi) ?? (arxiv ? byArxiv.get(arxiv) : undefined);
  }
  if (prefix === "ARXIV") return byArxiv.get(value.replace(/v\d+$/i, ""));
  if (prefix === "CORPUSID") return corpus.byCorpusId.get(Number(value));
  if (prefix === "" && /^[0-9a-f]{40}$/i.test(value)) return corpus.byPaperId.get(value.toLowerCase());
  return undefined;
}

/** Parse `fields`: default `paperId,title`; `authors.x` asks for authors with `authorId` and `x`. */
function parseFields(raw: string | null): Fields | string {
  const list = raw === null ? ["title"] : raw.split(",").map((f) => f.trim());
  const paper = new Set(["paperId"]);
  const author = new Set(["authorId"]);
  const bad: string[] = [];
  for (const field of list) {
    const sub = field.startsWith("authors.") ? field.slice("authors.".length) : undefined;
    if (sub !== undefined && AUTHOR_FIELDS.has(sub)) {
      paper.add("authors");
      author.add(sub);
    } else if (PAPER_FIELDS.has(field)) {
      paper.add(field);
    } else {
      bad.push(field);
    }
  }
  if (bad.length > 0) return `Unrecognized or unsupported fields: [${bad.join(", ")}]`;
  if (author.size === 1) author.add("name");
  return { paper, author };
}

function render(work: SimWork, fields: Fields): Record<string, unknown> {
  const full = s2Paper(work, fields.author);
  return Object.fromEntries(Object.entries(full).filter(([k]) => fields.paper.has(k)));
}

function s2Author(author: SimAuthor, wanted: Set<string>): Record<string, unknown> {
  const h = hashOf("s2-author-stats", author.name);
  const full: Record<string, unknown> = {
    authorId: author.s2AuthorId,
    externalIds: {},
    url: `https://www.semanticscholar.org/author/${author.s2AuthorId}`,
    name: author.s2Name,
    affiliations: author.s2Affiliations,
    homepage: null,
    paperCount: 5 + (h % 200),
    citationCount: h % 20000,
    hIndex: 1 + (h % 60),
  };
  return Object.fromEntries(Object.entries(full).filter(([k]) => wanted.has(k)));
}

/** A work as an S2 paper, keys in the API's order (paperId, externalIds, corpusId, … authors). */
function s2Paper(work: SimWork, authorFields: Set<string>): Record<string, unknown> {
  const externalIds: Record<string, string | number> = {};
  if (work.dblp) externalIds.DBLP = work.dblp;
  const listed = s2ListedIds(work);
  if (listed.arxivId) externalIds.ArXiv = listed.arxivId;
  if (listed.doi) externalIds.DOI = listed.doi;
  externalIds.CorpusId = work.corpusId;
  const isConference = !/Journal|Transactions/.test(work.venueName);
  let openAccessPdf: Record<string, unknown> | null = { url: "", status: "CLOSED", license: null };
  if (work.pdfUrl) {
    openAccessPdf = { url: work.pdfUrl, status: work.arxivId ? "GREEN" : "GOLD", license: "CCBY" };
  } else if (work.s2NullPdf) {
    openAccessPdf = null;
  }
  const firstAuthor = work.authors[0]?.name.split(" ").at(-1) ?? "Anon";
  return {
    paperId: work.paperId,
    externalIds,
    corpusId: work.corpusId,
    publicationVenue: {
      id: `${hashOf("venue", work.venue).toString(16).padStart(8, "0")}-0000-4000-8000-000000000000`,
      name: work.venueName,
      type: isConference ? "conference" : "journal",
      alternate_names: [work.venue],
    },
    url: `https://www.semanticscholar.org/paper/${work.paperId}`,
    title: work.title,
    abstract: work.s2HasAbstract ? (work.abstract ?? null) : null,
    venue: work.venue,
    year: work.year,
    referenceCount: 10 + (hashOf("refs", work.paperId) % 60),
    citationCount: work.citationCount,
    influentialCitationCount: Math.floor(work.citationCount / 20),
    isOpenAccess: work.pdfUrl !== undefined,
    openAccessPdf,
    fieldsOfStudy: ["Computer Science"],
    s2FieldsOfStudy: [{ category: "Computer Science", source: "s2-fos-model" }],
    publicationTypes: [isConference ? "Conference" : "JournalArticle"],
    publicationDate: work.publicationDate,
    journal: { name: work.venueName },
    citationStyles: {
      bibtex: `@Article{${firstAuthor}${work.year}Sim${work.index},\n title = {${work.title}},\n year = {${work.year}}\n}\n`,
    },
    authors: work.authors.map((a) => s2Author(a, authorFields)),
  };
}
