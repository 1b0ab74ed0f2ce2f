import { InputError } from "../errors.js";
import { mergeEnrichments } from "../model/merge.js";
import type { Paper } from "../model/paper.js";
import { inputView } from "../model/paper-update.js";
import { RECORD_KINDS, type SourceName } from "../model/records.js";
import { safeText } from "../model/safe-text.js";
import { normalizeArxivId, normalizeDoi } from "../sources/identifiers.js";
import { fillPriority } from "../sources/registry.js";
import type { PythonSession } from "../storage/python-session.js";
import { inputHash } from "../storage/session-state.js";

/**
 * How a Python tool's session becomes a cf session (issue 15): which papers the new session holds,
 * the input form of each (to reconcile later input changes as for cf sessions), and per source the
 * papers already done. Pure: the caller reads the Python session and the input, and creates the
 * cf session from this plan (the Python files are never written).
 */

export interface AdoptionInput {
  /** Absolute path of the input file. */
  file: string;
  sha256: string;
  papers: readonly Paper[];
}

export interface AdoptionPlan {
  /** The new session's papers, in the order of its input. */
  papers: Paper[];
  /** Per paper, the hash of its input form (what `reconcile` compares a later input with). */
  inputHashes: Record<string, string>;
  /** Per source, the papers holding a record fetched from it: done (never asked again). */
  done: Record<SourceName, string[]>;
  /**
   * Per source, about how many of the papers left the Python tool looked up and found nothing for
   * (its count of processed papers minus those holding a record): each costs one more lookup.
   */
  foundNothing: Partial<Record<SourceName, number>>;
  /** Where the papers came from: the input file reconciled with the session, or the session alone. */
  basis: "input" | "session";
  /** What changed against the session when the input is the basis. */
  changes: { added: number; removed: number; changed: number };
  /** Sentences for the user (what was adopted, from where, what is left). */
  notes: string[];
}

/**
 * The input form of an enriched paper: without the records a source fetched (the collector's
 * `original` ones stay) and without the ids and affiliations a source filled in (with the flags
 * that say so). This is what the input file said of it, to tell a changed paper from an enriched one.
 */
export function pythonInputForm(paper: Paper): Paper {
  const form: Paper = inputView(paper);
  for (const kind of RECORD_KINDS) form[kind] = paper[kind].filter((record) => record.original) as never;
  const { field_sources: _fields, affiliation_sources: _affiliations, ...flags } = paper.processing_flags;
  form.processing_flags = flags;
  return form;
}

/** The scalar id fields a source fills when the input left them empty, with the record type that carries each. */
const FILLED_IDS = [
  ["doi", "doi", normalizeDoi],
  ["arxiv_id", "arxiv", normalizeArxivId],
  ["openalex_id", "openalex", (value: string | null | undefined) => value?.trim() || undefined],
] as const;

/**
 * `enriched` with the id fields the Python tool filled in marked as cf marks its own fills
 * (`processing_flags.field_sources`), judged against the input paper: a field the input left empty
 * that the session's paper holds, on a paper with fetched records. The Python tool filled without
 * saying so; unmarked, the filled DOI would read as an input change and the paper would be fetched
 * again. The filler named is the highest-ranked source whose records carry that value (as when cf's
 * sources propose the same value); a value no fetched record carries is the input's.
 */
export function markPythonFills(enriched: Paper, input: Paper): Paper {
  const fetched = RECORD_KINDS.flatMap((kind) => enriched[kind].filter((record) => !record.original));
  if (fetched.length === 0) return enriched;
  const existing = enriched.processing_flags.field_sources;
  const flags: Record<string, unknown> = existing && typeof existing === "object" ? { ...existing } : {};
  let marked = 0;
  for (const [field, type, normalize] of FILLED_IDS) {
    const value = normalize(enriched[field]);
    if (!value || normalize(input[field]) || field in flags) continue;
    // The Python tool filled an id only from a source's identifiers: a value no fetched record
    // carries came from the input (a DOI the user has since removed is an input change).
    const holders = fetched.filter((record) => carries(record, type, value, normalize)).map((r) => r.source);
    if (holders.length === 0) continue;
    flags[field] = holders.reduce((best, source) =>
      fillPriority(source) > fillPriority(best) ? source : best,
    );
    marked += 1;
  }
  if (marked === 0) return enriched;
  const sorted = Object.fromEntries(Object.entries(flags).sort(([a], [b]) => a.localeCompare(b)));
  return { ...enriched, processing_flags: { ...enriched.processing_flags, field_sources: sorted } };
}

/**
 * Whether a fetched record gives the value of an id field: an identifier record of its type, or
 * for an arXiv id, the arXiv DOI or an arxiv.org URL it is read from (as OpenAlex's mapping does).
 */
function carries(
  record: { data: unknown },
  type: string,
  value: string,
  normalize: (value: string | null | undefined) => string | undefined,
): boolean {
  const data = record.data as { identifier_type?: string; identifier_value?: string; url?: string };
  if (data.identifier_type === type) return normalize(data.identifier_value) === value;
  if (type === "doi")
    return typeof data.url === "string" && /doi\.org\//i.test(data.url) && normalizeDoi(data.url) === value;
  if (type !== "arxiv") return false;
  if (data.identifier_type === "doi") {
    const doi = normalizeDoi(data.identifier_value);
    return doi?.startsWith("10.48550/arxiv.") === true && normalizeArxivId(doi.slice(15)) === value;
  }
  return (
    typeof data.url === "string" &&
    /arxiv\.org\/(abs|pdf)\//i.test(data.url) &&
    normalizeArxivId(data.url) === value
  );
}

/** `paper` (from the input) with the records `enriched` fetched: a changed paper keeps them. */
function withFetchedRecords(paper: Paper, enriched: Paper): Paper {
  const merged: Paper = { ...paper };
  for (const kind of RECORD_KINDS) merged[kind] = [...paper[kind]] as never;
  mergeEnrichments(
    merged,
    Object.fromEntries(RECORD_KINDS.map((kind) => [kind, enriched[kind].filter((r) => !r.original)])),
  );
  return merged;
}

/**
 * For a session adopted without its input file (basis "session"): a returning input paper whose
 * only difference from the session's is ids the Python tool filled in is the same paper, kept with
 * those fills marked (see SessionState.reconcile); any other difference is an input change.
 */
export function sameAdoptedInput(existing: Paper, incoming: Paper): Paper | undefined {
  const marked = markPythonFills(existing, incoming);
  return inputHash(pythonInputForm(marked)) === inputHash(pythonInputForm(incoming)) ? marked : undefined;
}

/**
 * An input is the one a Python session was run on when it holds more than half of the session's
 * papers (or the session saved none): the rest are papers added, removed or changed since.
 */
export function inputCoversSession(shared: number, sessionPapers: number): boolean {
  return sessionPapers === 0 || shared * 2 > sessionPapers;
}

/**
 * Plan the adoption of `python` given the run's input (undefined when the input file the session
 * names is gone). An input file must hold most of the session's papers (else it is another
 * collection: an InputError); papers it has unchanged keep everything the Python tool fetched,
 * changed and added ones start over, removed ones leave. Without an input the session's own papers
 * are the input (none: an InputError). A Python session without papers (stopped before its first
 * save) adopts the input as is.
 */
export function planAdoption(python: PythonSession, input: AdoptionInput | undefined): AdoptionPlan {
  const sessionPapers = python.papers ?? [];
  const byId = new Map(sessionPapers.map((paper) => [paper.paper_id, paper]));
  const shared = input ? input.papers.filter((paper) => byId.has(paper.paper_id)).length : 0;
  if (input !== undefined && !inputCoversSession(shared, sessionPapers.length)) {
    throw new InputError(
      `${safeText(input.file)} holds ${shared} of the ${sessionPapers.length} papers of the Python tool's session ${safeText(python.sessionId)}: it is not that session's input`,
      {
        hint: `Give the session's input file with --input (it named ${safeText(python.inputFile || "none")}). If that file is gone, move this one away or leave --input out: the session's own papers are then the input.`,
      },
    );
  }
  if (input === undefined && sessionPapers.length === 0) {
    throw new InputError(
      `the Python tool's session ${safeText(python.sessionId)} saved no papers and its input file ${safeText(python.inputFile || "(none named)")} is gone: there is nothing to continue`,
      { hint: "Give the papers file with --input, or start a new session." },
    );
  }
  const useInput = input !== undefined;
  const notes: string[] = [];
  const changes = { added: 0, removed: 0, changed: 0 };
  let papers: Paper[];
  const inputHashes: Record<string, string> = {};
  // Papers the session keeps as the Python tool saved them (their fills marked): done where they hold records.
  const kept = new Set<string>();
  if (useInput) {
    papers = input.papers.map((paper) => {
      const hash = inputHash(paper);
      inputHashes[paper.paper_id] = hash;
      const saved = byId.get(paper.paper_id);
      if (!saved) {
        if (sessionPapers.length > 0) changes.added += 1;
        return paper;
      }
      const theirs = markPythonFills(saved, paper);
      if (inputHash(pythonInputForm(theirs)) !== inputHash(pythonInputForm(paper))) {
        // Looked up again (not done), its fetched records kept: the merge never duplicates one.
        changes.changed += 1;
        return withFetchedRecords(paper, saved);
      }
      kept.add(paper.paper_id);
      return theirs;
    });
    const inInput = new Set(input.papers.map((paper) => paper.paper_id));
    changes.removed = sessionPapers.filter((paper) => !inInput.has(paper.paper_id)).length;
    if (changes.added + changes.removed + changes.changed > 0) {
      notes.push(
        `the input differs from the session: ${changes.added} paper(s) added, ${changes.removed} removed, ${changes.changed} changed (looked up again)`,
      );
    }
  } else {
    papers = [...sessionPapers];
    for (const paper of papers) {
      inputHashes[paper.paper_id] = inputHash(pythonInputForm(paper));
      kept.add(paper.paper_id);
    }
    notes.push(`the session's input file is gone: its own ${papers.length} papers are the input`);
  }
  // Done for a source: a paper the session keeps as the Python tool saved it, holding its records.
  const done = Object.fromEntries(
    Object.entries(python.done).map(([source, ids]) => [source, [...ids].filter((id) => kept.has(id))]),
  ) as Record<SourceName, string[]>;
  const foundNothing: Partial<Record<SourceName, number>> = {};
  for (const [source, processed] of Object.entries(python.processed) as Array<[SourceName, number]>) {
    const left = papers.length - (done[source]?.length ?? 0);
    foundNothing[source] = Math.max(0, Math.min(left, processed - (python.done[source]?.size ?? 0)));
  }
  return {
    papers,
    inputHashes,
    done,
    foundNothing,
    basis: useInput ? "input" : "session",
    changes,
    notes: [...python.notes, ...notes],
  };
}
