import path from "node:path";
import type { SessionChoice } from "../core/consolidate.js";
import { decideSession, type InputIdentity, type SessionFlags } from "../core/session-choice.js";
import { ExitCode, ExitError, SessionLockedError, SessionNotFoundError, UsageError } from "../errors.js";
import { safeText } from "../model/safe-text.js";
import type { SessionSummary } from "../storage/session-catalog.js";
import type { CliDeps } from "./deps.js";
import { displayPath } from "./render/sessions-table.js";
import { resumeCommand } from "./resume-command.js";

/**
 * Which session a `cf consolidate` run uses: core decides (session-choice.ts); this words each case,
 * asks on a terminal where the user must choose, and turns refusals into errors.
 */

export type PickerOptions = SessionFlags;

function describe(session: SessionSummary): string {
  const sources = Object.entries(session.sources)
    .map(([name, s]) => `${safeText(name)} ${s.papers_done}/${session.total_papers ?? "?"}`)
    .join(", ");
  const python = session.format === "python" ? ", the Python tool's" : "";
  return `${safeText(session.session_id)} (${session.status}${python}${sources ? `; ${sources}` : ""})`;
}

function holderOf(session: SessionSummary): string {
  return session.holder
    ? `pid ${session.holder.pid} on ${session.holder.hostname}, since ${session.holder.started_at}`
    : "another process";
}

/**
 * The session to run: resume one, or start a new one. Throws ExitError(0) when the user declines.
 * `missing`: the input file is gone (thrown when the run would need it: anything but a resume).
 */
export async function pickSession(
  options: PickerOptions,
  input: InputIdentity,
  baseDir: string,
  deps: CliDeps,
  missing?: Error,
): Promise<SessionChoice> {
  const say = (line: string) => deps.stderr(`${line}\n`);
  const where = displayPath(baseDir, deps.cwd);
  const commandFor = (session: SessionSummary) =>
    resumeCommand({
      inputFile: input.file,
      // A session is named by its directory (a Python session's checkpoint id may differ).
      sessionId: path.basename(session.dir),
      baseDir,
      cwd: deps.cwd,
      env: deps.env,
      sources: Object.keys(session.sources),
    });
  const decision = await decideSession(options, input, baseDir, deps.cwd);
  const needsSession = ["resume", "adopt", "named-missing", "running-elsewhere"];
  if (missing && !needsSession.includes(decision.kind)) throw missing;
  switch (decision.kind) {
    case "resume": {
      if (decision.found) say(`Found resumable session: ${safeText(decision.sessionId)}`);
      return {
        kind: "resume",
        sessionId: decision.sessionId,
        inputSha256: decision.session.input_sha256,
      };
    }
    case "adopt": {
      const { session } = decision;
      say(
        `Continuing the Python tool's session ${safeText(session.session_id)} in a new cf session (its files are left as they are).`,
      );
      return { kind: "adopt", dir: session.dir };
    }
    case "named-exists": {
      const { session } = decision;
      if (session.status === "corrupt") {
        throw new UsageError(
          `session ${options.sessionId} already exists in ${where} and is corrupt: ${session.problem ?? "unreadable"}`,
          {
            hint: "Choose another --session-id to start a new session, or remove it (`cf consolidate-sessions clean --corrupt`).",
          },
        );
      }
      throw new UsageError(
        `session ${options.sessionId} already exists in ${where} (${session.status}): add --resume to continue it`,
        {
          hint: `To continue it, run:\n  ${commandFor({ ...session, session_id: options.sessionId ?? session.session_id })}\nTo start a new session instead, choose another --session-id.`,
        },
      );
    }
    case "named-missing":
      throw new SessionNotFoundError(`no session ${decision.sessionId} in ${where}`, {
        hint: "List sessions with `cf consolidate-sessions list --all`.",
      });
    case "running-elsewhere":
      throw new SessionLockedError(
        `session ${decision.session.session_id} for this input is running (${holderOf(decision.session)}): it cannot be resumed while it runs`,
        { hint: "Wait for it to finish or stop it (Ctrl-C there), then run the same command again." },
      );
    case "newest-corrupt":
      throw new UsageError(
        `the newest session for ${displayPath(input.file, deps.cwd)} (${decision.session.session_id}) is corrupt: ${decision.session.problem ?? "unreadable"}`,
        {
          hint: "Nothing was changed. Repair or remove it (`cf consolidate-sessions clean --corrupt`), or pass --yes to start a new session.",
        },
      );
    case "already-completed":
      say(
        `Nothing to resume: session ${safeText(decision.session.session_id)} already completed this input.`,
      );
      say("  Run without --resume to start a new session.");
      throw new ExitError(0);
    case "confirm-new": {
      say("No resumable session found for this input file. Other sessions:");
      for (const session of decision.others.slice(0, 5)) {
        say(
          `  • ${safeText(session.session_id)} - ${displayPath(session.input_file, deps.cwd)} (${session.status})`,
        );
      }
      if (options.yes) return { kind: "new" };
      if (!deps.interactive) {
        throw new UsageError(
          "no resumable session for this input, and no terminal to ask whether to start a new one",
          { hint: "Pass --yes to start a new session, or --session-id to resume a specific one." },
        );
      }
      if (!(await deps.confirm("Start a new session?"))) throw new ExitError(0);
      return { kind: "new" };
    }
    case "confirm-race": {
      // A new session would fetch everything again and race the running one for the output.
      const message = `session ${decision.running.session_id} is already running for this input (${holderOf(decision.running)})`;
      if (!deps.interactive) {
        throw new SessionLockedError(message, {
          hint: "A second run would fetch everything again and race it for the output. Wait for it to finish, or pass --yes to start another session anyway.",
        });
      }
      deps.stderr(`${message}; a second run would fetch everything again and race it for the output.\n`);
      if (!(await deps.confirm("Start another session anyway?"))) throw new ExitError(ExitCode.tryLater);
      if (decision.resumable) await offerResumable(decision.resumable);
      return { kind: "new" };
    }
    case "new-beside-resumable":
      await offerResumable(decision.resumable);
      return { kind: "new" };
    case "new":
      if (decision.why === "nothing-to-resume") {
        say(`No session to resume for ${displayPath(input.file, deps.cwd)}: starting a new one.`);
      }
      return decision.sessionId ? { kind: "new", sessionId: decision.sessionId } : { kind: "new" };
  }

  /** A resumable session exists: say how to resume it; on a terminal without --yes, ask before a new one. */
  async function offerResumable(session: SessionSummary): Promise<void> {
    say(`A resumable session exists for this input: ${describe(session)}.`);
    say(`  Resume it with: ${commandFor(session)}`);
    if (deps.interactive && !options.yes && !(await deps.confirm("Start a new session anyway?"))) {
      throw new ExitError(0);
    }
  }
}
