import type { Paper } from "../model/paper.js";
import type { SourceName } from "../model/records.js";
import type { SourceClient } from "../sources/types.js";
import type { LookupQueue } from "./lookup-queue.js";

/**
 * Ids found by one source serve the other: a source whose title lookups are dear (OpenAlex bills
 * every search) holds its title-only papers until the sources it waits for (`waitsForIdsFrom`)
 * have answered for them in this run, then looks them up by the DOI or arXiv id those found. This
 * object passes each source's answers to the queues that wait for them.
 */
export class IdSharing {
  private readonly waiters = new Map<
    SourceName,
    { queue: LookupQueue; released: (papers: Paper[]) => void }
  >();
  private readonly over = new Set<SourceName>();

  /** `running`: the sources of this run (a source not among them is never waited for). */
  constructor(private readonly running: ReadonlySet<SourceName>) {}

  /** The sources `client`'s title-only papers wait for in this run (none when it waits for nobody). */
  dependencies(client: SourceClient): Set<SourceName> {
    const wanted = client.waitsForIdsFrom ?? [];
    return new Set(wanted.filter((s) => s !== client.name && this.running.has(s) && !this.over.has(s)));
  }

  /** Pass `source`'s queue its releases from now on; `released` gets the papers let go. */
  register(source: SourceName, queue: LookupQueue, released: (papers: Paper[]) => void): void {
    this.waiters.set(source, { queue, released });
  }

  /** `source`'s queue takes no more releases (its run is ending: no one would look them up). */
  leave(source: SourceName): void {
    this.waiters.delete(source);
  }

  /** `source` journaled an answer (found, not found or failed) for these papers. */
  answered(source: SourceName, paperIds: readonly string[]): void {
    if (paperIds.length === 0) return;
    for (const [name, waiter] of this.waiters) {
      if (name === source || waiter.queue.waiting === 0) continue;
      const papers = waiter.queue.answered(source, paperIds);
      if (papers.length > 0) waiter.released(papers);
    }
  }

  /** `source` will answer nothing more in this run (finished or stopped): nothing waits for it any more. */
  ended(source: SourceName): void {
    this.over.add(source);
    for (const [name, waiter] of this.waiters) {
      if (name === source) continue;
      const papers = waiter.queue.ended(source);
      if (papers.length > 0) waiter.released(papers);
    }
  }
}
