import { mergeEnrichments } from "../model/merge.js";
import type { Paper } from "../model/paper.js";
import { inputView } from "../model/paper-update.js";
import { RECORD_KINDS, type SourceName } from "../model/records.js";
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
 * Plan the adoption of `python` given the run's input (undefined when the input file the session
 * names is gone). The input is the basis when it holds most of the session's papers: papers it
 * has unchanged keep everything the Python tool fetched, changed and added ones start over,
 * removed ones leave. Otherwise (no input, or another collection) the session's own papers are the
 * input. A Python session without papers (stopped before its first save) adopts the input as is.
 */
export function planAdoption(python: PythonSession, input: AdoptionInput | undefined): AdoptionPlan {
  const sessionPapers = python.papers ?? [];
  const byId = new Map(sessionPapers.map((paper) => [paper.paper_id, paper]));
  const shared = input ? input.papers.filter((paper) => byId.has(paper.paper_id)).length : 0;
  const useInput = input !== undefined && (sessionPapers.length === 0 || shared * 2 > sessionPapers.length);
  const notes: string[] = [];
  const changes = { added: 0, removed: 0, changed: 0 };
  let papers: Paper[];
  const inputHashes: Record<string, string> = {};
  if (useInput) {
    papers = input.papers.map((paper) => {
      const hash = inputHash(paper);
      inputHashes[paper.paper_id] = hash;
      const theirs = byId.get(paper.paper_id);
      if (!theirs) {
        if (sessionPapers.length > 0) changes.added += 1;
        return paper;
      }
      if (inputHash(pythonInputForm(theirs)) !== inputHash(pythonInputForm(paper))) {
        // Looked up again (not done), its fetched records kept: the merge never duplicates one.
        changes.changed += 1;
        return withFetchedRecords(paper, theirs);
      }
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
    for (const paper of papers) inputHashes[paper.paper_id] = inputHash(pythonInputForm(paper));
    notes.push(
      input
        ? `the input file holds few of the session's papers: the session's own ${papers.length} papers are the input`
        : `the session's input file is gone: its own ${papers.length} papers are the input`,
    );
  }
  // Done for a source: a paper the session keeps as the Python tool saved it, holding its records.
  const kept = new Set(papers.filter((paper) => byId.get(paper.paper_id) === paper).map((p) => p.paper_id));
  const done = Object.fromEntries(
    Object.entries(python.done).map(([source, ids]) => [source, [...ids].filter((id) => kept.has(id))]),
  ) as Record<SourceName, string[]>;
  return {
    papers,
    inputHashes,
    done,
    basis: useInput ? "input" : "session",
    changes,
    notes: [...python.notes, ...notes],
  };
}
