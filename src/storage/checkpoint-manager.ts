import path from "node:path";
import { InternalError, SessionLockedError } from "../errors.js";
import type { Paper } from "../model/paper.js";
import type { SourceName } from "../model/records.js";
import { BatchLane } from "./batch-lane.js";
import { GroupCommit } from "./group-commit.js";
import type { BatchEntry, JournalPayload } from "./journal-entries.js";
import {
  abandonSession,
  type CommonOptions,
  type CreateOptions,
  createSession,
  type OpenedSession,
  type OpenOptions,
  openSession,
  writeSessionFile,
} from "./open-session.js";
import type { AnswerStore, CacheEntry } from "./response-cache.js";
import type { SessionFile, SourceState, SourceStatus } from "./session-files.js";
import type { InputChanges, SameInput, SessionState } from "./session-state.js";
import { SnapshotWriter } from "./snapshot-writer.js";

/**
 * One consolidation session on disk (reliability §2.4, §2.5, §6), composed of:
 * - opening (open-session.ts): `create` or `open` verifies everything, falls back to the .bak with
 *   a warning, replays the journal, and refuses (changing nothing) when a file is corrupt;
 * - group commit (group-commit.ts): `recordBatch` appends a completed batch to the journal and
 *   fsyncs it before it counts, with the batches recorded meanwhile;
 * - snapshots (snapshot-writer.ts): `snapshot` writes a new generation, then empties the journal.
 * The session lock is held from create/open until close; every write runs in turn (`serial`).
 */

export interface BatchInput {
  source: SourceName;
  apiCalls: number;
  /** Papers of the batch answered by the response cache. */
  cached?: number;
  /** What the batch's requests cost in USD. */
  costUsd?: number;
  outcomes: BatchEntry["outcomes"];
  errors?: BatchEntry["errors"];
  updates: BatchEntry["updates"];
  /** The API answers behind the batch, for the response cache (not journaled). */
  answers?: readonly CacheEntry[];
}

export class CheckpointManager {
  private closed = false;
  /** Set when a journaled entry could not be applied: no snapshot may follow (see `assertHealthy`). */
  private broken: unknown;
  private queue: Promise<unknown> = Promise.resolve();
  private journalMs = 0;
  private readonly commits: GroupCommit<JournalPayload, number>;
  private readonly snapshots: SnapshotWriter;
  private answerStore: AnswerStore | undefined;
  /** The cache answers of batches waiting for their group commit. */
  private readonly answers = new WeakMap<JournalPayload, readonly CacheEntry[]>();

  private constructor(
    private readonly session: OpenedSession,
    options: CommonOptions,
  ) {
    const { state } = session;
    const apply = (entry: JournalPayload) => {
      this.assertHealthy();
      try {
        // Papers first: they alone read and write files (and may fail).
        const added = state.applyToPapers(entry);
        state.applyToProgress(entry);
        state.applyToCounters(entry);
        return added;
      } catch (error) {
        // The journal holds the entry, memory does not: never snapshot this state (which would
        // empty the journal); the session stays as the journal says, for a resume.
        this.broken = error;
        throw error;
      }
    };
    this.commits = new GroupCommit(
      (entries) => this.append(entries),
      apply,
      (commit) => this.serial(commit),
      {
        delayMs: options.journalCommitDelayMs,
        maxGroup: options.journalMaxGroup,
      },
    );
    const fence = () => this.assertLockHeld();
    const { fs, sessionDir, sessionId, journal, committed } = session;
    this.snapshots = new SnapshotWriter(fs, sessionDir, sessionId, journal, fence, committed);
  }

  /** Create a new session directory, lock it and write generation 0. */
  static async create(options: CreateOptions): Promise<CheckpointManager> {
    const session = await createSession(options);
    const manager = new CheckpointManager(session, options);
    // A failed first snapshot must not leave the journal's descriptor open nor the lock held.
    await manager.snapshot().catch(async (error: unknown) => {
      await abandonSession(session);
      throw error;
    });
    return manager;
  }

  /** Lock an existing session, verify and load it, replay its journal. Changes nothing if it refuses. */
  static async open(options: OpenOptions): Promise<CheckpointManager> {
    return new CheckpointManager(await openSession(options), options);
  }

  /** Warnings from opening (recovered backup, torn journal tail...), for the caller to show. */
  get warnings(): string[] {
    return this.session.warnings;
  }

  get sessionId(): string {
    return this.session.sessionId;
  }

  get sessionDir(): string {
    return this.session.sessionDir;
  }

  get state(): SessionState {
    return this.session.state;
  }

  /** Every paper in one list: for tests and small sessions only (see SessionState.papers). */
  readAllPapers(): Paper[] {
    return this.session.state.readAllPapers();
  }

  get sessionFile(): SessionFile {
    return this.session.file;
  }

  /** Milliseconds spent journaling (fencing check, write, fsync) since this manager was opened. */
  get journalTimeMs(): number {
    return this.journalMs;
  }

  /** When the last snapshot was committed (ISO), if any. */
  get lastCheckpointTime(): string | undefined {
    return this.snapshots.lastSavedAt;
  }

  get currentGeneration(): number {
    return this.snapshots.generation;
  }

  /**
   * From now on, hand each journal group's API answers to `store` (the response cache) in the same
   * turn as the group's write, just before it. Batches recorded before this keep none.
   */
  storeAnswersIn(store: AnswerStore): void {
    this.answerStore = store;
  }

  /** Make sure a source is tracked (a source added on resume starts from scratch). */
  addSource(source: SourceName): void {
    this.state.addSource(source, "in_progress");
  }

  sourceState(source: SourceName): SourceState {
    return this.state.sourceState(source);
  }

  /**
   * Journal a completed batch (fsynced), then apply it. Returns how many records were added. The
   * batch waits up to the commit delay (or until `flushJournal`) to be written with the batches
   * recorded meanwhile; the promise settles with its group.
   */
  recordBatch(batch: BatchInput): Promise<number> {
    const entry: JournalPayload = {
      type: "batch",
      source: batch.source,
      at: this.session.now().toISOString(),
      api_calls: batch.apiCalls,
      ...(batch.cached ? { cached: batch.cached } : {}),
      ...(batch.costUsd ? { cost_usd: batch.costUsd } : {}),
      outcomes: batch.outcomes,
      ...(batch.errors ? { errors: batch.errors } : {}),
      updates: batch.updates,
    };
    if (batch.answers && batch.answers.length > 0 && this.answerStore) this.answers.set(entry, batch.answers);
    return this.commits.add(entry);
  }

  /**
   * A worker's lane of batches: each is journaled after the previous one while the worker looks up
   * the next, and the worker waits for a batch only when its next one is ready (see BatchLane).
   */
  batchLane(): BatchLane<BatchInput> {
    return new BatchLane(
      (batch) => this.recordBatch(batch),
      () => this.flushJournal(),
    );
  }

  /** Write the batches waiting for a group commit now (a caller needs them durable before going on). */
  flushJournal(): void {
    this.commits.flush();
  }

  /** Journal a source status change (e.g. budget exhausted), then apply it. */
  setSourceStatus(
    source: SourceName,
    status: SourceStatus,
    lastError: string | null = null,
    resetsAt: string | null = null,
  ): Promise<void> {
    return this.serial(async () => {
      const entry: JournalPayload = {
        type: "source_status",
        source,
        at: this.session.now().toISOString(),
        status,
        last_error: lastError,
        resets_at: resetsAt,
      };
      await this.commits.commit([entry]); // after the batches recorded before it
      this.state.applyToCounters(entry);
      if (status !== "completed") this.session.completion.completedAt = null; // work resumed: no longer finished
    });
  }

  /**
   * Journal attempts of `source` that got no HTTP answer, by cause, to add to its
   * `connection_failures` (its status stays as it is). Nothing when there are none.
   */
  recordConnectionFailures(source: SourceName, failures: Readonly<Record<string, number>>): Promise<void> {
    const counts = Object.fromEntries(Object.entries(failures).filter(([, count]) => count > 0));
    if (Object.keys(counts).length === 0) return Promise.resolve();
    return this.serial(async () => {
      const now = this.state.sourceState(source);
      const entry: JournalPayload = {
        type: "source_status",
        source,
        at: this.session.now().toISOString(),
        status: now.status,
        last_error: now.last_error,
        resets_at: now.resets_at ?? null,
        connection_failures: counts,
      };
      await this.commits.commit([entry]); // after the batches recorded before it
      this.state.applyToCounters(entry);
    });
  }

  /**
   * Run session mutations one at a time: journal appends must not interleave, and a snapshot must
   * not race an append (the append would land in the journal the snapshot is about to empty).
   */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Write entries to the journal with consecutive sequence numbers, after the fencing check. */
  private async append(entries: readonly JournalPayload[]): Promise<void> {
    this.assertOpen();
    const started = performance.now();
    try {
      await this.assertLockHeld();
      // The group's answers reach the cache (one transaction) before its journal write: a kill
      // between the two leaves answers the cache has and the journal lacks, never the reverse.
      const answers = entries.flatMap((entry) => this.answers.get(entry) ?? []);
      if (answers.length > 0) this.answerStore?.putMany(answers);
      const first = this.session.nextSeq;
      await this.session.journal.appendMany(entries.map((payload, i) => ({ seq: first + i, payload })));
      this.session.nextSeq = first + entries.length;
    } finally {
      this.journalMs += performance.now() - started;
    }
  }

  /**
   * Write a new generation: data files first, then checkpoint.json as the single commit point,
   * then empty the journal. On failure the previous generation stays intact and loadable.
   */
  snapshot(): Promise<{ generation: number; durationMs: number }> {
    return this.serial(() => this.writeSnapshot());
  }

  private async writeSnapshot(): Promise<{ generation: number; durationMs: number }> {
    this.assertOpen();
    this.assertHealthy();
    await this.commits.commit(); // batches recorded before the snapshot belong in it
    const started = performance.now();
    const generation = await this.snapshots.write({
      state: this.state,
      inputFile: this.session.file.input_file ?? "",
      journalSeq: this.session.nextSeq - 1,
      savedAt: this.session.now().toISOString(),
      ...this.session.completion,
    });
    return { generation, durationMs: performance.now() - started };
  }

  /** What adopting `papers` as the input would change (see SessionState.reconcile), changing nothing. */
  previewInput(papers: readonly Paper[], sameInput?: SameInput): InputChanges {
    return this.state.previewReconcile(papers, sameInput);
  }

  /**
   * Adopt a changed input file (see SessionState.reconcile): records the new file in session.json
   * and commits the change with a snapshot.
   */
  adoptInput(input: {
    file: string;
    sha256: string;
    papers: Paper[];
    sameInput?: SameInput | undefined;
  }): Promise<InputChanges> {
    return this.serial(async () => {
      const changes = this.state.reconcile(input.papers, input.sameInput);
      this.session.completion.completedAt = null;
      this.session.file = {
        ...this.session.file,
        input_file: path.resolve(input.file),
        input_sha256: input.sha256,
        input_papers: input.papers.length,
      };
      await writeSessionFile(this.session.fs, this.sessionDir, this.session.file);
      await this.writeSnapshot();
      return changes;
    });
  }

  /** Mark the session completed (it stops being resumable) with a final snapshot. */
  complete(outputFile: string): Promise<void> {
    return this.serial(async () => {
      this.session.completion = {
        completedAt: this.session.now().toISOString(),
        outputFile: path.resolve(outputFile),
      };
      await this.writeSnapshot();
    });
  }

  /** Close the journal and release the lock; safe to call more than once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flushJournal();
    await this.queue;
    this.closed = true;
    this.session.state.close();
    await this.session.journal.close();
    await this.session.lock.release();
  }

  /** Fencing: never write after another process took the lock over (checked before every write). */
  private async assertLockHeld(): Promise<void> {
    if (await this.session.lock.verify()) return;
    throw new SessionLockedError(`lost the lock on session ${this.sessionId}: another process took it over`, {
      hint: "Another cf process is working on this session; this one stops without writing.",
    });
  }

  /** Throws the error that left memory behind the journal, if any. */
  private assertHealthy(): void {
    if (this.broken !== undefined) throw this.broken;
  }

  private assertOpen(): void {
    if (this.closed) throw new InternalError(`session ${this.sessionId} is closed`);
  }
}
