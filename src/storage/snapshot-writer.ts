import path from "node:path";
import { type WrittenFile, writeFileAtomic } from "./atomic-write.js";
import { withChecksum } from "./checksum.js";
import type { StorageFs } from "./fs.js";
import { JOURNAL_FILE, type JournalWriter } from "./journal.js";
import { ReadOnlyLines } from "./line-files.js";
import { PAPERS_FILE, papersFileChunks } from "./papers-file.js";
import { progressFileOf } from "./progress-codec.js";
import {
  CHECKPOINT_BACKUP_FILE,
  CHECKPOINT_FILE,
  CHECKPOINT_FORMAT,
  CHECKPOINT_FORMAT_VERSION,
  type Checkpoint,
  type FileRef,
  PROGRESS_FILE,
} from "./session-files.js";
import type { SessionState } from "./session-state.js";

/**
 * Writing a snapshot, a new generation of a session (reliability §2.4): papers_enriched.json and
 * progress.json first, then checkpoint.json as the single commit point (the previous one kept as
 * checkpoint.json.bak), then the emptied journal. On failure the previous generation stays intact
 * and loadable.
 */

/** The last committed checkpoint. */
export interface CommittedCheckpoint {
  generation: number;
  /** checkpoint.json as written, copied to checkpoint.json.bak by the next snapshot. */
  text: string;
  savedAt: string;
}

/** A session's completion as a checkpoint records it: null while work remains. */
export interface Completion {
  completedAt: string | null;
  outputFile: string | null;
}

/** What a snapshot records besides the session state. */
export interface SnapshotContent extends Completion {
  state: SessionState;
  inputFile: string;
  /** The last journal record the snapshot includes. */
  journalSeq: number;
  savedAt: string;
}

export class SnapshotWriter {
  /**
   * `fence` throws unless this process still holds the session lock; `last` is the checkpoint found
   * on opening (none for a new session).
   */
  constructor(
    private readonly fs: StorageFs,
    private readonly sessionDir: string,
    private readonly sessionId: string,
    private readonly journal: JournalWriter,
    private readonly fence: () => Promise<void>,
    private last: CommittedCheckpoint | undefined,
  ) {}

  /** The generation of the last committed snapshot (-1 before the first). */
  get generation(): number {
    return this.last?.generation ?? -1;
  }

  /** When the last snapshot was committed (ISO), if any. */
  get lastSavedAt(): string | undefined {
    return this.last?.savedAt;
  }

  /** Write and commit the next generation, then empty the journal; returns the new generation. */
  async write(content: SnapshotContent): Promise<number> {
    const { state, journalSeq, savedAt } = content;
    const generation = this.generation + 1;
    const papersPath = this.file(PAPERS_FILE);
    // Unchanged papers are copied as the snapshot's bytes; where each line lands is kept, to read
    // the papers from the new file once it is committed.
    const offsets: number[] = [];
    const lengths: number[] = [];
    const papersRef = await writeFileAtomic(
      this.fs,
      papersPath,
      papersFileChunks(
        {
          total_papers: state.size,
          unique_paper_ids: state.size,
          saved_at: savedAt,
          generation,
          journal_seq: journalSeq,
          tally: { ...state.store.tally },
        },
        state.store.lines(),
        (offset, length) => {
          offsets.push(offset);
          lengths.push(length);
        },
      ),
    );
    const progress = progressFileOf(
      {
        outcomes: state.outcomes,
        inputHashes: state.inputHashes,
        errors: state.errors,
        paperIds: state.paperIds(),
        lineLengths: lengths,
      },
      generation,
      journalSeq,
    );
    const progressRef = await writeFileAtomic(
      this.fs,
      this.file(PROGRESS_FILE),
      `${JSON.stringify(progress)}\n`,
    );
    const checkpoint: Omit<Checkpoint, "checksum"> = {
      format: CHECKPOINT_FORMAT,
      format_version: CHECKPOINT_FORMAT_VERSION,
      session_id: this.sessionId,
      input_file: content.inputFile,
      total_papers: state.size,
      generation,
      journal_seq: journalSeq,
      sources: Object.fromEntries([...state.sources.keys()].map((s) => [s, state.sourceState(s)])),
      files: { papers: ref(generation, papersRef), progress: ref(generation, progressRef) },
      completed_at: content.completedAt,
      output_file: content.outputFile,
      last_checkpoint_time: savedAt,
      timestamp: savedAt,
    };
    const text = withChecksum(checkpoint);
    await this.fence();
    if (this.last !== undefined)
      await writeFileAtomic(this.fs, this.file(CHECKPOINT_BACKUP_FILE), this.last.text);
    await writeFileAtomic(this.fs, this.file(CHECKPOINT_FILE), text);
    this.last = { generation, text, savedAt };
    state.store.rebase(ReadOnlyLines.open(papersPath), offsets, lengths);
    // Committed. Emptying the journal is only housekeeping: its records are all at or below journal_seq.
    await writeFileAtomic(this.fs, this.file(JOURNAL_FILE), "");
    await this.journal.reopen();
    return generation;
  }

  private file(name: string): string {
    return path.join(this.sessionDir, name);
  }
}

function ref(generation: number, written: WrittenFile): FileRef {
  return { generation, sha256: written.sha256, bytes: written.bytes };
}
