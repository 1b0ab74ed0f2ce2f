/**
 * Group commit of journal entries: an entry waits up to the commit delay (or until `flush`) and is
 * written with every other entry added meanwhile, with one write and one fsync; each `add` settles
 * with its group. A fsync costs about 1.5 ms whatever it carries, and title searches complete one
 * paper per request, so committing each batch alone made journaling a few percent of a run.
 */

/** The commit delay of a run: a completed batch waits at most this long to be journaled with others. */
export const JOURNAL_COMMIT_DELAY_MS = 1000;

/** How a run journals its batches: the longest a batch waits for others, and the most per write. */
export interface JournalCommitPolicy {
  delayMs: number;
  /** Most batches per write (default: no limit). */
  maxGroup?: number;
}

/** The policy of a real run: group commit, a batch waiting up to JOURNAL_COMMIT_DELAY_MS. */
export const GROUP_COMMIT_POLICY: JournalCommitPolicy = { delayMs: JOURNAL_COMMIT_DELAY_MS };

export interface GroupCommitOptions {
  /** Longest an entry waits for others; 0 (the default) writes as soon as the previous write is done. */
  delayMs?: number | undefined;
  /** Most entries per write (default: no limit). */
  maxGroup?: number | undefined;
}

interface Waiting<T, R> {
  entry: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit<T, R> {
  private readonly delayMs: number;
  private readonly maxGroup: number;
  private readonly waiting: Waiting<T, R>[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** A commit is queued in `serial` and will take every waiting entry. */
  private queued = false;

  /**
   * `write` makes entries durable (one write, one fsync); `apply` applies a written entry, and its
   * result settles that entry's `add`; `serial` runs a commit in turn with the owner's other
   * writes (a commit must not interleave with them).
   */
  constructor(
    private readonly write: (entries: T[]) => Promise<void>,
    private readonly apply: (entry: T) => R,
    private readonly serial: (commit: () => Promise<void>) => Promise<unknown>,
    options: GroupCommitOptions = {},
  ) {
    this.delayMs = options.delayMs ?? 0;
    this.maxGroup = options.maxGroup ?? Number.POSITIVE_INFINITY;
  }

  /** Wait for a commit to write `entry`; settles with its group (rejected if the write failed). */
  add(entry: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ entry, resolve, reject });
      if (this.waiting.length > 1 || this.queued) return;
      if (this.delayMs <= 0) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.delayMs);
    });
  }

  /** Write the waiting entries now, without waiting for the delay (in turn, see `serial`). */
  flush(): void {
    this.clearTimer();
    if (this.waiting.length === 0 || this.queued) return;
    this.queued = true;
    void this.serial(() => this.commit().catch(() => undefined));
  }

  /**
   * Write the waiting entries, then `extra` after all of them (not applied: the caller does), then
   * apply the entries. Call it in turn (see `serial`). On failure every waiting entry is rejected
   * and the error thrown.
   */
  async commit(extra: T[] = []): Promise<void> {
    this.clearTimer();
    this.queued = false;
    for (;;) {
      const group = this.waiting.splice(0, this.maxGroup);
      const last = this.waiting.length === 0; // `extra` goes after every waiting entry
      const entries = [...group.map((item) => item.entry), ...(last ? extra : [])];
      if (entries.length === 0) return;
      try {
        await this.write(entries);
      } catch (error) {
        // The journal refuses appends after a failed one (see JournalWriter): none can be written.
        for (const item of [...group, ...this.waiting.splice(0)]) item.reject(error);
        throw error;
      }
      for (const [index, item] of group.entries()) {
        try {
          item.resolve(this.apply(item.entry));
        } catch (error) {
          // Written but not applied (a paper could not be read or written back): this group and
          // everything waiting fail; the journal still holds them for a resume.
          for (const rest of [...group.slice(index), ...this.waiting.splice(0)]) rest.reject(error);
          throw error;
        }
      }
      if (last) return;
    }
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
