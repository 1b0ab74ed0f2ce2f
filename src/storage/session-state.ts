import { createHash } from "node:crypto";
import { canonicalJson } from "../model/canonical-json.js";
import { addCounts } from "../model/failure-causes.js";
import type { Paper } from "../model/paper.js";
import { applyPaperUpdate } from "../model/paper-update.js";
import type { SourceName } from "../model/records.js";
import { addUsd } from "../model/usd.js";
import type { JournalPayload } from "./journal-entries.js";
import { MemoryScratch } from "./line-files.js";
import { InputHashColumn, OutcomeColumn } from "./paper-columns.js";
import { PaperStore } from "./paper-store.js";
import type { SourceState, SourceStatus } from "./session-files.js";

export interface InputChanges {
  added: string[];
  removed: string[];
  changed: string[];
}

/**
 * For a paper whose input hash differs from the session's: the session's paper to keep when the
 * difference is not an input change after all (ids the Python tool filled in without saying so, see
 * core/adopt-python.ts), else undefined (the paper changed).
 */
export type SameInput = (existing: Paper, incoming: Paper) => Paper | undefined;

/** Short hash of a paper's input form (before any enrichment). */
export function inputHash(paper: Paper): string {
  return createHash("sha256").update(canonicalJson(paper)).digest("hex").slice(0, 16);
}

/**
 * The state of a session: papers in input order (held as text by a PaperStore, parsed when used),
 * each source's per-paper outcomes and counters. The CheckpointManager persists it, this only
 * applies changes.
 */
export class SessionState {
  readonly store: PaperStore;
  /** Per source, each paper's outcome (by paper position: see paper-columns.ts). */
  readonly outcomes = new Map<SourceName, OutcomeColumn>();
  readonly errors = new Map<SourceName, Map<string, string>>();
  readonly sources = new Map<
    SourceName,
    Omit<SourceState, "papers_done" | "papers_enriched" | "papers_not_found" | "papers_failed">
  >();

  /** Hash of each paper as it was in the input, to tell what changed when the input file changes. */
  readonly inputHashes: InputHashColumn;

  /**
   * `papers` as a list is kept in memory (small states: tests, previews); a session passes its
   * store. `inputHashes` (by paper id, or a column over the store) defaults to each paper's hash as
   * it is now (a new session's input).
   */
  constructor(
    papers: readonly Paper[] | PaperStore,
    sources: readonly SourceName[],
    inputHashes?: Record<string, string> | InputHashColumn,
  ) {
    this.store = papers instanceof PaperStore ? papers : PaperStore.fromPapers(papers, new MemoryScratch());
    if (inputHashes instanceof InputHashColumn) this.inputHashes = inputHashes;
    else {
      this.inputHashes = new InputHashColumn(this.store);
      for (const id in inputHashes) this.inputHashes.set(id, inputHashes[id] as string);
    }
    if (this.inputHashes.size !== this.store.size) {
      for (const id of this.store.ids()) {
        if (!this.inputHashes.has(id)) this.inputHashes.set(id, inputHash(this.store.get(id) as Paper));
      }
    }
    for (const source of sources) this.addSource(source, "in_progress");
  }

  /** How many papers the session holds. */
  get size(): number {
    return this.store.size;
  }

  /** Paper ids in input order. */
  paperIds(): readonly string[] {
    return this.store.ids();
  }

  has(paperId: string): boolean {
    return this.store.has(paperId);
  }

  /** The paper as it is now (a fresh parse: changing it changes nothing), or undefined. */
  paper(paperId: string): Paper | undefined {
    return this.store.get(paperId);
  }

  /** Every paper, parsed one at a time, in input order (flat memory: for the output and stats). */
  papers(): Iterable<Paper> {
    return this.store.papers();
  }

  /** Every paper in one list: for tests and small sessions only (a large session does not fit). */
  readAllPapers(): Paper[] {
    return [...this.store.papers()];
  }

  /** What `reconcile(input)` would change, changing nothing (to ask before adopting a new input). */
  previewReconcile(input: readonly Paper[], sameInput?: SameInput): InputChanges {
    return this.compare(input, sameInput).changes;
  }

  /**
   * Bring the session in line with a changed input file: added papers join (to be looked up),
   * removed ones leave, changed ones are replaced by their new version and looked up again.
   * Unchanged papers keep everything they gained. Input order is the new file's.
   */
  reconcile(input: readonly Paper[], sameInput?: SameInput): InputChanges {
    const { changes, newHashes, kept } = this.compare(input, sameInput);
    // The columns are by paper position, which reordering changes: they are rebuilt by paper id.
    const hashes = new Map(this.inputHashes);
    const forgotten = new Set<string>(changes.removed);
    const replacements = new Map<string, Paper>();
    for (const paper of input) {
      const same = kept.get(paper.paper_id);
      if (same) {
        replacements.set(paper.paper_id, same.paper);
        hashes.set(paper.paper_id, same.hash);
        continue;
      }
      const hash = newHashes.get(paper.paper_id);
      if (hash === undefined) continue; // unchanged: stays as it is
      replacements.set(paper.paper_id, paper);
      hashes.set(paper.paper_id, hash);
      forgotten.add(paper.paper_id);
    }
    const outcomes = [...this.outcomes].map(
      ([source, column]) => [source, [...column].filter(([id]) => !forgotten.has(id))] as const,
    );
    for (const errors of this.errors.values()) for (const id of forgotten) errors.delete(id);
    this.store.reorder(
      input.map((paper) => paper.paper_id),
      replacements,
    );
    this.inputHashes.clear();
    for (const [id, hash] of hashes) this.inputHashes.set(id, hash);
    for (const [source, entries] of outcomes) {
      const column = this.outcomes.get(source) as OutcomeColumn;
      column.clear();
      for (const [id, outcome] of entries) column.set(id, outcome);
    }
    return changes;
  }

  /**
   * The papers `input` adds, removes and changes, with the input hash of each added or changed one,
   * and the papers `sameInput` keeps (with their new input hash).
   */
  private compare(
    input: readonly Paper[],
    sameInput?: SameInput,
  ): {
    changes: InputChanges;
    newHashes: Map<string, string>;
    kept: Map<string, { paper: Paper; hash: string }>;
  } {
    const changes: InputChanges = { added: [], removed: [], changed: [] };
    const newHashes = new Map<string, string>();
    const kept = new Map<string, { paper: Paper; hash: string }>();
    const incoming = new Set(input.map((p) => p.paper_id));
    for (const id of this.store.ids()) if (!incoming.has(id)) changes.removed.push(id);
    for (const paper of input) {
      const hash = inputHash(paper);
      const known = this.store.has(paper.paper_id);
      if (known && this.inputHashes.get(paper.paper_id) === hash) continue;
      const existing = known && sameInput ? this.store.get(paper.paper_id) : undefined;
      const same = existing && sameInput?.(existing, paper);
      if (same) {
        kept.set(paper.paper_id, { paper: same, hash });
        continue;
      }
      (known ? changes.changed : changes.added).push(paper.paper_id);
      newHashes.set(paper.paper_id, hash);
    }
    return { changes, newHashes, kept };
  }

  /** Track a source (new sources start from scratch). */
  addSource(source: SourceName, status: SourceStatus): void {
    if (!this.sources.has(source)) {
      this.sources.set(source, { status, api_calls: 0, last_error: null, resets_at: null });
    }
    if (!this.outcomes.has(source)) this.outcomes.set(source, new OutcomeColumn(this.store));
    if (!this.errors.has(source)) this.errors.set(source, new Map());
  }

  /** Apply the paper-level part of a journal entry (records, outcomes): idempotent. */
  applyToPapers(entry: JournalPayload): number {
    if (entry.type !== "batch") return 0;
    let added = 0;
    for (const update of entry.updates) {
      this.store.update(update.paper_id, (paper) => {
        added += applyPaperUpdate(paper, update).recordsAdded;
      });
    }
    return added;
  }

  /** Apply the outcome part of a journal entry: later entries win. */
  applyToProgress(entry: JournalPayload): void {
    if (entry.type !== "batch") return;
    this.addSource(entry.source, "in_progress");
    const outcomes = this.outcomes.get(entry.source)!;
    const errors = this.errors.get(entry.source)!;
    for (const [paperId, outcome] of Object.entries(entry.outcomes)) {
      if (!this.store.has(paperId)) continue;
      outcomes.set(paperId, outcome);
      const message = entry.errors?.[paperId];
      if (outcome === "failed" && message) errors.set(paperId, message);
      else errors.delete(paperId);
    }
  }

  /** Apply the counter and status part of a journal entry (not idempotent: apply each entry once). */
  applyToCounters(entry: JournalPayload): void {
    this.addSource(entry.source, "in_progress");
    const state = this.sources.get(entry.source)!;
    if (entry.type === "batch") {
      state.api_calls += entry.api_calls;
      if (entry.cached) state.papers_cached = (state.papers_cached ?? 0) + entry.cached;
      if (entry.cost_usd) state.cost_usd = addUsd(state.cost_usd ?? 0, entry.cost_usd);
    } else {
      state.status = entry.status;
      state.last_error = entry.last_error;
      state.resets_at = entry.resets_at ?? null;
      if (entry.connection_failures && Object.keys(entry.connection_failures).length > 0)
        state.connection_failures = addCounts(state.connection_failures, entry.connection_failures);
    }
  }

  /** A source's full state with counts derived from the outcomes. */
  sourceState(source: SourceName): SourceState {
    const base = this.sources.get(source) ?? {
      status: "pending",
      api_calls: 0,
      last_error: null,
      resets_at: null,
    };
    const {
      matched,
      not_found: notFound,
      failed,
    } = this.outcomes.get(source)?.counts() ?? {
      matched: 0,
      not_found: 0,
      failed: 0,
    };
    return {
      ...base,
      papers_cached: base.papers_cached ?? 0,
      ...(base.cost_usd ? { cost_usd: base.cost_usd } : {}),
      ...(base.connection_failures ? { connection_failures: { ...base.connection_failures } } : {}),
      papers_done: matched + notFound,
      papers_enriched: matched,
      papers_not_found: notFound,
      papers_failed: failed,
    };
  }

  /** Papers whose lookup by this source failed last time, in input order, with their last error. */
  failedPapers(source: SourceName): Array<{ paper_id: string; error: string }> {
    const outcomes = this.outcomes.get(source);
    const errors = this.errors.get(source);
    const ids = this.store.ids();
    const failed: Array<{ paper_id: string; error: string }> = [];
    for (let index = 0; index < ids.length; index++) {
      if (outcomes?.at(index) !== "failed") continue;
      const id = ids[index] as string;
      failed.push({ paper_id: id, error: errors?.get(id) ?? "unknown error" });
    }
    return failed;
  }

  /** Ids of the papers this source still has to look up (never done, or failed last time), in input order. */
  *pendingPaperIds(source: SourceName): Generator<string> {
    const outcomes = this.outcomes.get(source);
    const ids = this.store.ids();
    for (let index = 0; index < ids.length; index++) {
      const outcome = outcomes?.at(index);
      if (outcome === undefined || outcome === "failed") yield ids[index] as string;
    }
  }

  /** The papers this source still has to look up, in one list (tests and small sessions). */
  pendingPapers(source: SourceName): Paper[] {
    return [...this.pendingPaperIds(source)].map((id) => this.store.get(id) as Paper);
  }

  /** Release the files the papers are read from. */
  close(): void {
    this.store.close();
  }
}
