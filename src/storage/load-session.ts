import { createHash } from "node:crypto";
import path from "node:path";
import { isErrnoException, SessionCorruptError } from "../errors.js";
import { type Paper, parsePaper } from "../model/paper.js";
import { storageError } from "./atomic-write.js";
import { checkpointCorruptError, legacySessionError, readCheckpoint } from "./checkpoint-file.js";
import { nodeStorageFs, type StorageFs } from "./fs.js";
import { hashFileOffThread } from "./hash-off-thread.js";
import { JOURNAL_FILE, readJournal } from "./journal.js";
import { journalEntrySchema } from "./journal-entries.js";
import { FileScratch, ReadOnlyLines } from "./line-files.js";
import { PaperStore } from "./paper-store.js";
import {
  locatePapersByLengths,
  PAPERS_FILE,
  readPapersFile,
  type ScannedPapersFile,
  scanPapersFile,
} from "./papers-file.js";
import { columnsOf } from "./progress-codec.js";
import {
  type Checkpoint,
  type FileRef,
  PROGRESS_FILE,
  type ProgressFile,
  progressSchemaFor,
  SESSION_FILE,
  type SessionFile,
  sessionFileSchema,
} from "./session-files.js";
import { SessionState } from "./session-state.js";
import { describeZodError } from "./zod-problem.js";

/** Everything `CheckpointManager.open` needs, verified, with the journal replayed. Read-only. */
export interface LoadedSession {
  session: SessionFile;
  checkpoint: Checkpoint;
  checkpointText: string;
  state: SessionState;
  nextSeq: number;
  journalGoodBytes: number;
  warnings: string[];
}

/** Load and verify a session directory without changing it; throws SessionCorruptError naming the file. */
export async function loadSession(fs: StorageFs, sessionDir: string): Promise<LoadedSession> {
  const warnings: string[] = [];
  const papersPath = path.join(sessionDir, PAPERS_FILE);
  // Hashed on another thread while this one reads the rest (on the real file system only: a test's
  // file system seam sees every read).
  const digest = fs === nodeStorageFs ? hashFileOffThread(papersPath) : undefined;
  digest?.catch(() => undefined); // a failure is seen where it is awaited, or not at all

  const session = await readSessionFile(fs, sessionDir);
  const read = await readCheckpoint(fs, sessionDir);
  if (read.kind === "legacy") throw legacySessionError(sessionDir);
  if (read.kind === "missing")
    throw checkpointCorruptError(sessionDir, "the session never wrote a checkpoint");
  if (read.kind === "corrupt") throw checkpointCorruptError(sessionDir, read.problem);
  const { checkpoint } = read;
  if (read.fromBackup) {
    warnings.push(
      `${read.problem}; recovered generation ${checkpoint.generation} from checkpoint.json.bak (work after it is redone if not in the journal)`,
    );
  }

  // progress.json first: when the checkpoint vouches for it, its line lengths find the papers'
  // lines without a pass over the snapshot here. Its own problems are reported after the papers'.
  const progressPath = path.join(sessionDir, PROGRESS_FILE);
  const progressRead = await readProgressFile(fs, progressPath, checkpoint.files.progress.sha256).catch(
    (error: unknown) => ({ error }),
  );
  const base = { fs, sessionDir, session, read, progressRead };
  const located =
    digest && "file" in progressRead ? locateByProgress(papersPath, checkpoint, progressRead) : undefined;
  if (digest && located) {
    // The session is built while the snapshot is hashed, and kept only if the hash is the one the
    // checkpoint vouches for (else it is built again from a scan, which says what is wrong).
    const attempt = await assemble({ ...base, scanned: located, warnings: [...warnings] }).catch(
      (error: unknown) => ({ error }),
    );
    const sha256 = await digest.catch(() => undefined);
    if (sha256 === located.sha256) {
      if ("error" in attempt) throw attempt.error;
      return attempt;
    }
    if (!("error" in attempt)) attempt.state.close();
  }
  const scanned = await scanPapersFile(fs, papersPath, digest ? { digest } : {});
  const whole = scanned ? undefined : await readPapersFile(fs, papersPath);
  return assemble({ ...base, scanned, whole, warnings });
}

/** The session from its papers file as read (scanned in place, or read whole) and progress.json. */
async function assemble(loaded: {
  fs: StorageFs;
  sessionDir: string;
  session: SessionFile;
  read: { checkpoint: Checkpoint; text: string };
  progressRead: { file: ProgressFile; sha256: string } | { error: unknown };
  scanned: ScannedPapersFile | undefined;
  whole?: Awaited<ReturnType<typeof readPapersFile>> | undefined;
  warnings: string[];
}): Promise<LoadedSession> {
  const { fs, sessionDir, session, read, progressRead, scanned, whole, warnings } = loaded;
  const { checkpoint } = read;
  const papersPath = path.join(sessionDir, PAPERS_FILE);
  const papersMeta = scanned?.metadata ?? whole?.metadata;
  const papersGen = papersMeta?.generation ?? -1;
  const papersSha = (scanned ?? whole)?.sha256 as string;
  checkDataFile(papersPath, checkpoint, checkpoint.files.papers, papersGen, papersSha, warnings);

  if ("error" in progressRead) throw progressRead.error;
  const progress = progressRead;
  checkDataFile(
    path.join(sessionDir, PROGRESS_FILE),
    checkpoint,
    checkpoint.files.progress,
    progress.file.generation,
    progress.sha256,
    warnings,
  );

  const store = scanned
    ? openStore(papersPath, sessionDir, scanned, papersSha === checkpoint.files.papers.sha256, progress.file)
    : storeOf(whole?.papers ?? [], sessionDir);
  try {
    return await replayJournal(fs, sessionDir, {
      session,
      checkpoint,
      read,
      progress,
      papersMeta,
      store,
      warnings,
    });
  } catch (error) {
    store.close();
    throw error;
  }
}

/**
 * The papers' lines from the lengths progress.json recorded, when the checkpoint vouches for both
 * files of the same generation (its sha256 is the papers file's as the checkpoint gives it: the
 * caller confirms it with the file's digest); else undefined (the snapshot is scanned).
 */
function locateByProgress(
  papersPath: string,
  checkpoint: Checkpoint,
  progress: { file: ProgressFile; sha256: string },
): ScannedPapersFile | undefined {
  const { papers, progress: progressRef } = checkpoint.files;
  const lengths = progress.file.line_lengths;
  const vouched =
    progress.sha256 === progressRef.sha256 &&
    progress.file.generation === progressRef.generation &&
    papers.generation === progressRef.generation;
  if (!vouched || !lengths) return undefined;
  const located = locatePapersByLengths(papersPath, lengths);
  return located && { ...located, sha256: papers.sha256 };
}

/** A store holding `papers` (a file in another layout, read whole), its scratch closed if it fails. */
export function storeOf(papers: Iterable<Paper>, sessionDir: string): PaperStore {
  const scratch = new FileScratch(sessionDir);
  try {
    return PaperStore.fromPapers(papers, scratch);
  } catch (error) {
    scratch.close();
    throw error;
  }
}

/**
 * The papers of a snapshot in cf's layout, read in place. The ids come from progress.json when it
 * is of the same generation (nothing to parse); else, and when the checkpoint does not vouch for the
 * file, every line is parsed and validated now, before anything runs.
 */
function openStore(
  file: string,
  sessionDir: string,
  scanned: ScannedPapersFile,
  trusted: boolean,
  progress: ProgressFile,
): PaperStore {
  const lines = ReadOnlyLines.open(file);
  try {
    const listed = progress.paper_ids;
    const sameGeneration = progress.generation === scanned.metadata.generation;
    const validate = (raw: unknown, paperId: string) => validateStoredPaper(file, raw, paperId);
    let ids: string[];
    if (trusted && sameGeneration && listed && listed.length === scanned.offsets.length) ids = listed;
    else {
      ids = scanned.offsets.map((offset, index) => {
        const line = lines.read(offset, scanned.lengths[index] as number);
        let raw: unknown;
        try {
          raw = JSON.parse(line.toString("utf8"));
        } catch {
          throw new SessionCorruptError(file, `${file}: line ${index + 3}: invalid paper`);
        }
        const id = (raw as { paper_id?: unknown } | null)?.paper_id;
        if (typeof id !== "string")
          throw new SessionCorruptError(file, `${file}: line ${index + 3}: invalid paper`);
        return trusted ? id : validate(raw, id).paper_id;
      });
    }
    const tally = trusted ? scanned.metadata.tally : undefined;
    const snapshot = { file: lines, ids, offsets: scanned.offsets, lengths: scanned.lengths, trusted };
    const scratch = new FileScratch(sessionDir);
    try {
      return PaperStore.fromSnapshot(snapshot, tally, scratch, validate);
    } catch (error) {
      scratch.close();
      throw error;
    }
  } catch (error) {
    lines.close();
    throw error;
  }
}

function validateStoredPaper(file: string, raw: unknown, paperId: string): Paper {
  const result = parsePaper(raw, 0);
  if (!result.ok || result.paper.paper_id !== paperId) {
    const issue = result.ok ? undefined : result.issues[0];
    throw new SessionCorruptError(
      file,
      `${file}: paper ${JSON.stringify(paperId)} is invalid${issue ? ` (${issue.path} ${issue.message})` : ""}`,
      { hint: "The session's papers snapshot is damaged; restore it from a backup or start a new session." },
    );
  }
  return result.paper;
}

async function replayJournal(
  fs: StorageFs,
  sessionDir: string,
  loaded: {
    session: SessionFile;
    checkpoint: Checkpoint;
    read: { text: string };
    progress: { file: ProgressFile };
    papersMeta: { journal_seq?: number | undefined } | undefined;
    store: PaperStore;
    warnings: string[];
  },
): Promise<LoadedSession> {
  const { session, checkpoint, read, progress, papersMeta, store, warnings } = loaded;
  const state = buildState(store, checkpoint, progress.file, path.join(sessionDir, PROGRESS_FILE));
  const journalPath = path.join(sessionDir, JOURNAL_FILE);
  const journalExists = await fs.lstat(journalPath).then(
    () => true,
    () => false,
  );
  const journal = await readJournal(fs, journalPath, journalEntrySchema);
  if (!journalExists) {
    // Every snapshot leaves the file (emptied, never removed): a missing journal was deleted.
    warnings.push(
      `${journalPath} is missing; batches completed after generation ${checkpoint.generation} (if any) are redone`,
    );
  }
  if (journal.tornTail) {
    warnings.push(
      `${journalPath}: dropped a torn last record (${journal.tornTail.bytes} bytes from line ${journal.tornTail.line}), left by an interrupted write`,
    );
  }
  const papersSeq = papersMeta?.journal_seq ?? checkpoint.journal_seq;
  let maxSeq = Math.max(checkpoint.journal_seq, papersSeq, progress.file.journal_seq);
  for (const { seq, payload } of journal.entries) {
    if (seq > papersSeq) state.applyToPapers(payload);
    if (seq > progress.file.journal_seq) state.applyToProgress(payload);
    if (seq > checkpoint.journal_seq) state.applyToCounters(payload);
    maxSeq = Math.max(maxSeq, seq);
  }
  return {
    session,
    checkpoint,
    checkpointText: read.text,
    state,
    nextSeq: maxSeq + 1,
    journalGoodBytes: journal.goodBytes,
    warnings,
  };
}

async function readSessionFile(fs: StorageFs, sessionDir: string): Promise<SessionFile> {
  const file = path.join(sessionDir, SESSION_FILE);
  const raw = await readJson(fs, file);
  const parsed = sessionFileSchema.safeParse(raw);
  if (!parsed.success) throw new SessionCorruptError(file, describeZodError(file, parsed.error));
  return parsed.data;
}

async function readProgressFile(
  fs: StorageFs,
  file: string,
  trustedSha256: string,
): Promise<{ file: ProgressFile; sha256: string }> {
  const buffer = await readRequired(fs, file);
  const sha256 = createHash("sha256").update(buffer).digest("hex");
  const schema = progressSchemaFor(sha256, trustedSha256);
  const parsed = schema.safeParse(parseJson(buffer, file));
  if (!parsed.success) throw new SessionCorruptError(file, describeZodError(file, parsed.error));
  return { file: parsed.data, sha256 };
}

/** Read a small JSON file; a missing or unparsable one is corruption named by path. */
export async function readJson(fs: StorageFs, file: string): Promise<unknown> {
  return parseJson(await readRequired(fs, file), file);
}

async function readRequired(fs: StorageFs, file: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    if (isErrnoException(error) && error.code === "ENOENT")
      throw new SessionCorruptError(file, `${file} is missing`);
    throw storageError(`reading ${file}`, error);
  }
}

function parseJson(buffer: Buffer, file: string): unknown {
  try {
    return JSON.parse(buffer.toString("utf8"));
  } catch (error) {
    throw new SessionCorruptError(file, `${file} is not valid JSON (${(error as Error).message})`);
  }
}

/**
 * A data file must be the generation the checkpoint names with the same sha256, or newer (a crash
 * between writing the data files and committing checkpoint.json; the journal still covers it).
 */
function checkDataFile(
  file: string,
  checkpoint: Checkpoint,
  expected: FileRef,
  generation: number,
  sha256: string,
  warnings: string[],
): void {
  if (generation === expected.generation) {
    if (sha256 !== expected.sha256) {
      throw new SessionCorruptError(
        file,
        `${file}: content does not match the sha256 recorded in checkpoint.json`,
        {
          hint: "The file was modified or damaged after the checkpoint. Nothing was changed.",
        },
      );
    }
    return;
  }
  if (generation > checkpoint.generation) {
    warnings.push(
      `${path.basename(file)} is generation ${generation}, newer than checkpoint.json (${checkpoint.generation}): an interrupted snapshot; using it`,
    );
    return;
  }
  throw new SessionCorruptError(
    file,
    `${file}: generation ${generation} is older than checkpoint.json expects (${expected.generation})`,
  );
}

function buildState(
  papers: PaperStore,
  checkpoint: Checkpoint,
  progress: ProgressFile,
  progressPath: string,
): SessionState {
  const columns = columnsOf(progress, papers, progressPath);
  const state = new SessionState(papers, [], columns.inputHashes);
  for (const [source, saved] of Object.entries(checkpoint.sources)) {
    const name = source as keyof typeof checkpoint.sources;
    state.addSource(name, saved.status);
    const counters = state.sources.get(name)!;
    counters.api_calls = saved.api_calls;
    // Absent when none, as in a session that never served one (states compare equal).
    if (saved.papers_cached) counters.papers_cached = saved.papers_cached;
    if (saved.cost_usd) counters.cost_usd = saved.cost_usd;
    counters.last_error = saved.last_error;
    counters.resets_at = saved.resets_at ?? null;
    if (saved.connection_failures && Object.keys(saved.connection_failures).length > 0)
      counters.connection_failures = { ...saved.connection_failures };
  }
  for (const [name, column] of columns.outcomes) {
    state.addSource(name, "in_progress");
    state.outcomes.set(name, column);
  }
  for (const [source, messages] of Object.entries(progress.errors)) {
    const name = source as keyof typeof progress.errors;
    state.addSource(name, "in_progress");
    const errors = state.errors.get(name)!;
    for (const paperId in messages) if (papers.has(paperId)) errors.set(paperId, messages[paperId]!);
  }
  return state;
}
