/**
 * One worker's completed batches, journaled in order while the worker looks up its next batch: a
 * batch counts only once journaled, and at most one is outstanding. Group commit holds a batch up
 * to the commit delay; a worker about to wait for its previous batch has it written at once.
 */
export class BatchLane<B> {
  private journaled: Promise<void> = Promise.resolve();
  /** `journaled` has not settled. */
  private outstanding = false;

  /** `record` journals a batch (through group commit); `flush` writes the waiting group now. */
  constructor(
    private readonly record: (batch: B) => Promise<unknown>,
    private readonly flush: () => void,
  ) {}

  /**
   * Journal `batch` once the previous one is, then run `onJournaled` (e.g. to report progress).
   * Resolves when the previous batch is journaled: the worker goes on while this one is written.
   */
  add(batch: B, onJournaled?: () => void): Promise<void> {
    const previous = this.journaled;
    if (this.outstanding) this.flush();
    const current = previous.then(async () => {
      await this.record(batch);
      onJournaled?.();
    });
    this.outstanding = true;
    this.journaled = current;
    const settle = () => {
      if (this.journaled === current) this.outstanding = false;
    };
    current.then(settle, settle);
    return previous;
  }

  /** Write what is waiting and wait until every batch is journaled (rejects if one failed). */
  async drain(): Promise<void> {
    this.flush();
    await this.journaled;
  }
}
