import path from "node:path";
import { z } from "zod";
import { isResumable } from "../../core/session-choice.js";
import { safeJson } from "../../model/safe-text.js";
import { resolvePythonInput } from "../../storage/python-session.js";
import { findSessions, RESUMABLE_STATUSES, type SessionSummary } from "../../storage/session-catalog.js";
import { resolveCheckpointDir } from "../../storage/session-id.js";
import type { CliDeps } from "../deps.js";
import { checkpointDirOption, parseOptions } from "../options.js";
import type { Colors } from "../render/colors.js";
import { displayPath, renderSessionsTable, sessionToJson } from "../render/sessions-table.js";
import { resumeCommand } from "../resume-command.js";

const listOptions = z.object({
  all: z.boolean().default(false),
  json: z.boolean().default(false),
  ...checkpointDirOption,
});

/** `cf consolidate-sessions list`. */
export async function listSessionsCommand(raw: Record<string, unknown>, deps: CliDeps): Promise<void> {
  const options = parseOptions(listOptions, raw);
  const baseDir = resolveCheckpointDir(options.checkpointDir, deps.env, deps.cwd);
  const sessions = await findSessions(baseDir);
  const shown = options.all ? sessions : sessions.filter((s) => RESUMABLE_STATUSES.includes(s.status));
  if (options.json) {
    deps.stdout(`${safeJson(JSON.stringify(shown.map(sessionToJson), null, 2))}\n`);
    return;
  }
  const color = await deps.colors();
  if (sessions.length === 0) {
    deps.stdout(`${color.yellow("No consolidation sessions found")} in ${displayPath(baseDir, deps.cwd)}.\n`);
    return;
  }
  if (shown.length === 0) {
    deps.stdout(
      `${color.yellow("No resumable sessions.")} ${sessions.length} other session(s): use --all to see them.\n`,
    );
    return;
  }
  const { default: Table } = await import("cli-table3");
  deps.stdout(renderSessionsTable(shown, Table, color, deps.cwd));
  deps.stdout(footer(shown, sessions.length, options.all, baseDir, deps, color));
}

function footer(
  shown: SessionSummary[],
  total: number,
  all: boolean,
  baseDir: string,
  deps: CliDeps,
  color: Colors,
): string {
  const resumable = shown.filter(isResumable);
  const lines: string[] = [];
  if (all) lines.push(`${total} session(s), ${resumable.length} resumable.`);
  else lines.push(color.cyan(`${resumable.length} resumable session(s).`));
  for (const session of resumable.slice(0, 5)) {
    const python = session.format === "python";
    const inputFile = python
      ? (resolvePythonInput(session.input_file ?? "", baseDir, deps.cwd) ?? "")
      : (session.input_file ?? "");
    const command = resumeCommand({
      inputFile,
      // By directory: what --session-id finds (a Python checkpoint's own id may differ).
      sessionId: path.basename(session.dir),
      baseDir,
      cwd: deps.cwd,
      env: deps.env,
      sources: Object.keys(session.sources),
    });
    // The Python tool's session goes on in a new cf session (its own files are left as they are).
    lines.push(python ? `  Continue (Python tool's session): ${command}` : `  Resume: ${command}`);
  }
  if (resumable.length > 5) lines.push(`  … and ${resumable.length - 5} more (see --json)`);
  return `${lines.join("\n")}\n`;
}
