import path from "node:path";
import type { SessionChoice } from "../core/consolidate.js";
import { ExitCode, ExitError, SessionLockedError, SessionNotFoundError, UsageError } from "../errors.js";
import { findResumableSession, findSessions, type SessionSummary } from "../storage/session-catalog.js";
import type { CliDeps } from "./deps.js";
import { displayPath } from "./render/sessions-table.js";
import { resumeCommand } from "./resume-command.js";

/** Decide which session a `cf consolidate` run uses, asking on a terminal where the user must choose. */

export interface PickerOptions {
  resume: boolean;
  sessionId?: string | undefined;
  yes: boolean;
}

function describe(session: SessionSummary): string {
  const sources = Object.entries(session.sources)
    .map(([name, s]) => `${name} ${s.papers_done}/${session.total_papers ?? "?"}`)
    .join(", ");
  return `${session.session_id} (${session.status}${sources ? `; ${sources}` : ""})`;
}

/**
 * A new session for an input that a running session is working on would fetch everything again and
 * race it for the output: say who runs it and ask; without a terminal (and without --yes), try later.
 */
async function refuseRaceWithRunningSession(
  input: { file: string; sha256: string },
  baseDir: string,
  options: PickerOptions,
  deps: CliDeps,
): Promise<void> {
  if (options.yes) return;
  const running = runningSessionFor(input, await findSessions(baseDir));
  if (!running) return;
  const message = `session ${running.session_id} is already running for this input (${holderOf(running)})`;
  if (!deps.interactive) {
    throw new SessionLockedError(message, {
      hint: "A second run would fetch everything again and race it for the output. Wait for it to finish, or pass --yes to start another session anyway.",
    });
  }
  deps.stderr(`${message}; a second run would fetch everything again and race it for the output.\n`);
  if (!(await deps.confirm("Start another session anyway?"))) throw new ExitError(ExitCode.tryLater);
}

/** A session running (lock held by a live process) on this input, by path or by content. */
function runningSessionFor(
  input: { file: string; sha256: string },
  sessions: readonly SessionSummary[],
): SessionSummary | undefined {
  return sessions.find(
    (s) => s.status === "running" && (s.input_file === input.file || s.input_sha256 === input.sha256),
  );
}

function holderOf(session: SessionSummary): string {
  return session.holder
    ? `pid ${session.holder.pid} on ${session.holder.hostname}, since ${session.holder.started_at}`
    : "another process";
}

/** The session to run: resume one, or start a new one. Throws ExitError(0) when the user declines. */
export async function pickSession(
  options: PickerOptions,
  input: { file: string; sha256: string },
  baseDir: string,
  deps: CliDeps,
): Promise<SessionChoice> {
  const say = (line: string) => deps.stderr(`${line}\n`);
  if (options.sessionId) {
    const sessions = await findSessions(baseDir);
    const existing = sessions.find((s) => path.basename(s.dir) === options.sessionId);
    // Naming an existing session without --resume is a usage error: the user may have meant a new
    // one. A running session is left to the lock, which names the process holding it (exit 75).
    if (existing && !options.resume && existing.status !== "running") {
      const command = resumeCommand({
        inputFile: input.file,
        sessionId: options.sessionId,
        baseDir,
        cwd: deps.cwd,
        env: deps.env,
        sources: Object.keys(existing.sources),
      });
      if (existing.status === "corrupt") {
        throw new UsageError(
          `session ${options.sessionId} already exists in ${displayPath(baseDir, deps.cwd)} and is corrupt: ${existing.problem ?? "unreadable"}`,
          {
            hint: "Choose another --session-id to start a new session, or remove it (`cf consolidate-sessions clean --corrupt`).",
          },
        );
      }
      throw new UsageError(
        `session ${options.sessionId} already exists in ${displayPath(baseDir, deps.cwd)} (${existing.status}): add --resume to continue it`,
        {
          hint: `To continue it, run:\n  ${command}\nTo start a new session instead, choose another --session-id.`,
        },
      );
    }
    if (existing) return { kind: "resume", sessionId: options.sessionId, inputSha256: existing.input_sha256 };
    if (options.resume) {
      throw new SessionNotFoundError(`no session ${options.sessionId} in ${displayPath(baseDir, deps.cwd)}`, {
        hint: "List sessions with `cf consolidate-sessions list --all`.",
      });
    }
    return { kind: "new", sessionId: options.sessionId };
  }
  const found = await findResumableSession(baseDir, input.file);
  if (options.resume) {
    if (found) {
      say(`Found resumable session: ${found.session_id}`);
      return { kind: "resume", sessionId: found.session_id, inputSha256: found.input_sha256 };
    }
    const sessions = await findSessions(baseDir);
    // The input's session is running elsewhere: resuming it must wait (the lock would say so), and
    // a new session would race it, whatever --yes says.
    const running = runningSessionFor(input, sessions);
    if (running) {
      throw new SessionLockedError(
        `session ${running.session_id} for this input is running (${holderOf(running)}): it cannot be resumed while it runs`,
        { hint: "Wait for it to finish or stop it (Ctrl-C there), then run the same command again." },
      );
    }
    const corrupt = sessions.find((s) => s.status === "corrupt" && s.input_file === input.file);
    if (corrupt && !options.yes) {
      throw new UsageError(
        `the newest session for ${displayPath(input.file, deps.cwd)} (${corrupt.session_id}) is corrupt: ${corrupt.problem ?? "unreadable"}`,
        {
          hint: "Nothing was changed. Repair or remove it (`cf consolidate-sessions clean --corrupt`), or pass --yes to start a new session.",
        },
      );
    }
    // A run killed after its completion commit: the work is done, and starting over would redo it all.
    const completed = sessions.find(
      (s) => s.status === "completed" && s.input_file === input.file && s.input_sha256 === input.sha256,
    );
    if (completed) {
      say(`Nothing to resume: session ${completed.session_id} already completed this input.`);
      say("  Run without --resume to start a new session.");
      throw new ExitError(0);
    }
    // A session that never committed a checkpoint (a run killed while creating it) holds nothing:
    // it must not make the user choose.
    const others = sessions.filter((s) => s.status !== "pending");
    if (others.length === 0) {
      say(`No session to resume for ${displayPath(input.file, deps.cwd)}: starting a new one.`);
      return { kind: "new" };
    }
    say("No resumable session found for this input file. Other sessions:");
    for (const session of others.slice(0, 5)) {
      say(`  • ${session.session_id} - ${displayPath(session.input_file, deps.cwd)} (${session.status})`);
    }
    if (options.yes) return { kind: "new" };
    if (!deps.interactive) {
      throw new UsageError(
        "no resumable session for this input, and no terminal to ask whether to start a new one",
        {
          hint: "Pass --yes to start a new session, or --session-id to resume a specific one.",
        },
      );
    }
    if (!(await deps.confirm("Start a new session?"))) throw new ExitError(0);
    return { kind: "new" };
  }
  await refuseRaceWithRunningSession(input, baseDir, options, deps);
  if (found) {
    say(`A resumable session exists for this input: ${describe(found)}.`);
    const command = resumeCommand({
      inputFile: input.file,
      sessionId: found.session_id,
      baseDir,
      cwd: deps.cwd,
      env: deps.env,
      sources: Object.keys(found.sources),
    });
    say(`  Resume it with: ${command}`);
    if (deps.interactive && !options.yes && !(await deps.confirm("Start a new session anyway?"))) {
      throw new ExitError(0);
    }
  }
  return { kind: "new" };
}
