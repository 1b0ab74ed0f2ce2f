import { hostname as osHostname } from "node:os";
import path from "node:path";
import { isErrnoException, SessionLockedError, SessionNotFoundError } from "../errors.js";
import type { Paper } from "../model/paper.js";
import type { SourceName } from "../model/records.js";
import { VERSION } from "../version.js";
import { removeTempFiles, storageError, type WrittenFile, writeFileAtomic } from "./atomic-write.js";
import { nodeStorageFs, type StorageFs } from "./fs.js";
import { JOURNAL_FILE, JournalWriter } from "./journal.js";
import { removeScratchFiles } from "./line-files.js";
import { loadSession, storeOf } from "./load-session.js";
import { InputHashColumn } from "./paper-columns.js";
import { SESSION_FILE, type SessionFile } from "./session-files.js";
import { generateSessionId, validateSessionId } from "./session-id.js";
import { acquireSessionLock, type SessionLock } from "./session-lock.js";
import { inputHash, SessionState } from "./session-state.js";
import type { CommittedCheckpoint, Completion } from "./snapshot-writer.js";

/**
 * Opening a session directory: create a new one, or lock an existing one, verify and load it; both
 * take the session lock and (re)write session.json. A failed opening closes what it opened and
 * releases the lock; refusing a damaged session changes nothing.
 */

export interface CommonOptions {
  /** The checkpoint directory holding all sessions. */
  baseDir: string;
  /**
   * Longest a recorded batch waits to be written with others (group commit; a run uses
   * JOURNAL_COMMIT_DELAY_MS); `flushJournal` writes at once. 0 (the default) writes each batch as
   * soon as the previous write is done.
   */
  journalCommitDelayMs?: number;
  /** Most batches per group commit (default: no limit). Tests set 1 for a repeatable operation order. */
  journalMaxGroup?: number;
  /** The session files' fs (default: the real one, `nodeStorageFs`). */
  fs?: StorageFs;
  now?: () => Date;
  hostname?: string;
}

export interface CreateOptions extends CommonOptions {
  sessionId?: string;
  inputFile: string;
  /** Undefined when there is no input file to hash (a Python session adopted without its input). */
  inputSha256: string | undefined;
  /** Read once, one paper at a time (a stream of the input file, issue 16). */
  papers: Iterable<Paper>;
  sources: readonly SourceName[];
  checkpointIntervalMinutes: number;
  /** The run's options; keys that look like secrets are dropped before writing. */
  options?: Record<string, unknown>;
  /**
   * Papers already done (matched) per source when the session begins, e.g. by the Python tool's
   * session it continues: written with generation 0, so the session never exists without them.
   */
  outcomes?: Partial<Record<SourceName, Iterable<string>>>;
  /** The Python tool's session this one continues, recorded in session.json. */
  adoptedFrom?: { session_id: string; dir: string; basis?: "input" | "session" };
  /**
   * Per paper, the hash of its input form, when `papers` are not as the input gave them (a Python
   * session's enriched papers: see core/adopt-python.ts); default the hash of each paper.
   */
  inputHashes?: Record<string, string>;
}

export interface OpenOptions extends CommonOptions {
  sessionId: string;
  /** New run options to record in session.json (created_at is kept). */
  options?: Record<string, unknown>;
}

/** A session opened for writing, its lock held and its journal open. */
export interface OpenedSession {
  sessionId: string;
  sessionDir: string;
  fs: StorageFs;
  now: () => Date;
  lock: SessionLock;
  journal: JournalWriter;
  /** session.json as last written. */
  file: SessionFile;
  state: SessionState;
  /** The sequence number of the next journal record. */
  nextSeq: number;
  /** The checkpoint found (none for a new session: its first snapshot is still to be written). */
  committed: CommittedCheckpoint | undefined;
  /** What the next snapshot records as completed_at and output_file (null while work remains). */
  completion: Completion;
  /** Warnings from loading (recovered backup, torn journal tail...), for the caller to show. */
  warnings: string[];
}

const SECRET_KEY = /key|token|secret|password|passwd|credential/i;

/** A copy of run options without anything that looks like a secret. */
function withoutSecrets(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([key]) => !SECRET_KEY.test(key)));
}

/** Create a new session directory, lock it and write session.json (the first snapshot is the caller's). */
export async function createSession(options: CreateOptions): Promise<OpenedSession> {
  const fs = options.fs ?? nodeStorageFs;
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
  const held = { sessionId, sessionDir, fs, now, lock };
  return holdingLock(lock, async (opened) => {
    // The papers first: they are read once, and session.json records how many there are.
    const hashes: string[] = [];
    const store = storeOf(options.inputHashes ? options.papers : hashing(options.papers, hashes), sessionDir);
    const state = new SessionState(
      store,
      options.sources,
      // One hash per stored paper, in order (a repeated id would have replaced a paper: then each
      // paper is hashed as stored).
      options.inputHashes ??
        (hashes.length === store.size ? InputHashColumn.fromCodes(store, hashes.join("")) : undefined),
    );
    return withState(state, async () => {
      const created = now().toISOString();
      const file: SessionFile = {
        session_id: sessionId,
        created_at: created,
        updated_at: created,
        pid: process.pid,
        hostname: options.hostname ?? osHostname(),
        cf_version: VERSION,
        input_file: path.resolve(options.inputFile),
        ...(options.inputSha256 !== undefined ? { input_sha256: options.inputSha256 } : {}),
        input_papers: store.size,
        sources: [...options.sources],
        checkpoint_interval_minutes: options.checkpointIntervalMinutes,
        options: withoutSecrets(options.options ?? {}),
        ...(options.adoptedFrom ? { adopted_from: options.adoptedFrom } : {}),
      };
      await writeSessionFile(fs, sessionDir, file);
      const journal = opened(await JournalWriter.open(fs, path.join(sessionDir, JOURNAL_FILE)));
      for (const source of options.sources) {
        const outcomes = state.outcomes.get(source)!;
        for (const id of options.outcomes?.[source] ?? []) if (state.has(id)) outcomes.set(id, "matched");
      }
      const completion = { completedAt: null, outputFile: null };
      return { ...held, journal, file, state, nextSeq: 1, committed: undefined, completion, warnings: [] };
    });
  });
}

/**
 * The papers, each one's input hash added to `hashes` as it passes (in order: a column's codes, not
 * an object of a million keys).
 */
function* hashing(papers: Iterable<Paper>, hashes: string[]): Generator<Paper> {
  for (const paper of papers) {
    hashes.push(inputHash(paper));
    yield paper;
  }
}

/** Lock an existing session, verify and load it, replay its journal. Changes nothing if it refuses. */
export async function openSession(options: OpenOptions): Promise<OpenedSession> {
  const fs = options.fs ?? nodeStorageFs;
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
  const held = { sessionId, sessionDir, fs, now, lock };
  return holdingLock(lock, async (opened) => {
    const loaded = await loadSession(fs, sessionDir);
    return withState(loaded.state, async () => {
      // Only now, with everything verified, may the directory change.
      await removeTempFiles(fs, sessionDir);
      await removeScratchFiles(fs, sessionDir);
      const journalPath = path.join(sessionDir, JOURNAL_FILE);
      const journal = opened(await JournalWriter.open(fs, journalPath, loaded.journalGoodBytes));
      const file: SessionFile = {
        ...loaded.session,
        updated_at: now().toISOString(),
        pid: process.pid,
        hostname: options.hostname ?? osHostname(),
        cf_version: VERSION,
        ...(options.options ? { options: withoutSecrets(options.options) } : {}),
      };
      await writeSessionFile(fs, sessionDir, file);
      const { checkpoint, state, nextSeq, warnings } = loaded;
      const committed = {
        generation: checkpoint.generation,
        text: loaded.checkpointText,
        savedAt: checkpoint.last_checkpoint_time,
      };
      const completion = { completedAt: checkpoint.completed_at, outputFile: checkpoint.output_file };
      return { ...held, journal, file, state, nextSeq, committed, completion, warnings };
    });
  });
}

/** Run the rest of an opening; if it fails, release the files `state` reads its papers from. */
async function withState<T>(state: SessionState, rest: () => Promise<T>): Promise<T> {
  try {
    return await rest();
  } catch (error) {
    state.close();
    throw error;
  }
}

/** Write session.json (pretty-printed, atomically). */
export function writeSessionFile(fs: StorageFs, sessionDir: string, file: SessionFile): Promise<WrittenFile> {
  return writeFileAtomic(fs, path.join(sessionDir, SESSION_FILE), `${JSON.stringify(file, null, 2)}\n`);
}

/** Give up an opened session: close its journal (no descriptor left open) and release its lock. */
export async function abandonSession(session: {
  journal?: JournalWriter | undefined;
  lock: SessionLock;
  state?: SessionState | undefined;
}) {
  session.state?.close();
  await session.journal?.close();
  await session.lock.release().catch(() => undefined);
}

/** Run the rest of an opening holding `lock`; if it fails, close the journal it opened and release the lock. */
async function holdingLock<T>(
  lock: SessionLock,
  rest: (opened: (journal: JournalWriter) => JournalWriter) => Promise<T>,
): Promise<T> {
  let journal: JournalWriter | undefined;
  try {
    return await rest((opened) => {
      journal = opened;
      return opened;
    });
  } catch (error) {
    await abandonSession({ journal, lock });
    throw error;
  }
}

function lockOptions(options: CommonOptions) {
  return {
    ...(options.hostname ? { hostname: options.hostname } : {}),
    ...(options.now ? { now: options.now } : {}),
  };
}
