import { createHash } from "node:crypto";
import path from "node:path";
import {
  type FailureCause,
  failureCause,
  groupFailureCauses,
  withConnectionFailures,
} from "../model/failure-causes.js";
import { readCheckpoint } from "./checkpoint-file.js";
import { nodeStorageFs, type StorageFs } from "./fs.js";
import { legacySourceDetails } from "./legacy-status.js";
import { paperTitles } from "./paper-titles.js";
import { PAPERS_FILE } from "./papers-file.js";
import { failedPaperIds } from "./progress-codec.js";
import { inspectSession, readSessionFile, type SessionSummary } from "./session-catalog.js";
import {
  type Checkpoint,
  PROGRESS_FILE,
  type ProgressFile,
  progressSchemaFor,
  type SessionFile,
} from "./session-files.js";
import { describeZodError } from "./zod-problem.js";

/**
 * Everything `cf consolidate-sessions show` displays about one session. Like listing, it reads only
 * the small files (session.json, checkpoint.json or its .bak, progress.json, the lock); the papers
 * snapshot is streamed only to title the first failed papers, and only when there are some.
 * Counts and failures are those of the last checkpoint (batches journaled since are not replayed).
 */

export interface SourceDetails {
  status: string;
  last_error: string | null;
  papers_done: number;
  papers_enriched: number;
  /** Null for the Python tool's sessions, which did not count them. */
  papers_not_found: number | null;
  papers_failed: number | null;
  api_calls: number;
  /** Papers answered by the response cache instead of a request. */
  papers_cached: number;
  /** What the source's requests cost in USD, as the API reported it (0 for a free API). */
  cost_usd: number;
  resets_at: string | null;
  /** Attempts that got no HTTP answer (they fail no paper), summed over the session's runs. */
  connection_failures: number;
  /**
   * Every cause of this source's failed papers and of its failed connection attempts (those
   * marked `kind: "connection"`), most frequent first.
   */
  failure_causes: FailureCause[];
}

export interface FailedPaper {
  source: string;
  paper_id: string;
  /** Null when the snapshot could not be streamed. */
  title: string | null;
  cause: string;
  /** The paper's own last error message. */
  error: string;
}

export interface SessionDetails {
  /** Status, format, input and times exactly as `list` computes them. */
  summary: SessionSummary;
  updated_at: string | null;
  cf_version: string | null;
  completed_at: string | null;
  output_file: string | null;
  files: Array<{ name: string; bytes: number }>;
  options: Record<string, unknown> | null;
  /** The sources the session was created with (session.json), else those of its checkpoint. */
  source_names: string[];
  sources: Record<string, SourceDetails>;
  /** The first failed lookups, in input order. */
  failed_papers: FailedPaper[];
  /** All failed lookups (source × paper) of the last checkpoint. */
  failed_total: number;
  /** Files that could not be read beyond what `summary.problem` says. */
  notes: string[];
}

export const FAILED_PAPERS_LIMIT = 10;

/** Gather the details of the session in `dir`. Never throws for a damaged session. */
export async function sessionDetails(dir: string, fs: StorageFs = nodeStorageFs): Promise<SessionDetails> {
  const summary = await inspectSession(dir, fs);
  const notes: string[] = [];
  const session = await readSessionJson(fs, dir);
  const checkpoint = await readCheckpoint(fs, dir).catch(() => ({ kind: "missing" as const }));
  const details: SessionDetails = {
    summary,
    updated_at: session?.updated_at ?? null,
    cf_version: session?.cf_version ?? null,
    completed_at: null,
    output_file: null,
    files: await listFiles(fs, dir),
    options: session?.options ?? null,
    source_names: session?.sources ? [...session.sources] : [],
    sources: {},
    failed_papers: [],
    failed_total: 0,
    notes,
  };
  if (checkpoint.kind === "cf") {
    const cp = checkpoint.checkpoint;
    details.completed_at = cp.completed_at;
    details.output_file = cp.output_file;
    if (details.source_names.length === 0) details.source_names = Object.keys(cp.sources);
    const progress = await readProgress(fs, dir, cp, notes);
    const failures = progress ? failuresOf(progress) : new Map<string, Array<[string, string]>>();
    for (const [name, state] of Object.entries(cp.sources)) {
      const messages = (failures.get(name) ?? []).map(([, error]) => error);
      details.sources[name] = {
        status: state.status,
        last_error: state.last_error,
        papers_done: state.papers_done,
        papers_enriched: state.papers_enriched,
        papers_not_found: state.papers_not_found,
        papers_failed: state.papers_failed,
        api_calls: state.api_calls,
        papers_cached: state.papers_cached ?? 0,
        cost_usd: state.cost_usd ?? 0,
        resets_at: state.resets_at ?? null,
        connection_failures: Object.values(state.connection_failures ?? {}).reduce((n, c) => n + c, 0),
        failure_causes: withConnectionFailures(groupFailureCauses(messages), state.connection_failures),
      };
    }
    details.failed_total = [...failures.values()].reduce((n, list) => n + list.length, 0);
    details.failed_papers = await firstFailedPapers(fs, path.join(dir, PAPERS_FILE), failures);
  } else if (checkpoint.kind === "legacy") {
    const cp = checkpoint.checkpoint;
    if (details.options === null && session?.checkpoint_interval_minutes !== undefined)
      details.options = { checkpoint_interval_minutes: session.checkpoint_interval_minutes };
    for (const [name, stats] of Object.entries(legacySourceDetails(cp.sources, cp.total_papers))) {
      details.source_names.push(name);
      details.sources[name] = {
        status: stats.status,
        last_error: null,
        papers_done: stats.papers_processed,
        papers_enriched: stats.papers_enriched,
        papers_not_found: null,
        papers_failed: null,
        api_calls: stats.api_calls,
        papers_cached: 0,
        cost_usd: 0,
        resets_at: null,
        connection_failures: 0,
        failure_causes: [],
      };
    }
  }
  return details;
}

async function readSessionJson(fs: StorageFs, dir: string): Promise<SessionFile | undefined> {
  const read = await readSessionFile(fs, dir); // when it fails, inspectSession has already said why
  return read.kind === "ok" ? read.file : undefined;
}

/** The session directory's entries with their sizes (lstat: nothing is opened). */
async function listFiles(fs: StorageFs, dir: string): Promise<Array<{ name: string; bytes: number }>> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const files: Array<{ name: string; bytes: number }> = [];
  for (const name of names.sort()) {
    const info = await fs.lstat(path.join(dir, name)).catch(() => undefined);
    if (info) files.push({ name, bytes: info.size });
  }
  return files;
}

/** progress.json, validated (a shape check when checkpoint.json vouches for its bytes, as on resume). */
async function readProgress(
  fs: StorageFs,
  dir: string,
  checkpoint: Checkpoint,
  notes: string[],
): Promise<ProgressFile | undefined> {
  let buffer: Buffer;
  try {
    buffer = await fs.readFile(path.join(dir, PROGRESS_FILE));
  } catch (error) {
    notes.push(
      `${PROGRESS_FILE} cannot be read (${error instanceof Error ? error.message : String(error)}): no failure details`,
    );
    return undefined;
  }
  const sha256 = createHash("sha256").update(buffer).digest("hex");
  const schema = progressSchemaFor(sha256, checkpoint.files.progress.sha256);
  let raw: unknown;
  try {
    raw = JSON.parse(buffer.toString("utf8"));
  } catch {
    notes.push(`${PROGRESS_FILE} is not valid JSON: no failure details`);
    return undefined;
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  notes.push(`${describeZodError(PROGRESS_FILE, parsed.error)}: no failure details`);
  return undefined;
}

/** Per source, its failed papers and their last error, in progress.json's order. */
function failuresOf(progress: ProgressFile): Map<string, Array<[string, string]>> {
  const out = new Map<string, Array<[string, string]>>();
  for (const [source, ids] of failedPaperIds(progress)) {
    const errors = progress.errors[source] ?? {};
    if (ids.length > 0)
      out.set(
        source,
        ids.map((paperId) => [paperId, errors[paperId] ?? "unknown error"]),
      );
  }
  return out;
}

/**
 * The first failed lookups in input order, titled from the snapshot, streamed until enough are
 * found. Those the snapshot did not yield (unreadable, another layout) follow untitled.
 */
async function firstFailedPapers(
  fs: StorageFs,
  papersFile: string,
  failures: Map<string, Array<[string, string]>>,
): Promise<FailedPaper[]> {
  if (failures.size === 0) return [];
  const byPaper = new Map<string, Array<[string, string]>>();
  for (const [source, list] of failures) {
    for (const [paperId, error] of list) {
      const entries = byPaper.get(paperId) ?? [];
      entries.push([source, error]);
      byPaper.set(paperId, entries);
    }
  }
  const found: FailedPaper[] = [];
  const add = (paperId: string, title: string | null) => {
    for (const [source, error] of byPaper.get(paperId) ?? []) {
      if (found.length < FAILED_PAPERS_LIMIT)
        found.push({ source, paper_id: paperId, title, cause: failureCause(error), error });
    }
    byPaper.delete(paperId);
  };
  const wanted = new Set(byPaper.keys());
  for await (const paper of paperTitles(fs, papersFile, wanted)) {
    add(paper.paper_id, paper.title);
    if (found.length >= FAILED_PAPERS_LIMIT) break;
  }
  for (const paperId of [...byPaper.keys()]) {
    if (found.length >= FAILED_PAPERS_LIMIT) break;
    add(paperId, null);
  }
  return found;
}
