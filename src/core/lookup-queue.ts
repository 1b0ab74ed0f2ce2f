import type { Paper } from "../model/paper.js";
import type { SourceName } from "../model/records.js";

/**
 * Pending papers parsed and planned at a time (issue 16): a run holds this many lookup views per
 * source, not one per paper of the session. Planning `planRun` uses the same chunks.
 */
export const FEED_CHUNK = 5000;

/**
 * The first chunk is smaller: the first request waits for it (a resumed session starts sooner). A
 * multiple of Semantic Scholar's batch (500 ids); OpenAlex batches DOIs by URL length, so the chunk
 * may cost it one short batch more.
 */
export const FIRST_FEED_CHUNK = 500;

/** How many pending papers the next chunk takes, after `fed` of them. */
export function feedChunkSize(fed: number): number {
  return fed === 0 ? FIRST_FEED_CHUNK : FEED_CHUNK;
}

/** More papers for a queue, a chunk at a time. */
export interface Feeder {
  /** True while papers remain to be fed (or feeding stopped part way: they stay pending). */
  left(): boolean;
  /** Add the next chunk to the queue (planned, held or served otherwise). */
  next(): Promise<void>;
}

/**
 * One source's work in a run: planned batches to take, and papers held back until other sources
 * have answered for them (a title-only paper that Semantic Scholar may identify waits for it, so
 * that OpenAlex looks it up by id instead of paying for a search). Released papers are planned
 * as they come. Workers `take` batches until none are left and nothing is held.
 */
export class LookupQueue {
  private batches: Paper[][] = [];
  private next = 0;
  /** Held paper id → the sources it still waits for. */
  private readonly held = new Map<string, Set<SourceName>>();
  private wakers: Array<() => void> = [];
  private feeder: Feeder | undefined;
  private feeding: Promise<void> | undefined;
  private readonly watched = new WeakSet<AbortSignal>();

  constructor(
    /** Plans released papers into batches (the client's `planBatches`). */
    private readonly plan: (papers: Paper[]) => Paper[][],
    /** The view of a released paper to look up (taken when it is released: ids found meanwhile). */
    private readonly viewOf: (paperId: string) => Paper | undefined,
  ) {}

  /**
   * Where more papers come from: when the planned batches run out, `next` adds the next chunk (one
   * feed at a time, whichever worker asks). A large session's pending papers are thus parsed and
   * planned a chunk at a time, never all at once.
   */
  feedFrom(feeder: Feeder): void {
    this.feeder = feeder;
  }

  /** Papers ready to be looked up now. */
  add(papers: readonly Paper[]): void {
    if (papers.length === 0) return;
    this.batches.push(...this.plan([...papers]));
    this.wake();
  }

  /** Hold a paper until each of `sources` has answered for it (or ended). */
  hold(paperId: string, sources: ReadonlySet<SourceName>): void {
    this.held.set(paperId, new Set(sources));
  }

  /** Papers held for another source's answer. */
  get waiting(): number {
    return this.held.size;
  }

  /** `source` answered for these papers: those waiting for nothing else are released, in this order. */
  answered(source: SourceName, paperIds: Iterable<string>): Paper[] {
    const released: string[] = [];
    for (const id of paperIds) {
      const waits = this.held.get(id);
      if (!waits?.delete(source)) continue;
      if (waits.size === 0) released.push(id);
    }
    return this.release(released);
  }

  /** `source` ended (finished, stopped, failed): nothing waits for it any more. */
  ended(source: SourceName): Paper[] {
    return this.answered(source, [...this.held.keys()]);
  }

  /** The views of released papers (not yet added: the caller may serve some from the cache first). */
  private release(ids: readonly string[]): Paper[] {
    const papers: Paper[] = [];
    for (const id of ids) {
      this.held.delete(id);
      const view = this.viewOf(id);
      if (view) papers.push(view);
    }
    if (this.held.size === 0) this.wake();
    return papers;
  }

  /** Batches planned and not taken, papers held, or papers not fed yet: work a stop leaves for the next run. */
  get unfinished(): boolean {
    return this.next < this.batches.length || this.held.size > 0 || (this.feeder?.left() ?? false);
  }

  /**
   * The next batch; waits while none is planned but papers are held. Undefined when nothing is
   * left, or once `stop` is aborted.
   */
  async take(stop: AbortSignal): Promise<Paper[] | undefined> {
    for (;;) {
      if (stop.aborted) return undefined;
      if (this.next < this.batches.length) {
        const batch = this.batches[this.next]!;
        // Taken batches are let go, so that a long run does not keep every paper view alive.
        this.batches[this.next++] = [];
        if (this.next > 1024 && this.next * 2 > this.batches.length) {
          this.batches = this.batches.slice(this.next);
          this.next = 0;
        }
        return batch;
      }
      if (this.feeding) {
        // Another worker is feeding (the last chunk too): its batches may be for us.
        await this.feeding;
        continue;
      }
      if (this.feeder?.left()) {
        const feeder = this.feeder;
        this.feeding ??= feeder.next().finally(() => {
          this.feeding = undefined;
        });
        await this.feeding;
        continue;
      }
      if (this.held.size === 0) return undefined;
      // One abort listener per signal wakes every waiting worker (not one listener per worker).
      if (!this.watched.has(stop)) {
        this.watched.add(stop);
        stop.addEventListener("abort", () => this.wake(), { once: true });
      }
      await new Promise<void>((resolve) => this.wakers.push(resolve));
    }
  }

  private wake(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const wake of wakers) wake();
  }
}
