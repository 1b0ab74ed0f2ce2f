import type { Paper } from "../model/paper.js";
import { tallyPapers } from "../model/paper-tally.js";
import type { SourceName } from "../model/records.js";
import type { SourceClient } from "../sources/types.js";
import { CheckpointManager } from "../storage/checkpoint-manager.js";
import { nodeStorageFs, type StorageFs } from "../storage/fs.js";
import { GROUP_COMMIT_POLICY, type JournalCommitPolicy } from "../storage/group-commit.js";
import type { CreateOptions } from "../storage/open-session.js";
import { type PythonSession, readPythonSession } from "../storage/python-session.js";
import type { InputChanges } from "../storage/session-state.js";
import { type AdoptionPlan, planAdoption, sameAdoptedInput } from "./adopt-python.js";
import { type EngineCallbacks, type EngineResult, runEngine } from "./engine.js";
import { writeOutputFile } from "./output-file.js";
import { type CacheSettings, openRunCache, type RunCache } from "./run-cache.js";
import { type ConsolidationStats, computeStats } from "./stats.js";

/** One `cf consolidate` run: open or create the session, run the engine, write the output. */

export type SessionChoice =
  | { kind: "new"; sessionId?: string }
  /** A new session continuing the Python tool's session in `dir` (issue 15; see adopt-python.ts). */
  | { kind: "adopt"; dir: string }
  /** `inputSha256`: the session's input as last listed (a hint; the session itself decides). */
  | { kind: "resume"; sessionId: string; inputSha256?: string | null };

export interface ResumeInfo {
  sessionId: string;
  generation: number;
  papers: number;
  records: number;
  lastCheckpoint: string | undefined;
  perSource: Array<{ source: SourceName; done: number; failed: number }>;
  warnings: string[];
}

export interface ConsolidateCallbacks extends EngineCallbacks {
  /** A session was resumed: what it holds. */
  onResume?(info: ResumeInfo): void;
  /** A Python tool's session is being continued in a new session: what is taken over. */
  onAdopt?(info: { sessionId: string; plan: AdoptionPlan }): void;
  /** The input differs from the session's: return true to adopt the change. */
  confirmInputChange?(changes: InputChanges): Promise<boolean>;
  onSessionReady?(info: { sessionId: string; sessionDir: string; resumed: boolean }): void;
}

/**
 * The input of a run. `papers` may be a function that parses them on first call: a resumed session
 * whose input file has the same sha256 never needs them (they were validated when it began), and
 * parsing 100,000 papers costs seconds before the first request.
 */
export interface ConsolidateInput {
  file: string;
  /**
   * Undefined when the input file is gone: a resumed session goes on with its own papers, a Python
   * session is adopted with its own (`papers` is then never called).
   */
  sha256: string | undefined;
  /** Or a function that reads them (again on each call: a large input is never held, issue 16). */
  papers: Paper[] | (() => Iterable<Paper> | Promise<Iterable<Paper>>);
  /**
   * The run needs the input's papers no more (they are in the session): the caller may let them
   * go, so that a large input is not held in memory for the whole run.
   */
  release?(): void;
}

async function inputPapers(input: ConsolidateInput): Promise<Iterable<Paper>> {
  return typeof input.papers === "function" ? input.papers() : input.papers;
}

/** The input's papers as a list: for the rare paths that compare them (a changed input, an adoption). */
async function inputPaperList(input: ConsolidateInput): Promise<Paper[]> {
  return [...(await inputPapers(input))];
}

export interface ConsolidateRequest {
  input: ConsolidateInput;
  baseDir: string;
  session: SessionChoice;
  clients: readonly SourceClient[];
  outputFile: string;
  checkpointIntervalMinutes: number;
  /** The run's options to record in session.json (secrets are dropped there too). */
  options: Record<string, unknown>;
  signal?: AbortSignal;
  graceMs?: number;
  concurrency?: number | Partial<Record<SourceName, number>>;
  callbacks?: ConsolidateCallbacks;
  /** The session files' and the output's fs (default: the real one, `nodeStorageFs`). */
  fs?: StorageFs;
  now?: () => Date;
  /** How batches are journaled (default GROUP_COMMIT_POLICY). */
  journalCommit?: JournalCommitPolicy;
  /** The response cache shared by sessions (absent: none, no file touched). */
  cache?: CacheSettings;
}

export interface LookupFailure {
  source: SourceName;
  paper_id: string;
  error: string;
}

export interface ConsolidateResult {
  sessionId: string;
  sessionDir: string;
  engine: EngineResult;
  /** Output written (false when interrupted or when the input change was declined). */
  outputWritten: boolean;
  /** Every source finished every paper: the session is marked completed. */
  complete: boolean;
  declinedInputChange: boolean;
  stats: ConsolidationStats;
  /** Papers whose lookup still failed after retries, in input order (retried on resume). */
  failures: LookupFailure[];
}

/** Run (or continue) a consolidation end to end. The session lock is released on every path. */
export async function consolidate(request: ConsolidateRequest): Promise<ConsolidateResult> {
  const fs = request.fs ?? nodeStorageFs;
  const now = request.now ?? (() => new Date());
  const commit = request.journalCommit ?? GROUP_COMMIT_POLICY;
  const { input, callbacks = {} } = request;
  const sources = request.clients.map((c) => c.name);
  const common = {
    baseDir: request.baseDir,
    fs,
    now,
    options: request.options,
    journalCommitDelayMs: commit.delayMs,
    ...(commit.maxGroup !== undefined ? { journalMaxGroup: commit.maxGroup } : {}),
  };
  const created = {
    ...common,
    inputFile: input.file,
    inputSha256: input.sha256,
    sources,
    checkpointIntervalMinutes: request.checkpointIntervalMinutes,
  };
  const manager =
    request.session.kind === "resume"
      ? await CheckpointManager.open({ ...common, sessionId: request.session.sessionId })
      : request.session.kind === "adopt"
        ? await adoptPythonSession(request.session.dir, input, created, callbacks)
        : await CheckpointManager.create({
            ...created,
            ...(request.session.sessionId ? { sessionId: request.session.sessionId } : {}),
            papers: await inputPapers(input),
          });
  // Opened once the session is ours: a run refused for a locked session leaves the cache untouched.
  let cache: RunCache | undefined;
  try {
    cache = request.cache ? openRunCache(request.cache, now) : undefined;
    if (cache) manager.storeAnswersIn(cache.store);
    callbacks.onSessionReady?.({
      sessionId: manager.sessionId,
      sessionDir: manager.sessionDir,
      resumed: request.session.kind === "resume",
    });
    if (request.session.kind === "resume") {
      callbacks.onResume?.(resumeInfo(manager, sources));
      if (input.sha256 !== undefined && manager.sessionFile.input_sha256 !== input.sha256) {
        // A Python session adopted without its input: ids its tool filled in are no input change.
        const sameInput =
          manager.sessionFile.adopted_from?.basis === "session" ? sameAdoptedInput : undefined;
        const papers = await inputPaperList(input);
        const preview = manager.previewInput(papers, sameInput);
        const anyChange = preview.added.length + preview.removed.length + preview.changed.length > 0;
        if (anyChange && !(await (callbacks.confirmInputChange?.(preview) ?? Promise.resolve(false)))) {
          return declined(manager, papers);
        }
        await manager.adoptInput({
          file: input.file,
          sha256: input.sha256,
          papers,
          sameInput,
        });
      }
    }
    input.release?.();
    const engine = await runEngine({
      manager,
      clients: request.clients,
      checkpointIntervalMs: request.checkpointIntervalMinutes * 60_000,
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.graceMs !== undefined ? { graceMs: request.graceMs } : {}),
      ...(request.concurrency !== undefined ? { concurrency: request.concurrency } : {}),
      ...(cache ? { cache: { keep: true, ...(cache.read ? { read: cache.read } : {}) } } : {}),
      callbacks,
    });
    const { state } = manager;
    const stats = computeStats(state.size, state.store.tally, engine.sources, engine.durationMs, engine);
    const complete =
      !engine.interrupted && sources.every((s) => manager.sourceState(s).status === "completed");
    if (!engine.interrupted) {
      const metadata = {
        timestamp: now().toISOString(),
        session_id: manager.sessionId,
        input_file: input.file,
        sources,
        complete,
        stats,
      };
      await writeOutputFile(fs, request.outputFile, metadata, state.store.printable());
      if (complete) await manager.complete(request.outputFile);
    }
    return {
      sessionId: manager.sessionId,
      sessionDir: manager.sessionDir,
      engine,
      outputWritten: !engine.interrupted,
      complete,
      declinedInputChange: false,
      stats,
      failures: lookupFailures(manager, sources),
    };
  } finally {
    // The last journal groups reach the cache as the session closes: the cache closes after it.
    await manager.close().finally(() => cache?.close());
  }
}

function lookupFailures(manager: CheckpointManager, sources: readonly SourceName[]): LookupFailure[] {
  return sources.flatMap((source) =>
    manager.state.failedPapers(source).map((failed) => ({ source, ...failed })),
  );
}

function resumeInfo(manager: CheckpointManager, sources: readonly SourceName[]): ResumeInfo {
  return {
    sessionId: manager.sessionId,
    generation: manager.currentGeneration,
    papers: manager.state.size,
    records: manager.state.store.tally.records,
    lastCheckpoint: manager.lastCheckpointTime,
    perSource: sources.map((source) => {
      const state = manager.sourceState(source);
      return { source, done: state.papers_done, failed: state.papers_failed };
    }),
    warnings: manager.warnings,
  };
}

/**
 * How the Python tool's session in `dir` would be continued with this input (its own papers when
 * the input file is gone): for a run, and for `--dry-run --resume`. Reads only.
 */
export async function readAdoptionPlan(
  dir: string,
  input: ConsolidateInput,
  fs: StorageFs = nodeStorageFs,
): Promise<{ python: PythonSession; plan: AdoptionPlan }> {
  const python = await readPythonSession(dir, fs);
  const plan = planAdoption(
    python,
    input.sha256 === undefined
      ? undefined
      : { file: input.file, sha256: input.sha256, papers: await inputPaperList(input) },
  );
  return { python, plan };
}

/**
 * A new session continuing the Python tool's session in `dir`: its papers and records, the papers
 * each source has done, reconciled with the run's input (adopt-python.ts). The Python files are
 * only read.
 */
async function adoptPythonSession(
  dir: string,
  input: ConsolidateInput,
  created: Omit<CreateOptions, "papers">,
  callbacks: ConsolidateCallbacks,
): Promise<CheckpointManager> {
  const { python, plan } = await readAdoptionPlan(dir, input, created.fs);
  callbacks.onAdopt?.({ sessionId: python.sessionId, plan });
  return CheckpointManager.create({
    ...created,
    papers: plan.papers,
    inputHashes: plan.inputHashes,
    outcomes: plan.done,
    adoptedFrom: { session_id: python.sessionId, dir: python.dir, basis: plan.basis },
  });
}

function declined(manager: CheckpointManager, papers: readonly Paper[]): ConsolidateResult {
  const engine: EngineResult = {
    interrupted: false,
    stops: [],
    sources: {},
    durationMs: 0,
    snapshotMs: 0,
    journalMs: 0,
    runCostUsd: {},
    connectionFailures: {},
  };
  return {
    sessionId: manager.sessionId,
    sessionDir: manager.sessionDir,
    engine,
    outputWritten: false,
    complete: false,
    declinedInputChange: true,
    stats: computeStats(papers.length, tallyPapers(papers), {}, 0),
    failures: [],
  };
}
