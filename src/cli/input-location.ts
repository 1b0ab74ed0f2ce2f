import path from "node:path";
import { SessionNotFoundError, UsageError } from "../errors.js";
import { resolvePythonInput } from "../storage/python-session.js";
import { findSessions } from "../storage/session-catalog.js";
import { displayPath } from "./render/sessions-table.js";

/**
 * The input file of a `cf consolidate` run: `--input`, or, with `--resume --session-id`, the file
 * the session names (a cf session's absolute path; a Python session's path resolved as the Python
 * tool would have). The file itself may be gone: the caller decides what that means.
 */
export async function inputPathFor(
  options: { input?: string | undefined; resume: boolean; sessionId?: string | undefined },
  baseDir: string,
  cwd: string,
): Promise<string> {
  if (options.input) return path.resolve(cwd, options.input);
  if (!options.resume || !options.sessionId) {
    // Commander's own wording, which scripts may match; --input is optional only with a named resume.
    throw new UsageError("required option '-i, --input <file>' not specified", {
      hint: "Name the papers file with --input FILE. To continue a session from the file it names, give --resume --session-id ID instead.",
    });
  }
  const id = options.sessionId;
  const sessions = await findSessions(baseDir);
  const session = sessions.find((s) => path.basename(s.dir) === id || s.session_id === id);
  if (!session) {
    throw new SessionNotFoundError(`no session ${id} in ${displayPath(baseDir, cwd)}`, {
      hint: "List sessions with `cf consolidate-sessions list --all`.",
    });
  }
  // A Python session continued by a cf session: that session's input is the one to use.
  const adopter = session.adopted_by ? sessions.find((s) => s.session_id === session.adopted_by) : undefined;
  if (adopter?.input_file) return adopter.input_file;
  const named = session.input_file;
  const file =
    named && session.format === "python" ? resolvePythonInput(named, baseDir, cwd) : named || undefined;
  if (!file) {
    throw new UsageError(`session ${id} does not name its input file`, {
      hint: "Give the papers file with --input FILE.",
    });
  }
  return path.resolve(cwd, file);
}
