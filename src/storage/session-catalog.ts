import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import path from "node:path";
import { isErrnoException } from "../errors.js";
import { storageError } from "./atomic-write.js";
import { readCheckpoint } from "./checkpoint-file.js";
import { nodeStorageFs, type StorageFs } from "./fs.js";
import { legacySourceStats, legacyStatus } from "./legacy-status.js";
import { SESSION_FILE, type SessionFile, type SourceStatus, sessionFileSchema } from "./session-files.js";
import { type LockInfo, readSessionLock } from "./session-lock.js";
import { describeZodError } from "./zod-problem.js";

/**
 * Discovery and status of sessions, reading only the small files (session.json, checkpoint.json
 * and its .bak, the lock), never a papers file, so listing stays fast whatever the session size.
 */

export type SessionStatus = "completed" | "failed" | "interrupted" | "pending" | "running" | "corrupt";

export const RESUMABLE_STATUSES: readonly SessionStatus[] = ["interrupted", "failed"];

export interface SourceSummary {
  status: SourceStatus | "unknown";
  papers_done: number;
  papers_enriched: number;
  papers_failed: number;
  api_calls: number;
  /** Papers answered by the response cache instead of a request. */
  papers_cached: number;
  /** What the source's requests cost in USD, as the API reported it (0 for a free API). */
  cost_usd: number;
}

export interface SessionSummary {
  session_id: string;
  /** Absolute path of the session directory. */
  dir: string;
  /** `cf` for sessions written by this tool, `python` for the reference tool's. */
  format: "cf" | "python" | "unknown";
  status: SessionStatus;
  input_file: string | null;
  input_sha256: string | null;
  total_papers: number | null;
  created_at: string | null;
  last_checkpoint: string | null;
  sources: Record<string, SourceSummary>;
  /** What is wrong (corrupt) or was recovered (backup used). */
  problem: string | null;
  /** The live holder of a running session's lock. */
  holder: LockInfo | null;
  /** A cf session that continues a Python tool's session: that session's id. */
  adopted_from?: string;
  /** A Python tool's session that a cf session continues: the cf session's id (the newest). */
  adopted_by?: string;
}

/** Summarise one session directory. Never throws for a damaged session: it is reported as corrupt. */
export async function inspectSession(dir: string, fs: StorageFs = nodeStorageFs): Promise<SessionSummary> {
  const summary: SessionSummary = {
    session_id: path.basename(dir),
    dir,
    format: "unknown",
    status: "pending",
    input_file: null,
    input_sha256: null,
    total_papers: null,
    created_at: null,
    last_checkpoint: null,
    sources: {},
    problem: null,
    holder: null,
  };
  const linked = await symbolicLinkIn(fs, dir);
  const session = await readSessionFile(fs, dir);
  if (session.kind === "ok") applySessionFile(summary, session.file);
  else if (session.kind === "corrupt") {
    summary.status = "corrupt";
    summary.problem = session.problem;
  }
  const checkpoint = await readCheckpoint(fs, dir).catch((error: unknown) => ({
    kind: "corrupt" as const,
    problem: error instanceof Error ? error.message : String(error),
  }));
  if (checkpoint.kind === "cf" && session.kind === "missing") {
    // Resuming needs session.json; without it the session is not resumable, whatever the checkpoint says.
    summary.status = "corrupt";
    summary.problem = `${SESSION_FILE} is missing`;
  }
  if (checkpoint.kind === "corrupt") {
    summary.status = "corrupt";
    summary.problem = summary.problem ?? checkpoint.problem;
  } else if (checkpoint.kind === "cf") {
    const cp = checkpoint.checkpoint;
    summary.format = "cf";
    summary.input_file = cp.input_file;
    summary.total_papers = cp.total_papers;
    summary.last_checkpoint = cp.last_checkpoint_time;
    for (const [name, state] of Object.entries(cp.sources)) {
      summary.sources[name] = {
        status: state.status,
        papers_done: state.papers_done,
        papers_enriched: state.papers_enriched,
        papers_failed: state.papers_failed,
        api_calls: state.api_calls,
        papers_cached: state.papers_cached ?? 0,
        cost_usd: state.cost_usd ?? 0,
      };
    }
    if (summary.status !== "corrupt") {
      summary.status = cp.completed_at
        ? "completed"
        : statusFromSources(Object.values(cp.sources).map((s) => s.status));
    }
    if (checkpoint.fromBackup && summary.problem === null)
      summary.problem = `${checkpoint.problem}; .bak is usable`;
  } else if (checkpoint.kind === "legacy") {
    const cp = checkpoint.checkpoint;
    summary.format = "python";
    summary.session_id = cp.session_id || summary.session_id;
    summary.input_file = cp.input_file;
    summary.total_papers = cp.total_papers;
    summary.last_checkpoint = cp.timestamp;
    summary.created_at = summary.created_at ?? cp.timestamp;
    for (const [name, stats] of Object.entries(legacySourceStats(cp.sources))) {
      if (name === "merge") continue;
      summary.sources[name] = {
        status: "unknown",
        papers_done: stats.papers_processed,
        papers_enriched: stats.papers_enriched,
        papers_failed: 0,
        api_calls: 0,
        papers_cached: 0,
        cost_usd: 0,
      };
    }
    if (summary.status !== "corrupt") summary.status = legacyStatus(cp.sources, cp.total_papers);
  }
  if (linked !== undefined) {
    // cf never follows it (it would read or write outside the session), so the session cannot go on.
    summary.status = "corrupt";
    summary.problem = `${linked} is a symbolic link; session files must be regular files`;
  }
  const lock = await readSessionLock(dir).catch(() => ({ state: "free" as const }));
  if (lock.state === "held") {
    summary.status = "running";
    summary.holder = lock.holder ?? null;
  }
  return summary;
}

function applySessionFile(summary: SessionSummary, file: SessionFile): void {
  summary.created_at = file.created_at;
  summary.input_file = file.input_file ?? null;
  summary.input_sha256 = file.input_sha256 ?? null;
  summary.total_papers = file.input_papers ?? null;
  if (file.cf_version) summary.format = "cf";
  if (file.adopted_from) summary.adopted_from = file.adopted_from.session_id;
}

/** The first entry of a session directory that is a symbolic link, if any. */
async function symbolicLinkIn(fs: StorageFs, dir: string): Promise<string | undefined> {
  const entries = await fs.readdirEntries?.(dir).catch(() => []);
  return entries?.find((entry) => entry.isSymbolicLink())?.name;
}

/** Session status from the per-source statuses of a cf checkpoint. */
export function statusFromSources(statuses: readonly SourceStatus[]): SessionStatus {
  if (statuses.length === 0) return "pending";
  if (statuses.every((s) => s === "completed")) return "interrupted"; // finished but never marked complete
  if (statuses.includes("failed")) return "failed";
  if (statuses.some((s) => STARTED_SOURCE_STATUSES.has(s))) return "interrupted";
  return "pending";
}

/**
 * Source statuses of a session that has started and can go on. A string set, so that statuses added
 * to the schema (`unreachable`: the API could not be reached, retried on resume) can be named here.
 */
const STARTED_SOURCE_STATUSES: ReadonlySet<string> = new Set([
  "in_progress",
  "budget_exhausted",
  "unreachable",
  "completed",
]);

/** session.json of the session in `dir`, or why it cannot be read (named by its file name alone). */
export async function readSessionFile(
  fs: StorageFs,
  dir: string,
): Promise<{ kind: "ok"; file: SessionFile } | { kind: "missing" } | { kind: "corrupt"; problem: string }> {
  let text: string;
  try {
    text = (await fs.readFile(path.join(dir, SESSION_FILE))).toString("utf8");
  } catch (error) {
    if (isErrnoException(error) && error.code === "ENOENT") return { kind: "missing" };
    return { kind: "corrupt", problem: `${SESSION_FILE} cannot be read (${String(error)})` };
  }
  try {
    const parsed = sessionFileSchema.safeParse(JSON.parse(text));
    if (parsed.success) return { kind: "ok", file: parsed.data };
    return { kind: "corrupt", problem: describeZodError(SESSION_FILE, parsed.error) };
  } catch {
    return { kind: "corrupt", problem: `${SESSION_FILE} is not valid JSON` };
  }
}

/** All sessions under `baseDir`, newest first. Symlinks and plain files are ignored. */
export async function findSessions(
  baseDir: string,
  fs: StorageFs = nodeStorageFs,
): Promise<SessionSummary[]> {
  let names: string[];
  try {
    names = await fs.readdir(baseDir);
  } catch (error) {
    if (isErrnoException(error) && error.code === "ENOENT") return [];
    throw storageError(`listing ${baseDir}`, error);
  }
  const dirs: string[] = [];
  for (const name of names) {
    const info = await fs.lstat(path.join(baseDir, name)).catch(() => undefined);
    if (info?.isDirectory() && !info.isSymbolicLink()) dirs.push(path.join(baseDir, name));
  }
  const sessions = (await Promise.all(dirs.map((dir) => inspectSession(dir, fs)))).sort(
    (a, b) =>
      (b.created_at ?? "").localeCompare(a.created_at ?? "") || b.session_id.localeCompare(a.session_id),
  );
  // A Python session continued by a cf session names it (the newest, as the list is newest first).
  // One killed before its first checkpoint (pending) or damaged holds nothing: it does not count.
  const usable = (s: SessionSummary) => s.status !== "pending" && s.status !== "corrupt";
  for (const session of sessions) {
    if (session.format !== "python") continue;
    const adopter = sessions.find(
      (s) => s.format === "cf" && s.adopted_from === session.session_id && usable(s),
    );
    if (adopter) session.adopted_by = adopter.session_id;
  }
  return sessions;
}

/**
 * The directory of session `id` under `baseDir`: the directory of that name, else (the Python tool
 * named some sessions differently from their directory) the session whose id that is.
 */
export async function locateSession(
  baseDir: string,
  id: string,
  fs: StorageFs = nodeStorageFs,
): Promise<string | undefined> {
  const dir = path.join(baseDir, id);
  const info = await fs.lstat(dir).catch(() => undefined);
  if (info?.isDirectory() && !info.isSymbolicLink()) return dir;
  return (await findSessions(baseDir, fs)).find((s) => s.session_id === id)?.dir;
}

/** sha256 of a file, streamed. */
export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * The newest interrupted or failed cf session for this input: same absolute path, or, if the file
 * moved, same content (sha256).
 */
export async function findResumableSession(
  baseDir: string,
  inputFile: string,
  fs: StorageFs = nodeStorageFs,
): Promise<SessionSummary | undefined> {
  const absolute = path.resolve(inputFile);
  const candidates = (await findSessions(baseDir, fs)).filter(
    (s) => s.format === "cf" && RESUMABLE_STATUSES.includes(s.status),
  );
  const byPath = candidates.find((s) => s.input_file === absolute);
  if (byPath) return byPath;
  if (!candidates.some((s) => s.input_sha256)) return undefined;
  const sha = await sha256OfFile(absolute).catch(() => undefined);
  return sha ? candidates.find((s) => s.input_sha256 === sha) : undefined;
}
