import path from "node:path";
import { pythonInputCandidates, readPythonPaperKeys } from "../storage/python-session.js";
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
  /** The input's paper keys (paperKey of each; parsing it), to recognise a Python session by content. */
  paperKeys?: () => ReadonlySet<string> | Promise<ReadonlySet<string>>;
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
  const sessions = await findSessions(baseDir);
  if (flags.resume) {
    if (found) return { kind: "resume", sessionId: found.session_id, session: found, found: true };
    // What cf's own sessions say comes first (running, corrupt, completed); a Python session is
    // continued only where a new session would otherwise start.
    const decision = decideNothingToResume(flags, input, sessions);
    if (decision.kind !== "new" && decision.kind !== "confirm-new") return decision;
    const adoptable = await findAdoptableSession(sessions, input, baseDir, cwd, true);
    return adoptable ? { kind: "adopt", session: adoptable } : decision;
  }
  const running = flags.yes ? undefined : runningSessionFor(input, sessions);
  // Without --resume, only a Python session that names this input is offered (no content scan).
  const resumable =
    found ?? (running ? undefined : await findAdoptableSession(sessions, input, baseDir, cwd, false));
  if (running) return { kind: "confirm-race", running, ...(found ? { resumable: found } : {}) };
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
 * The newest adoptable Python session for this input: one whose named input file (resolved as the
 * Python tool would have, pythonInputCandidates) is this one, else (`byContent`) one most of whose
 * papers are in this input (the file moved; the Python tool kept no hash of it). A path match needs
 * the content to agree too, when both are known: the file may since hold another collection.
 */
async function findAdoptableSession(
  sessions: readonly SessionSummary[],
  input: InputIdentity,
  baseDir: string,
  cwd: string,
  byContent: boolean,
): Promise<SessionSummary | undefined> {
  const candidates = sessions.filter(isAdoptable);
  if (candidates.length === 0) return undefined;
  let ours: ReadonlySet<string> | undefined;
  /** Whether most of the session's papers are in the input; undefined when it saved none. */
  const covered = async (session: SessionSummary) => {
    const theirs = await readPythonPaperKeys(session.dir);
    if (theirs.size === 0) return undefined;
    ours ??= (await input.paperKeys?.()) ?? new Set<string>();
    let shared = 0;
    for (const key of theirs) if (ours.has(key)) shared += 1;
    return inputCoversSession(shared, theirs.size);
  };
  const comparable = input.sha256 !== undefined && input.paperKeys !== undefined;
  const named = (s: SessionSummary) =>
    s.input_file !== null && pythonInputCandidates(s.input_file, baseDir, cwd).includes(input.file);
  // A path match stands unless the content is known and disagrees.
  for (const session of candidates.filter(named)) {
    if (!comparable || (await covered(session)) !== false) return session;
  }
  if (!byContent || !comparable) return undefined;
  for (const session of candidates.filter((s) => !named(s))) if (await covered(session)) return session;
  return undefined;
}

function decideNamed(flags: SessionFlags, sessionId: string, sessions: SessionSummary[]): SessionDecision {
  // By directory; a Python session also by the id in its checkpoint (which may differ).
  const existing =
    sessions.find((s) => path.basename(s.dir) === sessionId) ??
    sessions.find((s) => s.format === "python" && s.session_id === sessionId);
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
