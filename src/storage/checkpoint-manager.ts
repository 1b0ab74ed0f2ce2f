import { hostname as osHostname } from "node:os";
import path from "node:path";
import { isErrnoException, SessionLockedError, SessionNotFoundError } from "../errors.js";
import type { Paper } from "../model/paper.js";
import type { SourceName } from "../model/records.js";
import { VERSION } from "../version.js";
import { isTempFileName, storageError, writeFileAtomic } from "./atomic-write.js";
import { withChecksum } from "./checksum.js";
import { defaultStorageFs, type StorageFs } from "./fs.js";
import { JOURNAL_FILE, JournalWriter } from "./journal.js";
import type { BatchEntry, JournalPayload } from "./journal-entries.js";
import { loadSession } from "./load-session.js";
import { PAPERS_FILE, writePapersFile } from "./papers-file.js";
import {
  CHECKPOINT_BACKUP_FILE,
  CHECKPOINT_FILE,
  CHECKPOINT_FORMAT,
  CHECKPOINT_FORMAT_VERSION,
  type Checkpoint,
  type FileRef,
  PROGRESS_FILE,
  type ProgressFile,
  SESSION_FILE,
  type SessionFile,
  type SourceState,
  type SourceStatus,
} from "./session-files.js";
import { generateSessionId, validateSessionId } from "./session-id.js";
import { acquireSessionLock, type SessionLock } from "./session-lock.js";
import { type InputChanges, SessionState } from "./session-state.js";

/**
 * One consolidation session on disk (reliability §2.4, §2.5, §6):
 * - `recordBatch` appends a completed batch to the journal and fsyncs it before it counts;
 * - `snapshot` writes papers_enriched.json and progress.json, then checkpoint.json last as the
 *   commit record (previous one kept as checkpoint.json.bak), then empties the journal;
 * - `open` verifies everything, falls back to the .bak with a warning, replays the journal, and
 *   refuses (changing nothing) when a file is corrupt.
 * The session lock is held from create/open until close.
 */

export interface CommonOptions {
  /** The checkpoint directory holding all sessions. */
  baseDir: string;
  /**
   * Longest a recorded batch waits to be written with others (group commit); `flushJournal` writes
   * at once. 0 (the default) writes each batch as soon as the previous write is done.
   */
  journalCommitDelayMs?: number;
  /** Most batches per group commit (default: no limit). Tests set 1 for a repeatable operation order. */
  journalMaxGroup?: number;
  fs?: StorageFs;
  now?: () => Date;
  hostname?: string;
}

export interface CreateOptions extends CommonOptions {
  sessionId?: string;
  inputFile: string;
  inputSha256: string;
  papers: Paper[];
  sources: readonly SourceName[];
  checkpointIntervalMinutes: number;
  /** The run's options; keys that look like secrets are dropped before writing. */
  options?: Record<string, unknown>;
}

export interface OpenOptions extends CommonOptions {
  sessionId: string;
  /** New run options to record in session.json (created_at is kept). */
  options?: Record<string, unknown>;
}

export interface BatchInput {
  source: SourceName;
  apiCalls: number;
  outcomes: BatchEntry["outcomes"];
  errors?: BatchEntry["errors"];
  updates: BatchEntry["updates"];
}

interface ManagerInit {
  sessionId: string;
  sessionDir: string;
  fs: StorageFs;
  now: () => Date;
  lock: SessionLock;
  session: SessionFile;
  state: SessionState;
  journal: JournalWriter;
  generation: number;
  nextSeq: number;
  lastCheckpointText: string | undefined;
  completedAt: string | null;
  outputFile: string | null;
  journalCommitDelayMs: number | undefined;
  journalMaxGroup: number | undefined;
}

const SECRET_KEY = /key|token|secret|password|passwd|credential/i;

/** A copy of run options without anything that looks like a secret. */
export function withoutSecrets(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([key]) => !SECRET_KEY.test(key)));
}

export class CheckpointManager {
  /** Warnings from opening (recovered backup, torn journal tail...), for the caller to show. */
  readonly warnings: string[] = [];
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly commitDelayMs: number;
  private readonly maxGroup: number;
  private commitTimer: NodeJS.Timeout | undefined;
  /** A group commit is queued in `serial` and will take every waiting batch. */
  private commitQueued = false;
  /** Batches waiting for the next group commit (see recordBatch). */
  private readonly pendingBatches: {
    entry: JournalPayload;
    resolve: (added: number) => void;
    reject: (error: unknown) => void;
  }[] = [];
  private journalMs = 0;

  readonly sessionId: string;
  readonly sessionDir: string;
  readonly state: SessionState;
  private readonly fs: StorageFs;
  private readonly now: () => Date;
  private readonly lock: SessionLock;
  private session: SessionFile;
  private readonly journal: JournalWriter;
  private generation: number;
  private nextSeq: number;
  private lastCheckpointText: string | undefined;
  private completedAt: string | null;
  private outputFile: string | null;
  private lastCheckpointAt: string | undefined;

  private constructor(init: ManagerInit) {
    this.sessionId = init.sessionId;
    this.sessionDir = init.sessionDir;
    this.state = init.state;
    this.fs = init.fs;
    this.now = init.now;
    this.lock = init.lock;
    this.session = init.session;
    this.journal = init.journal;
    this.generation = init.generation;
    this.nextSeq = init.nextSeq;
    this.lastCheckpointText = init.lastCheckpointText;
    this.completedAt = init.completedAt;
    this.outputFile = init.outputFile;
    this.commitDelayMs = init.journalCommitDelayMs ?? 0;
    this.maxGroup = init.journalMaxGroup ?? Number.POSITIVE_INFINITY;
  }

  /** Create a new session directory, lock it and write generation 0. */
  static async create(options: CreateOptions): Promise<CheckpointManager> {
    const fs = options.fs ?? defaultStorageFs();
    const now = options.now ?? (() => new Date());
    const sessionId = options.sessionId ? validateSessionId(options.sessionId) : generateSessionId(now());
    const sessionDir = path.join(options.baseDir, sessionId);
    try {
      await fs.mkdir(options.baseDir);
      await fs.lstat(sessionDir).then(
        () => {
          throw new SessionLockedError(`session ${sessionId} already exists in ${options.baseDir}`, {
            hint: "Resume it with --resume --session-id, or choose another id.",
          });
        },
        (error: unknown) => {
          if (!(isErrnoException(error) && error.code === "ENOENT")) throw error;
        },
      );
      await fs.mkdir(sessionDir);
      await fs.syncDir(options.baseDir);
    } catch (error) {
      if (error instanceof SessionLockedError) throw error;
      throw storageError(`creating ${sessionDir}`, error);
    }
    const lock = await acquireSessionLock(sessionDir, lockOptions(options));
    let journal: JournalWriter | undefined;
    try {
      const created = now().toISOString();
      const session: SessionFile = {
        session_id: sessionId,
        created_at: created,
        updated_at: created,
        pid: process.pid,
        hostname: options.hostname ?? osHostname(),
        cf_version: VERSION,
        input_file: path.resolve(options.inputFile),
        input_sha256: options.inputSha256,
        input_papers: options.papers.length,
        sources: [...options.sources],
        checkpoint_interval_minutes: options.checkpointIntervalMinutes,
        options: withoutSecrets(options.options ?? {}),
      };
      await writeFileAtomic(fs, path.join(sessionDir, SESSION_FILE), `${JSON.stringify(session, null, 2)}\n`);
      journal = await JournalWriter.open(fs, path.join(sessionDir, JOURNAL_FILE));
      const state = new SessionState(options.papers, options.sources);
      const manager = new CheckpointManager({
        sessionId,
        sessionDir,
        fs,
        now,
        lock,
        session,
        state,
        journal,
        generation: -1,
        nextSeq: 1,
        lastCheckpointText: undefined,
        completedAt: null,
        outputFile: null,
        journalCommitDelayMs: options.journalCommitDelayMs,
        journalMaxGroup: options.journalMaxGroup,
      });
      await manager.snapshot();
      return manager;
    } catch (error) {
      await journal?.close(); // a failed first snapshot must not leave the journal's descriptor open
      await lock.release().catch(() => undefined);
      throw error;
    }
  }

  /** Lock an existing session, verify and load it, replay its journal. Changes nothing if it refuses. */
  static async open(options: OpenOptions): Promise<CheckpointManager> {
    const fs = options.fs ?? defaultStorageFs();
    const now = options.now ?? (() => new Date());
    const sessionId = validateSessionId(options.sessionId);
    const sessionDir = path.join(options.baseDir, sessionId);
    const info = await fs.lstat(sessionDir).catch(() => undefined);
    if (!info?.isDirectory()) {
      throw new SessionNotFoundError(`no session ${sessionId} in ${options.baseDir}`, {
        hint: "List sessions with `cf consolidate-sessions list --all`.",
      });
    }
    const lock = await acquireSessionLock(sessionDir, lockOptions(options));
    let journal: JournalWriter | undefined;
    try {
      const loaded = await loadSession(fs, sessionDir);
      // Only now, with everything verified, may the directory change.
      await sweepTempFiles(fs, sessionDir);
      journal = await JournalWriter.open(fs, path.join(sessionDir, JOURNAL_FILE), loaded.journalGoodBytes);
      const session: SessionFile = {
        ...loaded.session,
        updated_at: now().toISOString(),
        pid: process.pid,
        hostname: options.hostname ?? osHostname(),
        cf_version: VERSION,
        ...(options.options ? { options: withoutSecrets(options.options) } : {}),
      };
      await writeFileAtomic(fs, path.join(sessionDir, SESSION_FILE), `${JSON.stringify(session, null, 2)}\n`);
      const manager = new CheckpointManager({
        sessionId,
        sessionDir,
        fs,
        now,
        lock,
        session,
        state: loaded.state,
        journal,
        generation: loaded.checkpoint.generation,
        nextSeq: loaded.nextSeq,
        lastCheckpointText: loaded.checkpointText,
        completedAt: loaded.checkpoint.completed_at,
        outputFile: loaded.checkpoint.output_file,
        journalCommitDelayMs: options.journalCommitDelayMs,
        journalMaxGroup: options.journalMaxGroup,
      });
      manager.warnings.push(...loaded.warnings);
      manager.lastCheckpointAt = loaded.checkpoint.last_checkpoint_time;
      return manager;
    } catch (error) {
      await journal?.close(); // e.g. session.json could not be written: no descriptor left open
      await lock.release().catch(() => undefined);
      throw error;
    }
  }

  get papers(): readonly Paper[] {
    return this.state.papers;
  }

  get sessionFile(): SessionFile {
    return this.session;
  }

  /** Milliseconds spent journaling (fencing check, write, fsync) since this manager was opened. */
  get journalTimeMs(): number {
    return this.journalMs;
  }

  /** When the last snapshot was committed (ISO), if any. */
  get lastCheckpointTime(): string | undefined {
    return this.lastCheckpointAt;
  }

  get currentGeneration(): number {
    return this.generation;
  }

  /** Make sure a source is tracked (a source added on resume starts from scratch). */
  addSource(source: SourceName): void {
    this.state.addSource(source, "in_progress");
  }

  sourceState(source: SourceName): SourceState {
    return this.state.sourceState(source);
  }

  /**
   * Journal a completed batch (fsynced), then apply it. Returns how many records were added.
   * Group commit: a batch waits up to the commit delay (or until `flushJournal`) and is written with
   * every other batch recorded meanwhile, with one write and one fsync; each promise settles with
   * its group. A fsync costs about 1.5 ms whatever it carries, and title searches complete one
   * paper per request, so committing each alone made journaling a few percent of a run.
   */
  recordBatch(batch: BatchInput): Promise<number> {
    const entry: JournalPayload = {
      type: "batch",
      source: batch.source,
      at: this.now().toISOString(),
      api_calls: batch.apiCalls,
      outcomes: batch.outcomes,
      ...(batch.errors ? { errors: batch.errors } : {}),
      updates: batch.updates,
    };
    return new Promise<number>((resolve, reject) => {
      this.pendingBatches.push({ entry, resolve, reject });
      if (this.pendingBatches.length > 1 || this.commitQueued) return;
      if (this.commitDelayMs <= 0) this.flushJournal();
      else this.commitTimer ??= setTimeout(() => this.flushJournal(), this.commitDelayMs);
    });
  }

  /** Write the batches waiting for a group commit now (a caller needs them durable before going on). */
  flushJournal(): void {
    if (this.commitTimer) clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    if (this.pendingBatches.length === 0 || this.commitQueued) return;
    this.commitQueued = true;
    void this.serial(() => this.commitGroup().catch(() => undefined));
  }

  /**
   * Journal the waiting batches and `extra` entries with one write and one fsync, then apply the
   * batches. Runs inside `serial`. On failure every waiting batch is rejected and the error thrown.
   */
  private async commitGroup(extra: JournalPayload[] = []): Promise<void> {
    if (this.commitTimer) clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    this.commitQueued = false;
    for (;;) {
      const group = this.pendingBatches.splice(0, this.maxGroup);
      const last = this.pendingBatches.length === 0; // `extra` goes after every waiting batch
      const entries = [...group.map((item) => item.entry), ...(last ? extra : [])];
      if (entries.length === 0) return;
      try {
        await this.append(entries);
      } catch (error) {
        // The journal refuses appends after a failed one (see JournalWriter): none can be written.
        for (const item of [...group, ...this.pendingBatches.splice(0)]) item.reject(error);
        throw error;
      }
      for (const item of group) {
        this.state.applyToProgress(item.entry);
        this.state.applyToCounters(item.entry);
        item.resolve(this.state.applyToPapers(item.entry));
      }
      if (last) return;
    }
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
        at: this.now().toISOString(),
        status,
        last_error: lastError,
        resets_at: resetsAt,
      };
      await this.commitGroup([entry]); // after the batches recorded before it
      this.state.applyToCounters(entry);
      if (status !== "completed") this.completedAt = null; // work resumed: no longer finished
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
      const first = this.nextSeq;
      await this.journal.appendMany(entries.map((payload, i) => ({ seq: first + i, payload })));
      this.nextSeq = first + entries.length;
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
    await this.commitGroup(); // batches recorded before the snapshot belong in it
    const started = performance.now();
    const generation = this.generation + 1;
    const journalSeq = this.nextSeq - 1;
    const savedAt = this.now().toISOString();
    const papers = this.state.papers;
    const papersRef = await writePapersFile(
      this.fs,
      path.join(this.sessionDir, PAPERS_FILE),
      {
        total_papers: papers.length,
        unique_paper_ids: this.state.byId.size,
        saved_at: savedAt,
        generation,
        journal_seq: journalSeq,
      },
      papers,
    );
    const progress: ProgressFile = {
      generation,
      journal_seq: journalSeq,
      sources: Object.fromEntries([...this.state.outcomes].map(([s, m]) => [s, Object.fromEntries(m)])),
      errors: Object.fromEntries([...this.state.errors].map(([s, m]) => [s, Object.fromEntries(m)])),
      input_hashes: Object.fromEntries(this.state.inputHashes),
    };
    const progressRef = await writeFileAtomic(
      this.fs,
      path.join(this.sessionDir, PROGRESS_FILE),
      `${JSON.stringify(progress)}\n`,
    );
    const checkpoint: Omit<Checkpoint, "checksum"> = {
      format: CHECKPOINT_FORMAT,
      format_version: CHECKPOINT_FORMAT_VERSION,
      session_id: this.sessionId,
      input_file: this.session.input_file ?? "",
      total_papers: papers.length,
      generation,
      journal_seq: journalSeq,
      sources: Object.fromEntries([...this.state.sources.keys()].map((s) => [s, this.state.sourceState(s)])),
      files: { papers: ref(generation, papersRef), progress: ref(generation, progressRef) },
      completed_at: this.completedAt,
      output_file: this.outputFile,
      last_checkpoint_time: savedAt,
      timestamp: savedAt,
    };
    const text = withChecksum(checkpoint);
    await this.assertLockHeld();
    if (this.lastCheckpointText !== undefined) {
      await writeFileAtomic(
        this.fs,
        path.join(this.sessionDir, CHECKPOINT_BACKUP_FILE),
        this.lastCheckpointText,
      );
    }
    await writeFileAtomic(this.fs, path.join(this.sessionDir, CHECKPOINT_FILE), text);
    this.lastCheckpointText = text;
    this.lastCheckpointAt = savedAt;
    this.generation = generation;
    // Committed. Emptying the journal is only housekeeping: its records are all at or below journal_seq.
    await writeFileAtomic(this.fs, path.join(this.sessionDir, JOURNAL_FILE), "");
    await this.journal.reopen();
    return { generation, durationMs: performance.now() - started };
  }

  /**
   * Adopt a changed input file (see SessionState.reconcile): records the new file in session.json
   * and commits the change with a snapshot.
   */
  adoptInput(input: { file: string; sha256: string; papers: Paper[] }): Promise<InputChanges> {
    return this.serial(async () => {
      const changes = this.state.reconcile(input.papers);
      this.completedAt = null;
      this.session = {
        ...this.session,
        input_file: path.resolve(input.file),
        input_sha256: input.sha256,
        input_papers: input.papers.length,
      };
      await writeFileAtomic(
        this.fs,
        path.join(this.sessionDir, SESSION_FILE),
        `${JSON.stringify(this.session, null, 2)}\n`,
      );
      await this.writeSnapshot();
      return changes;
    });
  }

  /** Mark the session completed (it stops being resumable) with a final snapshot. */
  complete(outputFile: string): Promise<void> {
    return this.serial(async () => {
      this.completedAt = this.now().toISOString();
      this.outputFile = path.resolve(outputFile);
      await this.writeSnapshot();
    });
  }

  /** Close the journal and release the lock; safe to call more than once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flushJournal();
    await this.queue;
    this.closed = true;
    await this.journal.close();
    await this.lock.release();
  }

  /** Fencing: never write after another process took the lock over (checked before every write). */
  private async assertLockHeld(): Promise<void> {
    if (await this.lock.verify()) return;
    throw new SessionLockedError(`lost the lock on session ${this.sessionId}: another process took it over`, {
      hint: "Another cf process is working on this session; this one stops without writing.",
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`session ${this.sessionId} is closed`);
  }
}

function ref(generation: number, written: { sha256: string; bytes: number }): FileRef {
  return { generation, sha256: written.sha256, bytes: written.bytes };
}

function lockOptions(options: CommonOptions) {
  return {
    ...(options.hostname ? { hostname: options.hostname } : {}),
    ...(options.now ? { now: options.now } : {}),
  };
}

/** Remove temp files left by interrupted writes (only while holding the lock). */
async function sweepTempFiles(fs: StorageFs, sessionDir: string): Promise<void> {
  for (const name of await fs.readdir(sessionDir)) {
    if (isTempFileName(name)) await fs.unlink(path.join(sessionDir, name)).catch(() => undefined);
  }
}
