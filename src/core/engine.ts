import type { Paper } from "../model/paper.js";
import { lookupView } from "../model/paper-update.js";
import type { SourceName } from "../model/records.js";
import { roundUsd } from "../model/usd.js";
import { describeUnreachable } from "../sources/connection-health.js";
import { answerOf, HttpError, stopsTheSource } from "../sources/http.js";
import type { BatchResult, LookupResult, SourceClient } from "../sources/types.js";
import type { BatchLane } from "../storage/batch-lane.js";
import type { BatchInput, CheckpointManager } from "../storage/checkpoint-manager.js";
import type { SourceState } from "../storage/session-files.js";
import type { SessionState } from "../storage/session-state.js";
import { answerFromCache, answersToKeep, type CacheReader, serveFromCache } from "./cached-answers.js";
import { IdSharing } from "./id-sharing.js";
import { feedChunkSize, LookupQueue } from "./lookup-queue.js";

/**
 * The consolidation engine: every source runs concurrently through its pending papers in planned
 * batches (several in flight; the client's rate limiter spaces the requests). A batch counts only
 * once its result is journaled. Snapshots are written on a timer and at the end. No terminal
 * here: progress goes to callbacks.
 */

export interface SourceProgress {
  source: SourceName;
  total: number;
  /** Papers done (matched or not found) when this run started. */
  doneAtStart: number;
  done: number;
  enriched: number;
  notFound: number;
  failed: number;
  apiCalls: number;
  /** Papers answered by the response cache (this session, so far). */
  cached: number;
  /** Of `cached`, those answered before this run started. */
  cachedAtStart: number;
  /** Papers held until another source has answered for them (it may identify them: see IdSharing). */
  waiting: number;
  /** The sources those papers wait for. */
  waitingFor: SourceName[];
  /** What this source's requests cost in USD (this session, so far). */
  costUsd: number;
  /** Of `costUsd`, what was spent before this run started. */
  costUsdAtStart: number;
  /** The API's daily budget as its last answer reported it. */
  budget?: { remainingUsd?: number; limitUsd?: number };
}

export interface SourceStop {
  source: SourceName;
  kind: "auth" | "budget_exhausted" | "unreachable" | "error";
  message: string;
  resetsAt?: Date;
}

export interface EngineCallbacks {
  onProgress?(progress: SourceProgress): void;
  onSnapshot?(event: { generation: number; durationMs: number; reason: "interval" | "final" }): void;
  onSourceStopped?(stop: SourceStop): void;
}

export interface EngineOptions {
  manager: CheckpointManager;
  clients: readonly SourceClient[];
  /** 0 disables periodic snapshots (the final one is always written). */
  checkpointIntervalMs: number;
  /** Aborting it stops the run: no new batches; in-flight ones get `graceMs` to finish. */
  signal?: AbortSignal;
  graceMs?: number;
  /** Batches in flight per source (default 4): a number for all, or per source. */
  concurrency?: number | Partial<Record<SourceName, number>>;
  callbacks?: EngineCallbacks;
  /**
   * The response cache: `read` gives fresh answers (absent with --refresh or no cache), `keep`
   * says to hand each batch's answers to the session, which stores them with its journal group.
   */
  cache?: { read?: CacheReader; keep: boolean };
}

export interface EngineResult {
  interrupted: boolean;
  stops: SourceStop[];
  sources: Partial<Record<SourceName, SourceState>>;
  durationMs: number;
  /** Time spent writing snapshots, including the final one. */
  snapshotMs: number;
  /** Time spent appending (and fsyncing) completed batches to the journal. */
  journalMs: number;
  /** What each source's requests cost in this run (USD; sources that reported no cost: 0). */
  runCostUsd: Partial<Record<SourceName, number>>;
  /**
   * This run's attempts that got no HTTP answer, per source (those that had any) and cause; the
   * session's sums are in `sources[…].connection_failures`.
   */
  connectionFailures: Partial<Record<SourceName, Record<string, number>>>;
}

/** Run all sources to the end (or until interrupted) and write the final snapshot. */
export async function runEngine(options: EngineOptions): Promise<EngineResult> {
  const { manager, callbacks = {} } = options;
  const started = performance.now();
  const hardStop = new AbortController();
  const stops: SourceStop[] = [];
  let snapshotMs = 0;
  const journalAtStart = manager.journalTimeMs;
  let fatal: unknown;
  const fail = (error: unknown) => {
    fatal ??= error;
    hardStop.abort(error);
  };
  const snapshot = async (reason: "interval" | "final") => {
    const result = await manager.snapshot();
    snapshotMs += result.durationMs;
    callbacks.onSnapshot?.({ ...result, reason });
  };
  const timer =
    options.checkpointIntervalMs > 0
      ? setInterval(() => {
          snapshot("interval").catch(fail);
        }, options.checkpointIntervalMs)
      : undefined;
  let graceTimer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    graceTimer = setTimeout(() => hardStop.abort(new Error("interrupted")), options.graceMs ?? 5000);
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  let cutShort = false;
  const costAtStart = new Map(
    options.clients.map((c) => [c.name, manager.sourceState(c.name).cost_usd ?? 0]),
  );
  const sharing = new IdSharing(new Set(options.clients.map((client) => client.name)));
  const connectionFailures: EngineResult["connectionFailures"] = {};
  try {
    await Promise.all(
      options.clients.map((client) =>
        runSource(client, options, hardStop.signal, sharing, {
          onStop: (stop) => {
            stops.push(stop);
            callbacks.onSourceStopped?.(stop);
          },
          onConnectionFailures: (counts) => {
            connectionFailures[client.name] = counts;
          },
        }).then((ending) => {
          if (ending === "interrupted") cutShort = true;
        }, fail),
      ),
    );
  } finally {
    if (timer) clearInterval(timer);
    if (graceTimer) clearTimeout(graceTimer);
    options.signal?.removeEventListener("abort", onAbort);
  }
  if (fatal !== undefined) throw fatal;
  await snapshot("final");
  const sources: Partial<Record<SourceName, SourceState>> = {};
  const runCostUsd: Partial<Record<SourceName, number>> = {};
  for (const client of options.clients) {
    const state = manager.sourceState(client.name);
    sources[client.name] = state;
    runCostUsd[client.name] = roundUsd((state.cost_usd ?? 0) - (costAtStart.get(client.name) ?? 0));
  }
  return {
    // A signal that arrives after every source finished interrupts nothing.
    interrupted: cutShort,
    stops,
    sources,
    durationMs: performance.now() - started,
    snapshotMs,
    journalMs: manager.journalTimeMs - journalAtStart,
    runCostUsd,
    connectionFailures,
  };
}

async function runSource(
  client: SourceClient,
  options: EngineOptions,
  hardStop: AbortSignal,
  sharing: IdSharing,
  report: {
    onStop: (stop: SourceStop) => void;
    /** The source's failed connection attempts of this run, by cause (once, when it has any). */
    onConnectionFailures: (counts: Record<string, number>) => void;
  },
): Promise<"finished" | "stopped" | "interrupted"> {
  const { onStop } = report;
  const { manager } = options;
  const source = client.name;
  manager.addSource(source);
  const initial = manager.sourceState(source);
  if (initial.status !== "in_progress") await manager.setSourceStatus(source, "in_progress");
  const state = manager.state;
  const viewOf = (paperId: string) => {
    const paper = state.paper(paperId);
    return paper && lookupView(paper, source);
  };
  const queue = new LookupQueue((papers) => client.planBatches(papers), viewOf);
  const dependencies = sharing.dependencies(client);
  // The API's budget as its last answer said (for progress: "$0.69 left today").
  let budget: BatchResult["budget"];
  const progress = (): SourceProgress => {
    const now = manager.sourceState(source);
    return {
      source,
      total: state.size,
      doneAtStart: initial.papers_done,
      done: now.papers_done,
      enriched: now.papers_enriched,
      notFound: now.papers_not_found,
      failed: now.papers_failed,
      apiCalls: now.api_calls,
      cached: now.papers_cached ?? 0,
      cachedAtStart: initial.papers_cached ?? 0,
      waiting: queue.waiting,
      waitingFor: [...dependencies],
      costUsd: now.cost_usd ?? 0,
      costUsdAtStart: initial.cost_usd ?? 0,
      ...(budget ? { budget } : {}),
    };
  };
  const reportProgress = () => options.callbacks?.onProgress?.(progress());
  let stopped = false;
  let abandoned = false;
  const ownStop = new AbortController();
  const stopSignal = AbortSignal.any([hardStop, ownStop.signal, ...(options.signal ? [options.signal] : [])]);
  // A source that cannot be reached abandons its requests in flight: they would only wait for
  // their timeouts. Stopped by a budget or a refused key, those in flight finish: they are answered,
  // and paid for.
  const unreachable = new AbortController();
  const sourceStop = AbortSignal.any([hardStop, unreachable.signal]);
  const requestStop = AbortSignal.any([unreachable.signal, ...(options.signal ? [options.signal] : [])]);
  const stopping = () => stopSignal.aborted;
  const read = options.cache?.read;
  // Journal writes of released papers the cache answered: drained (and their errors thrown)
  // before the source ends; marked handled meanwhile, so that a failed write is not an
  // unhandled rejection before the drain reaches it.
  const sideWrites: Promise<unknown>[] = [];
  /** Journal papers the cache answered; once durable, sources waiting for them are told. */
  const recordServed = (results: LookupResult[]) => {
    const input = toBatchInput(source, { results, apiCalls: 0 });
    return manager
      .recordBatch({ ...input, cached: results.length })
      .then(() => sharing.answered(source, Object.keys(input.outcomes)));
  };
  const journalServed = (results: LookupResult[]) => {
    const written = recordServed(results).then(reportProgress);
    written.catch(() => {});
    sideWrites.push(written);
  };
  /** Stop taking releases, then wait for every side write (new ones cannot start after `leave`). */
  const settleSideWrites = async () => {
    sharing.leave(source);
    while (sideWrites.length > 0) await Promise.all(sideWrites.splice(0));
  };

  sharing.register(source, queue, (released) => {
    let rest = released;
    // Once stopping, released papers are only queued: they stay pending for the next run.
    if (read && !stopping()) {
      const { served, unanswered: left } = answerFromCache(client, released, read);
      if (served.length > 0) journalServed(served);
      rest = left;
    }
    queue.add(rest);
    reportProgress();
  });
  // The pending papers are parsed and planned a chunk at a time (feedChunkSize), as the workers need them.
  const pending = [...state.pendingPaperIds(source)];
  let fed = 0;
  let cutShort = false;
  const nextChunk = () => {
    const ids = pending.slice(fed, fed + feedChunkSize(fed));
    fed += ids.length;
    return ids;
  };
  /** The views to look up now; title-only papers another source of this run may identify are held for its answer. */
  const classify = (ids: readonly string[]): Paper[] => {
    const waitFor = sharing.dependencies(client);
    const ready: Paper[] = [];
    for (const id of ids) {
      const paper = state.paper(id);
      if (!paper) continue;
      const view = lookupView(paper, source);
      const waitsFor =
        waitFor.size > 0 && client.titleOnly?.(view) ? unanswered(state, waitFor, paper) : undefined;
      if (waitsFor && waitsFor.size > 0) queue.hold(id, waitsFor);
      else ready.push(view);
    }
    return ready;
  };
  /** Queue `ready`, journaling first those a fresh cached answer serves (no request). */
  const offer = async (ready: Paper[]) => {
    let rest = ready;
    if (read && ready.length > 0) {
      const left = await serveFromCache(client, ready, read, {
        record: recordServed,
        flush: () => manager.flushJournal(),
        stopping,
        onJournaled: reportProgress,
      });
      if (left === undefined) {
        cutShort = true; // stopped part way: the papers not served stay pending
        return;
      }
      rest = left;
    }
    queue.add(rest);
  };
  queue.feedFrom({ left: () => cutShort || fed < pending.length, next: () => offer(classify(nextChunk())) });
  // The first chunk is classified before the first report: it says how many papers wait.
  const first = classify(nextChunk());
  let ending: "finished" | "stopped" | "interrupted" | undefined;
  try {
    reportProgress();
    await offer(first);
    const worker = async () => {
      // Journaling a batch (write + fsync) overlaps the next lookup; a batch still counts only once
      // it is journaled (see BatchLane).
      const lane = manager.batchLane();
      try {
        await lookUpBatches(lane);
      } finally {
        await lane.drain();
      }
    };
    const lookUpBatches = async (lane: BatchLane<BatchInput>) => {
      for (;;) {
        const batch = await queue.take(stopSignal);
        if (batch === undefined) return;
        let result: BatchResult;
        try {
          // An unreachable source, like Ctrl-C, starts no other request (a dead host must not be
          // asked again), and aborts those in flight. After a budget or key stop, a batch in
          // flight runs to its end: what it spends is counted.
          result = await client.lookupBatch(batch, sourceStop, requestStop);
        } catch (error) {
          // Stopped before sending, or abandoned in flight: not journaled, redone on resume.
          if (hardStop.aborted || options.signal?.aborted) {
            abandoned = true;
            return;
          }
          const stop = toStop(source, error);
          // The requests this batch sent still count, and the papers it answered before the stop
          // are done; the rest of the batch stays pending.
          const spent = error instanceof HttpError ? (error.apiCalls ?? 0) : 0;
          const cost = error instanceof HttpError ? (error.costUsd ?? 0) : 0;
          const partial = error instanceof HttpError ? (error.partial ?? []) : [];
          if (spent > 0 || cost > 0 || partial.length > 0) {
            const input = toBatchInput(source, { results: partial, apiCalls: spent, costUsd: cost });
            if (options.cache?.keep)
              input.answers = answersToKeep(source, batch, { results: partial, apiCalls: 0 });
            await manager.recordBatch(input);
            sharing.answered(source, Object.keys(input.outcomes));
          }
          if (!stopped) {
            stopped = true;
            ownStop.abort();
            if (stop.kind === "unreachable") unreachable.abort();
            // Budget and network stops leave the papers pending: the session stays resumable.
            const status =
              stop.kind === "budget_exhausted" || stop.kind === "unreachable" ? stop.kind : "failed";
            await manager.setSourceStatus(source, status, stop.message, stop.resetsAt?.toISOString() ?? null);
            onStop(stop);
          }
          return;
        }
        if (result.budget) budget = result.budget;
        const input = toBatchInput(source, result);
        if (options.cache?.keep) input.answers = answersToKeep(source, batch, result);
        await lane.add(input, () => {
          sharing.answered(source, Object.keys(input.outcomes));
          reportProgress();
        });
      }
    };
    const width =
      typeof options.concurrency === "number" ? options.concurrency : options.concurrency?.[source];
    await Promise.all(Array.from({ length: Math.max(1, width ?? 4) }, worker));
    await settleSideWrites();
    // Attempts that got no answer fail no paper: the session keeps their causes (see SourceState).
    const connectionFailures = { ...client.connectionFailures?.() };
    if (Object.values(connectionFailures).some((count) => count > 0)) {
      await manager.recordConnectionFailures(source, connectionFailures);
      report.onConnectionFailures(connectionFailures);
    }
    ending = stopped ? "stopped" : queue.unfinished || abandoned ? "interrupted" : "finished";
  } finally {
    sharing.leave(source);
    // Papers waiting for this source's answers are let go when it has given every answer it will
    // in this run (finished) or cannot give more (stopped: budget, network, key). Interrupted, it
    // would have answered: they stay pending, to wait for it again on resume.
    if (ending === "finished" || ending === "stopped") sharing.ended(source);
  }
  if (ending !== "finished") return ending;
  const final = manager.sourceState(source);
  if (final.papers_failed > 0) {
    await manager.setSourceStatus(
      source,
      "failed",
      `${final.papers_failed} paper(s) failed after retries; resume to retry them`,
    );
  } else {
    await manager.setSourceStatus(source, "completed");
  }
  return "finished";
}

/** The sources among `sources` that have not answered for `paper` yet (never, or failed last time). */
function unanswered(state: SessionState, sources: ReadonlySet<SourceName>, paper: Paper): Set<SourceName> {
  const waiting = new Set<SourceName>();
  for (const source of sources) {
    const outcome = state.outcomes.get(source)?.get(paper.paper_id);
    if (outcome === undefined || outcome === "failed") waiting.add(source);
  }
  return waiting;
}

function toStop(source: SourceName, error: unknown): SourceStop {
  if (error instanceof HttpError && stopsTheSource(error)) {
    // A connection stop is said by host and cause, without the request line that happened to hit it.
    const message =
      error.kind === "unreachable" && error.connection
        ? describeUnreachable(error.connection)
        : error.kind === "budget_exhausted" && error.status !== undefined
          ? answerOf(error)
          : error.message;
    const stop: SourceStop = { source, kind: error.kind, message };
    if (error.resetsAt) stop.resetsAt = error.resetsAt;
    return stop;
  }
  return { source, kind: "error", message: error instanceof Error ? error.message : String(error) };
}

/** A client's batch result as it is journaled. */
export function toBatchInput(source: SourceName, result: BatchResult): BatchInput {
  const outcomes: BatchInput["outcomes"] = {};
  const errors: Record<string, string> = {};
  const updates: BatchInput["updates"] = [];
  for (const item of result.results) {
    outcomes[item.paper_id] = item.outcome;
    if (item.outcome === "matched") updates.push(item.update);
    if (item.outcome === "failed") errors[item.paper_id] = item.error;
  }
  return {
    source,
    apiCalls: result.apiCalls,
    ...(result.costUsd ? { costUsd: result.costUsd } : {}),
    outcomes,
    updates,
    ...(Object.keys(errors).length > 0 ? { errors } : {}),
  };
}
