import { inputView } from "../model/paper-update.js";
import type { SourceName } from "../model/records.js";
import { describeUnreachable } from "../sources/connection-health.js";
import { answerOf, HttpError, stopsTheSource } from "../sources/http.js";
import type { BatchResult, SourceClient } from "../sources/types.js";
import type { BatchLane } from "../storage/batch-lane.js";
import type { BatchInput, CheckpointManager } from "../storage/checkpoint-manager.js";
import type { SourceState } from "../storage/session-files.js";
import { answersToKeep, type CacheReader, serveFromCache } from "./cached-answers.js";

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
  try {
    await Promise.all(
      options.clients.map((client) =>
        runSource(client, options, hardStop.signal, (stop) => {
          stops.push(stop);
          callbacks.onSourceStopped?.(stop);
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
  for (const client of options.clients) sources[client.name] = manager.sourceState(client.name);
  return {
    // A signal that arrives after every source finished interrupts nothing.
    interrupted: cutShort,
    stops,
    sources,
    durationMs: performance.now() - started,
    snapshotMs,
    journalMs: manager.journalTimeMs - journalAtStart,
  };
}

async function runSource(
  client: SourceClient,
  options: EngineOptions,
  hardStop: AbortSignal,
  onStop: (stop: SourceStop) => void,
): Promise<"finished" | "stopped" | "interrupted"> {
  const { manager } = options;
  const source = client.name;
  manager.addSource(source);
  const initial = manager.sourceState(source);
  if (initial.status !== "in_progress") await manager.setSourceStatus(source, "in_progress");
  const progress = (): SourceProgress => {
    const state = manager.sourceState(source);
    return {
      source,
      total: manager.papers.length,
      doneAtStart: initial.papers_done,
      done: state.papers_done,
      enriched: state.papers_enriched,
      notFound: state.papers_not_found,
      failed: state.papers_failed,
      apiCalls: state.api_calls,
      cached: state.papers_cached ?? 0,
      cachedAtStart: initial.papers_cached ?? 0,
    };
  };
  options.callbacks?.onProgress?.(progress());
  let next = 0;
  let stopped = false;
  let abandoned = false;
  const stopping = () => stopped || options.signal?.aborted === true || hardStop.aborted;
  let rest = manager.state.pendingPapers(source).map(inputView);
  const read = options.cache?.read;
  if (read) {
    // Papers with a fresh cached answer are journaled like looked-up ones (no request).
    const left = await serveFromCache(client, rest, read, {
      record: (results) => {
        const input = toBatchInput(source, { results, apiCalls: 0 });
        return manager.recordBatch({ ...input, cached: results.length });
      },
      flush: () => manager.flushJournal(),
      stopping,
      onJournaled: () => options.callbacks?.onProgress?.(progress()),
    });
    if (left === undefined) return "interrupted";
    rest = left;
  }
  const batches = client.planBatches(rest);
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
    while (!stopping() && next < batches.length) {
      const batch = batches[next++] ?? [];
      let result: BatchResult;
      try {
        result = await client.lookupBatch(batch, hardStop, options.signal);
      } catch (error) {
        // Stopped before sending, or abandoned in flight: not journaled, redone on resume.
        if (hardStop.aborted || options.signal?.aborted) {
          abandoned = true;
          return;
        }
        const stop = toStop(source, error);
        // The requests this batch sent still count, though nothing of it is journaled as done.
        const spent = error instanceof HttpError ? (error.apiCalls ?? 0) : 0;
        if (spent > 0) await manager.recordBatch(toBatchInput(source, { results: [], apiCalls: spent }));
        if (!stopped) {
          stopped = true;
          // Budget and network stops leave the papers pending: the session stays resumable.
          const status =
            stop.kind === "budget_exhausted" || stop.kind === "unreachable" ? stop.kind : "failed";
          await manager.setSourceStatus(source, status, stop.message, stop.resetsAt?.toISOString() ?? null);
          onStop(stop);
        }
        return;
      }
      const input = toBatchInput(source, result);
      if (options.cache?.keep) input.answers = answersToKeep(source, batch, result);
      await lane.add(input, () => options.callbacks?.onProgress?.(progress()));
    }
  };
  const width = typeof options.concurrency === "number" ? options.concurrency : options.concurrency?.[source];
  await Promise.all(Array.from({ length: Math.max(1, width ?? 4) }, worker));
  if (stopped) return "stopped";
  if (next < batches.length || abandoned) return "interrupted";
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

function toStop(source: SourceName, error: unknown): SourceStop {
  if (error instanceof HttpError && stopsTheSource(error)) {
    // A connection stop is said by host and cause, without the request line that happened to hit it.
    const message =
      error.kind === "unreachable" && error.connection
        ? describeUnreachable(error.connection)
        : error.kind === "budget_exhausted"
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
    outcomes,
    updates,
    ...(Object.keys(errors).length > 0 ? { errors } : {}),
  };
}
