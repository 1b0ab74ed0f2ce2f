import path from "node:path";
import { canonicalJson } from "../../../src/model/canonical-json.js";
import type { Paper } from "../../../src/model/paper.js";
import { SOURCE_NAMES } from "../../../src/model/records.js";
import { writeFileAtomic } from "../../../src/storage/atomic-write.js";
import { withChecksum } from "../../../src/storage/checksum.js";
import { nodeStorageFs, type StorageFs } from "../../../src/storage/fs.js";
import { frameJournalLine, JOURNAL_FILE } from "../../../src/storage/journal.js";
import type { JournalPayload } from "../../../src/storage/journal-entries.js";
import { PAPERS_FILE, writePapersFile } from "../../../src/storage/papers-file.js";
import {
  CHECKPOINT_FILE,
  CHECKPOINT_FORMAT,
  CHECKPOINT_FORMAT_VERSION,
  PROGRESS_FILE,
  SESSION_FILE,
} from "../../../src/storage/session-files.js";
import { SessionState } from "../../../src/storage/session-state.js";

/**
 * Journal replay through the real loader: a session directory is written as a crash could leave
 * it (papers and progress files from possibly newer points than the committed checkpoint, a journal
 * that may still hold entries the checkpoint already covers), then `loadSession` reads it.
 */

/** The real file system without fsync: these files only need to exist, not survive a power cut. */
export const unsyncedFs: StorageFs = {
  ...nodeStorageFs,
  syncDir: async () => {},
  async open(file, flags) {
    const handle = await nodeStorageFs.open(file, flags);
    return {
      write: (data) => handle.write(data),
      sync: async () => {},
      truncate: (length) => handle.truncate(length),
      close: () => handle.close(),
    };
  },
};

/** Apply entries the way CheckpointManager does when it records them (progress, counters, papers). */
export function applyOnce(state: SessionState, entries: readonly JournalPayload[]): SessionState {
  for (const entry of entries) {
    state.applyToProgress(entry);
    state.applyToCounters(entry);
    state.applyToPapers(entry);
  }
  return state;
}

/** Everything observable about a state, as one canonical string. */
export function digest(state: SessionState): string {
  const sources = [...state.sources.keys()].sort();
  const perSource = <T>(maps: Map<string, Map<string, T>>) =>
    Object.fromEntries([...maps].map(([s, m]) => [s, Object.fromEntries(m)]));
  return canonicalJson({
    papers: JSON.parse(JSON.stringify(state.readAllPapers())),
    outcomes: perSource(state.outcomes),
    errors: perSource(state.errors),
    sources: Object.fromEntries(sources.map((s) => [s, state.sourceState(s)])),
  });
}

export interface CrashPoint {
  /** Entries the committed checkpoint covers (its journal_seq). */
  checkpointSeq: number;
  /** Entries in the papers / progress files: the checkpoint's, or newer (written, never committed). */
  papersSeq: number;
  progressSeq: number;
  /** Entries already removed from the journal (≤ checkpointSeq: emptied at an earlier commit). */
  journalFrom: number;
}

const NO_SHA = "0".repeat(64);
const GENERATION = 4;

/** Write a session directory holding `entries` (seq 1..n) as seen at `point`. */
export async function writeCrashedSession(
  dir: string,
  fresh: () => Paper[],
  entries: readonly JournalPayload[],
  point: CrashPoint,
): Promise<void> {
  const fs = unsyncedFs;
  const after = (k: number) => applyOnce(new SessionState(fresh(), SOURCE_NAMES), entries.slice(0, k));
  const { checkpointSeq, papersSeq, progressSeq } = point;
  const papersState = after(papersSeq);
  const papersGen = papersSeq === checkpointSeq ? GENERATION : GENERATION + 1;
  const papers = await writePapersFile(
    fs,
    path.join(dir, PAPERS_FILE),
    {
      total_papers: papersState.size,
      unique_paper_ids: papersState.size,
      saved_at: "2026-01-01T00:00:00.000Z",
      generation: papersGen,
      journal_seq: papersSeq,
    },
    papersState.papers(),
  );
  const progressState = after(progressSeq);
  const progressGen = progressSeq === checkpointSeq ? GENERATION : GENERATION + 1;
  const perSource = <T>(maps: Map<string, Map<string, T>>) =>
    Object.fromEntries([...maps].map(([s, m]) => [s, Object.fromEntries(m)]));
  const progress = await writeFileAtomic(
    fs,
    path.join(dir, PROGRESS_FILE),
    `${JSON.stringify({
      generation: progressGen,
      journal_seq: progressSeq,
      sources: perSource(progressState.outcomes),
      errors: perSource(progressState.errors),
      input_hashes: Object.fromEntries(progressState.inputHashes),
    })}\n`,
  );
  const committed = after(checkpointSeq);
  // A data file newer than the checkpoint replaced the one the checkpoint names: its hash is gone.
  const ref = (gen: number, written: { sha256: string; bytes: number }) =>
    gen === GENERATION
      ? { generation: GENERATION, ...written }
      : { generation: GENERATION, sha256: NO_SHA, bytes: 0 };
  const checkpoint = withChecksum({
    format: CHECKPOINT_FORMAT,
    format_version: CHECKPOINT_FORMAT_VERSION,
    session_id: path.basename(dir),
    input_file: "/data/input.json",
    total_papers: committed.papers.length,
    generation: GENERATION,
    journal_seq: checkpointSeq,
    sources: Object.fromEntries([...committed.sources.keys()].map((s) => [s, committed.sourceState(s)])),
    files: { papers: ref(papersGen, papers), progress: ref(progressGen, progress) },
    completed_at: null,
    output_file: null,
    last_checkpoint_time: "2026-01-01T00:00:00.000Z",
    timestamp: "2026-01-01T00:00:00.000Z",
  });
  await writeFileAtomic(fs, path.join(dir, CHECKPOINT_FILE), checkpoint);
  const session = { session_id: path.basename(dir), created_at: "2026-01-01T00:00:00.000Z", cf_version: "0" };
  await writeFileAtomic(fs, path.join(dir, SESSION_FILE), JSON.stringify(session));
  const journal = entries.map((entry, i) =>
    i + 1 > point.journalFrom ? frameJournalLine(i + 1, entry) : "",
  );
  await writeFileAtomic(fs, path.join(dir, JOURNAL_FILE), journal.join(""));
}
