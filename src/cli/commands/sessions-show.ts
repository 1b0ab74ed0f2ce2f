import path from "node:path";
import { z } from "zod";
import { isResumable } from "../../core/session-choice.js";
import { SessionNotFoundError } from "../../errors.js";
import { safeJson } from "../../model/safe-text.js";
import { resolvePythonInput } from "../../storage/python-session.js";
import { findSessions, locateSession } from "../../storage/session-catalog.js";
import { type SessionDetails, sessionDetails } from "../../storage/session-details.js";
import { resolveCheckpointDir, validateSessionId } from "../../storage/session-id.js";
import type { CliDeps } from "../deps.js";
import { checkpointDirOption, parseOptions } from "../options.js";
import { renderSessionDetails } from "../render/session-details.js";
import { sessionDetailsToJson } from "../render/session-json.js";
import { displayPath } from "../render/sessions-table.js";
import { resumeCommand } from "../resume-command.js";

const showOptions = z.object({
  json: z.boolean().default(false),
  ...checkpointDirOption,
});

/** `cf consolidate-sessions show <session-id>`. */
export async function showSessionCommand(
  id: string,
  raw: Record<string, unknown>,
  deps: CliDeps,
): Promise<void> {
  const options = parseOptions(showOptions, raw);
  validateSessionId(id);
  const baseDir = resolveCheckpointDir(options.checkpointDir, deps.env, deps.cwd);
  const dir = await locateSession(baseDir, id);
  if (!dir) {
    throw new SessionNotFoundError(`no session ${id} in ${displayPath(baseDir, deps.cwd)}`, {
      hint: "List sessions with `cf consolidate-sessions list --all` (and the same --checkpoint-dir).",
    });
  }
  const details = await sessionDetails(dir);
  if (details.summary.format === "python") {
    // Which cf session continues it is known from the other sessions (the listing's rule).
    const listed = (await findSessions(baseDir)).find((s) => s.dir === details.summary.dir);
    if (listed?.adopted_by) details.summary.adopted_by = listed.adopted_by;
  }
  const resume = resumableCommand(details, baseDir, deps);
  if (options.json) {
    deps.stdout(`${safeJson(JSON.stringify(sessionDetailsToJson(details, resume), null, 2))}\n`);
    return;
  }
  const { default: Table } = await import("cli-table3");
  deps.stdout(renderSessionDetails(details, resume, Table, await deps.colors(), deps.cwd));
}

/** The resume command of a session cf can continue now, else null. */
function resumableCommand(details: SessionDetails, baseDir: string, deps: CliDeps): string | null {
  const { summary } = details;
  if (!isResumable(summary) || !summary.input_file) return null;
  const inputFile =
    summary.format === "python"
      ? (resolvePythonInput(summary.input_file, baseDir, deps.cwd) ?? "")
      : summary.input_file;
  return resumeCommand({
    inputFile,
    // Resuming finds a session by its directory's name.
    sessionId: path.basename(summary.dir),
    baseDir,
    cwd: deps.cwd,
    env: deps.env,
    sources: details.source_names,
  });
}
