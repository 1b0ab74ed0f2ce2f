import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { canonicalJson } from "../../src/model/canonical-json.js";
import { normalizeArxivId, normalizeDoi } from "../../src/sources/identifiers.js";
import { cleanTitle } from "../../src/sources/title-clean.js";

/**
 * Sessions of the Python tool, built as it wrote them (reference-behaviour §2.1, §5.2–5.3), from
 * what an uninterrupted cf run found: a paper "done" by a source holds that source's records and
 * the ids it filled, as the Python tool kept them (labels `semanticscholar`, naive timestamps, no
 * processing flags saying what was filled, author affiliations thrown away).
 */

type Json = Record<string, unknown>;
export type PythonSource = "openalex" | "semantic_scholar";
export type PythonFormat = "parallel" | "phase" | "phase-string" | "per-source";

const KINDS = ["citations", "abstracts", "urls", "identifiers"] as const;
const ID_FIELDS = ["doi", "arxiv_id", "openalex_id"] as const;

/** A naive local ISO time as Python's isoformat writes it (microseconds, no offset). */
function pythonTime(i: number): string {
  return `2025-07-19T20:${String(15 + (i % 40)).padStart(2, "0")}:01.${String(100_000 + i).padStart(6, "0")}`;
}

/** The values of the ids a set of records carries (how the Python tool filled ids: from identifiers). */
function carriedIds(records: Json[]): Record<(typeof ID_FIELDS)[number], Set<string>> {
  const carried = { doi: new Set<string>(), arxiv_id: new Set<string>(), openalex_id: new Set<string>() };
  for (const record of records) {
    const data = record.data as Json;
    const value = String(data.identifier_value ?? data.url ?? "");
    const doi = normalizeDoi(value);
    if (data.identifier_type === "doi" && doi) {
      carried.doi.add(doi);
      if (doi.startsWith("10.48550/arxiv.")) carried.arxiv_id.add(normalizeArxivId(doi.slice(15)) ?? "");
    }
    if (data.identifier_type === "arxiv") carried.arxiv_id.add(normalizeArxivId(value) ?? "");
    if (data.identifier_type === "openalex") carried.openalex_id.add(value.trim());
    if (typeof data.url === "string" && /arxiv\.org\/(abs|pdf)\//i.test(value))
      carried.arxiv_id.add(normalizeArxivId(value) ?? "");
  }
  return carried;
}

export interface PythonPaper {
  paper: Json;
  /** Ids a done source filled in cf that no record of it carries: the Python tool had no way to fill them. */
  uncarried: string[];
}

/**
 * The Python tool's copy of a paper, from `whole` (the same paper in an uninterrupted cf run's
 * output): the records of the `done` sources only, the ids they filled that their records carry
 * (the Python tool filled ids from identifiers alone), and none of what the Python tool never kept
 * (affiliations filled in, the flags saying who filled what).
 */
export function pythonPaper(whole: Json, done: ReadonlySet<PythonSource>, i: number): PythonPaper {
  const paper: Json = structuredClone(whole);
  const kept: Json[] = [];
  for (const kind of KINDS) {
    const records = (whole[kind] as Json[]).filter((r) => r.original || done.has(r.source as PythonSource));
    kept.push(...records.filter((r) => !r.original));
    paper[kind] = records.map((r) =>
      r.original
        ? r
        : {
            ...r,
            source: r.source === "semantic_scholar" ? "semanticscholar" : r.source,
            timestamp: pythonTime(i),
          },
    );
  }
  const flags = { ...(whole.processing_flags as Json) };
  const filledBy = (flags.field_sources ?? {}) as Record<string, PythonSource>;
  const carried = carriedIds(kept);
  const uncarried: string[] = [];
  for (const field of ID_FIELDS) {
    const by = filledBy[field];
    if (!by) continue;
    const value = String(whole[field] ?? "");
    const normal =
      field === "doi" ? normalizeDoi(value) : field === "arxiv_id" ? normalizeArxivId(value) : value;
    const fillable = done.has(by) && normal !== undefined && carried[field].has(normal);
    if (!fillable) paper[field] = field === "doi" ? "" : null;
    if (done.has(by) && !fillable) uncarried.push(field);
  }
  const affiliationsBy = (flags.affiliation_sources ?? {}) as Record<string, string>;
  const authors = paper.authors as Json[];
  for (const index of Object.keys(affiliationsBy)) authors[Number(index)]!.affiliations = [];
  delete flags.field_sources;
  delete flags.affiliation_sources;
  paper.processing_flags = flags;
  return { paper, uncarried };
}

export interface PythonSessionSpec {
  format: PythonFormat;
  /** `input_file` as the Python tool recorded it (relative to where it ran). */
  inputFile: string;
  papers: Json[];
  /** `papers_enriched.json` as `{metadata, papers}` (the current tool) or a bare list (older). */
  layout?: "envelope" | "list";
  /** Per source, the checkpoint's `papers_processed` (not trusted: more than the papers with records). */
  processed: Record<PythonSource, number>;
  /** Older per-source format: each source's status as written. */
  statuses?: Record<PythonSource, "pending" | "in_progress" | "completed" | "failed">;
}

/** Write a Python session directory in `base`; every file indented as the tool wrote it. */
export async function writePythonSession(base: string, sessionId: string, spec: PythonSessionSpec) {
  const dir = path.join(base, sessionId);
  await mkdir(dir, { recursive: true });
  const total = spec.papers.length;
  const json = (value: unknown) => JSON.stringify(value, null, 2);
  await writeFile(
    path.join(dir, "session.json"),
    json({
      session_id: sessionId,
      created_at: "2025-07-19T20:14:18.901",
      checkpoint_interval_minutes: 5.0,
      pid: 4242,
    }),
  );
  const counts = (source: PythonSource) => ({
    papers_processed: spec.processed[source],
    papers_enriched: spec.papers.filter((p) => hasRecordOf(p, source)).length,
    api_calls: spec.processed[source] * 2,
    citations_found: 0,
    abstracts_found: 0,
  });
  const sources =
    spec.format === "parallel"
      ? {
          openalex: counts("openalex"),
          semantic_scholar: counts("semantic_scholar"),
          merge: { papers_merged: total, merged_paper_count: total, timestamp: "2025-07-19T20:20:02.1" },
        }
      : spec.format === "phase"
        ? { phase: "openalex_enrichment" }
        : spec.format === "phase-string"
          ? "semantic_scholar_enrichment"
          : Object.fromEntries(
              (["openalex", "semantic_scholar"] as const).map((source) => [
                source,
                {
                  status: spec.statuses?.[source] ?? "in_progress",
                  batches_completed: 3,
                  total_batches: 10,
                  papers_processed: spec.processed[source],
                  enrichments: { citations: 0, abstracts: 0 },
                },
              ]),
            );
  const checkpoint = {
    session_id: sessionId,
    input_file: spec.inputFile,
    total_papers: total,
    sources,
    last_checkpoint_time: "2025-07-19T20:19:18.532211",
    timestamp: "2025-07-19T20:19:18.532214",
    checksum: "0".repeat(64),
    phase_state: {
      phase: spec.format === "parallel" ? "parallel_consolidation" : "openalex_enrichment",
      phase_completed: false,
      phase_start_time: "2025-07-19T20:14:18.90",
      phase_end_time: null,
      identifiers_collected: {},
      openalex_processed_hashes: [],
      semantic_scholar_processed_hashes: [],
    },
  };
  await writeFile(path.join(dir, "checkpoint.json"), json(checkpoint));
  const meta = JSON.stringify({ checksum: "1".repeat(64), timestamp: "2025-07-19T20:19:18.532214" });
  await writeFile(path.join(dir, "checkpoint.json.meta"), meta);
  await writeFile(
    path.join(dir, "checkpoint.json.bak"),
    json({ ...checkpoint, timestamp: "2025-07-19T20:14:18" }),
  );
  await writeFile(path.join(dir, "checkpoint.json.bak.meta"), meta);
  const saved = { total_papers: total, unique_paper_ids: total, saved_at: "2025-07-19T20:19:18.5" };
  await writeFile(
    path.join(dir, "papers_enriched.json"),
    json(spec.layout === "list" ? spec.papers : { metadata: saved, papers: spec.papers }),
  );
  return dir;
}

function hasRecordOf(paper: Json, source: PythonSource): boolean {
  const label = source === "semantic_scholar" ? "semanticscholar" : source;
  return KINDS.some((kind) => (paper[kind] as Json[]).some((r) => !r.original && r.source === label));
}

/** Words that name a paper in a request: its cleaned title's words of 4 letters or more. */
function titleWords(title: string): string[] {
  return normalizeText(cleanTitle(title))
    .split(" ")
    .filter((w) => w.length >= 4);
}

function normalizeText(text: string): string {
  return text
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

/**
 * Whether any of `requests` (path, query and body, as the simulator logged them) asks for this paper:
 * by one of its DOIs or arXiv ids (its own or one a source found), or by every word of its title.
 */
export function asksFor(
  requests: ReadonlyArray<{ path: string; query?: string; body?: string }>,
  paper: Json,
): boolean {
  const texts = requests.map((r) => ` ${normalizeText(`${r.path} ${r.query ?? ""} ${r.body ?? ""}`)} `);
  const records = (paper.identifiers as Json[]).map((r) => r.data as Json);
  const dois = [
    paper.doi,
    ...records.filter((d) => d.identifier_type === "doi").map((d) => d.identifier_value),
  ];
  const arxivs = [
    paper.arxiv_id,
    ...records.filter((d) => d.identifier_type === "arxiv").map((d) => d.identifier_value),
  ];
  const ids = [
    ...dois.map((v) => normalizeDoi(typeof v === "string" ? v : undefined)),
    // Asked for without its version (OpenAlex by its arXiv DOI, Semantic Scholar as ARXIV:id).
    ...arxivs.map((v) => normalizeArxivId(typeof v === "string" ? v : undefined)?.replace(/v\d+$/, "")),
  ]
    .filter((v): v is string => v !== undefined)
    .map((v) => ` ${normalizeText(v)} `);
  const words = titleWords(String(paper.title)).map((w) => ` ${w} `);
  return texts.some(
    (text) =>
      ids.some((id) => text.includes(id)) || (words.length > 0 && words.every((w) => text.includes(w))),
  );
}

/**
 * A paper as compared between an adopted session's output and an uninterrupted run's: without
 * timestamps and without what the Python tool never kept (author affiliations and the flags naming
 * who filled them). `withFills: false` also drops `field_sources`: without the input file, ids the
 * Python tool filled cannot be told from the input's.
 */
export interface CompareOptions {
  withFills: boolean;
  /** Per paper id, id fields left out of the comparison (and out of `field_sources`). */
  ignore?: ReadonlyMap<string, readonly string[]>;
}

export function comparablePapers(papers: Json[], options: CompareOptions): string {
  return comparableList(papers, options).join("\n");
}

/** The papers (by id) that differ between two outputs as comparablePapers sees them, with the first difference. */
export function differingPapers(a: Json[], b: Json[], options: CompareOptions): string[] {
  const left = comparableList(a, options);
  const right = comparableList(b, options);
  const ids: string[] = [];
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    if (left[i] === right[i]) continue;
    if (ids.length === 0) {
      const [x, y] = [JSON.parse(left[i] ?? "{}"), JSON.parse(right[i] ?? "{}")] as Json[];
      const keys = [...new Set([...Object.keys(x ?? {}), ...Object.keys(y ?? {})])];
      const diff = keys.filter((k) => JSON.stringify(x?.[k]) !== JSON.stringify(y?.[k]));
      ids.push(diff.map((k) => `${k}: ${JSON.stringify(x?.[k])} vs ${JSON.stringify(y?.[k])}`).join("; "));
    }
    ids.push(String(a[i]?.paper_id ?? b[i]?.paper_id));
  }
  return ids;
}

function comparableList(papers: Json[], options: CompareOptions): string[] {
  return papers.map((original) => {
    let paper = original;
    const flags = { ...(paper.processing_flags as Json) };
    const ignored = options.ignore?.get(paper.paper_id as string) ?? [];
    if (ignored.length > 0) {
      paper = { ...paper };
      for (const field of ignored) delete paper[field];
      const by = { ...((flags.field_sources ?? {}) as Json) };
      for (const field of ignored) delete by[field];
      if (Object.keys(by).length > 0) flags.field_sources = by;
      else delete flags.field_sources;
    }
    delete flags.affiliation_sources;
    // Who filled an id is a best guess for the Python tool's fills (it did not say which source
    // did): which ids were filled is compared, and their values through the fields themselves.
    if (!options.withFills) delete flags.field_sources;
    else if (flags.field_sources) flags.field_sources = Object.keys(flags.field_sources as Json).sort();
    const text = JSON.stringify(
      {
        ...paper,
        authors: (paper.authors as Json[]).map((a) => ({ ...a, affiliations: [] })),
        processing_flags: flags,
      },
      (key, value) => (key === "timestamp" ? undefined : value),
    );
    return canonicalJson(JSON.parse(text));
  });
}
