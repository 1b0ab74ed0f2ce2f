import path from "node:path";
import { pythonInputCandidates, readPythonPaperIds } from "../storage/python-session.js";
import {
  findResumableSession,
  findSessions,
  RESUMABLE_STATUSES,
  type SessionSummary,
} from "../storage/session-catalog.js";
import { inputCoversSession } from "./adopt-python.js";

/**
 * The resume-or-new rules of `cf consolidate`: which session a run should use, or why the user must
 * decide, from the flags and the sessions on disk. No terminal here: the CLI (session-picker.ts)
 * words each case, asks where a terminal allows, and maps refusals to errors.
 */

export interface SessionFlags {
  resume: boolean;
  sessionId?: string | undefined;
  yes: boolean;
}

export interface InputIdentity {
  /** Absolute path of the input file. */
  file: string;
  /** Undefined when the file is gone (only a session can then say what the papers are). */
  sha256: string | undefined;
  /** The input's paper ids (parsing it), to recognise a Python session by content. */
  paperIds?: () => ReadonlySet<string>;
}

export type SessionDecision =
  /** Continue this session. */
  | { kind: "resume"; sessionId: string; session: SessionSummary; found: boolean }
  /** Continue this Python tool's session in a new cf session (issue 15). */
  | { kind: "adopt"; session: SessionSummary }
  /** Start a new session (with this id when given); `why` says what to tell the user first. */
  | { kind: "new"; sessionId?: string; why?: "nothing-to-resume" }
  /** --session-id names an existing session but --resume is missing (usage error). */
  | { kind: "named-exists"; session: SessionSummary }
  /** --resume --session-id names no session. */
  | { kind: "named-missing"; sessionId: string }
  /** --resume, but the input's session runs in another process: try later. */
  | { kind: "running-elsewhere"; session: SessionSummary }
  /** --resume, and the newest session for the input is corrupt (without --yes). */
  | { kind: "newest-corrupt"; session: SessionSummary }
  /** --resume, and a session already completed this very input: nothing to do. */
  | { kind: "already-completed"; session: SessionSummary }
  /** --resume found nothing for this input, but other sessions exist: a new one needs a yes. */
  | { kind: "confirm-new"; others: SessionSummary[] }
  /** No --resume, and a session runs on this input: a new one would race it (needs a yes). */
  | { kind: "confirm-race"; running: SessionSummary; resumable?: SessionSummary }
  /** No --resume, and a resumable session exists for this input: say so; a new one needs a yes on a terminal. */
  | { kind: "new-beside-resumable"; resumable: SessionSummary };

/** A session running (lock held by a live process) on this input, by path or by content. */
export function runningSessionFor(
  input: InputIdentity,
  sessions: readonly SessionSummary[],
): SessionSummary | undefined {
  return sessions.find(
    (s) => s.status === "running" && (s.input_file === input.file || s.input_sha256 === input.sha256),
  );
}

/** `cwd`: where relative input paths of Python sessions may have been given from. */
export async function decideSession(
  flags: SessionFlags,
  input: InputIdentity,
  baseDir: string,
  cwd: string = process.cwd(),
): Promise<SessionDecision> {
  if (flags.sessionId) return decideNamed(flags, flags.sessionId, await findSessions(baseDir));
  const found = await findResumableSession(baseDir, input.file);
  // A cf session for this input wins: it holds the latest work (an adopted Python session's included).
  const adoptable = found
    ? undefined
    : await findAdoptableSession(await findSessions(baseDir), input, baseDir, cwd);
  if (flags.resume) {
    if (found) return { kind: "resume", sessionId: found.session_id, session: found, found: true };
    if (adoptable) return { kind: "adopt", session: adoptable };
    return decideNothingToResume(flags, input, await findSessions(baseDir));
  }
  const resumable = found ?? adoptable;
  const running = flags.yes ? undefined : runningSessionFor(input, await findSessions(baseDir));
  if (running) return { kind: "confirm-race", running, ...(resumable ? { resumable } : {}) };
  return resumable ? { kind: "new-beside-resumable", resumable } : { kind: "new" };
}

/** A session `--resume` can go on with: a cf session interrupted or failed, or an adoptable Python one. */
export function isResumable(session: SessionSummary): boolean {
  return (session.format === "cf" && RESUMABLE_STATUSES.includes(session.status)) || isAdoptable(session);
}

/** A Python session cf can continue: interrupted or failed, and not continued by a cf session yet. */
export function isAdoptable(session: SessionSummary): boolean {
  return session.format === "python" && RESUMABLE_STATUSES.includes(session.status) && !session.adopted_by;
}

/**
 * The newest adoptable Python session for this input: the input file it names (resolved as the
 * Python tool would have, pythonInputCandidates) is this one, else most of its papers are in this
 * input (the file moved or was renamed; the Python tool kept no hash of it).
 */
async function findAdoptableSession(
  sessions: readonly SessionSummary[],
  input: InputIdentity,
  baseDir: string,
  cwd: string,
): Promise<SessionSummary | undefined> {
  const candidates = sessions.filter(isAdoptable);
  const byPath = candidates.find(
    (s) => s.input_file !== null && pythonInputCandidates(s.input_file, baseDir, cwd).includes(input.file),
  );
  if (byPath || !input.paperIds || input.sha256 === undefined) return byPath;
  let ours: ReadonlySet<string> | undefined;
  for (const session of candidates) {
    const theirs = await readPythonPaperIds(session.dir);
    if (theirs.size === 0) continue;
    ours ??= input.paperIds();
    let shared = 0;
    for (const id of theirs) if (ours.has(id)) shared += 1;
    if (inputCoversSession(shared, theirs.size)) return session;
  }
  return undefined;
}

function decideNamed(flags: SessionFlags, sessionId: string, sessions: SessionSummary[]): SessionDecision {
  const existing = sessions.find((s) => path.basename(s.dir) === sessionId);
  if (existing?.format === "python" && flags.resume) {
    // Continued once already: from then on its cf session is the one to resume.
    const adopter = sessions.find((s) => s.session_id === existing.adopted_by);
    if (adopter)
      return { kind: "resume", sessionId: path.basename(adopter.dir), session: adopter, found: false };
    return { kind: "adopt", session: existing };
  }
  // A running session named without --resume is left to the lock, which names its holder (exit 75).
  if (existing && !flags.resume && existing.status !== "running")
    return { kind: "named-exists", session: existing };
  if (existing) return { kind: "resume", sessionId, session: existing, found: false };
  if (flags.resume) return { kind: "named-missing", sessionId };
  return { kind: "new", sessionId };
}

function decideNothingToResume(
  flags: SessionFlags,
  input: InputIdentity,
  sessions: SessionSummary[],
): SessionDecision {
  // This input's session runs elsewhere: resuming must wait for it, whatever --yes says. (A session
  // running on a copy of the input at another path is not this one: the rules below apply.)
  const running = sessions.find((s) => s.status === "running" && s.input_file === input.file);
  if (running) return { kind: "running-elsewhere", session: running };
  const corrupt = sessions.find((s) => s.status === "corrupt" && s.input_file === input.file);
  if (corrupt && !flags.yes) return { kind: "newest-corrupt", session: corrupt };
  // A run killed after its completion commit: the work is done, and starting over would redo it all.
  const completed = sessions.find(
    (s) => s.status === "completed" && s.input_file === input.file && s.input_sha256 === input.sha256,
  );
  if (completed) return { kind: "already-completed", session: completed };
  // A session that never committed a checkpoint (killed while being created) holds nothing.
  const others = sessions.filter((s) => s.status !== "pending");
  if (others.length === 0) return { kind: "new", why: "nothing-to-resume" };
  return { kind: "confirm-new", others };
}
