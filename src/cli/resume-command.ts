import { SOURCE_NAMES } from "../model/records.js";
import { resolveCheckpointDir } from "../storage/session-id.js";
import { displayPath } from "./render/sessions-table.js";

/**
 * The one command cf prints to resume a session. It must work when pasted as is into a POSIX shell
 * from the same directory: paths are quoted when needed, and a checkpoint directory other than the
 * default is named (otherwise the pasted command looks in `.cf_state/consolidate` and fails).
 */

export interface ResumeCommandInput {
  /** Absolute path of the session's input file. */
  inputFile: string;
  sessionId: string;
  /** Absolute checkpoint directory holding the session. */
  baseDir: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The session's sources; named only when they are not the default set (a resume adds missing ones). */
  sources?: readonly string[] | undefined;
}

export function resumeCommand(input: ResumeCommandInput): string {
  const parts = [
    "cf consolidate --resume --input",
    shellQuote(shellPath(input.inputFile, input.cwd)),
    "--session-id",
    shellQuote(input.sessionId),
  ];
  if (!isDefaultSources(input.sources)) parts.push("--sources", shellQuote(input.sources!.join(",")));
  // The env may be unset (or point elsewhere) where the command is pasted: name the dir unless default.
  const defaultDir = resolveCheckpointDir(undefined, {}, input.cwd);
  const envDir = input.env.CF_CHECKPOINT_DIR
    ? resolveCheckpointDir(undefined, input.env, input.cwd)
    : undefined;
  if (input.baseDir !== defaultDir || (envDir !== undefined && envDir !== input.baseDir)) {
    parts.push("--checkpoint-dir", shellQuote(shellPath(input.baseDir, input.cwd)));
  }
  return parts.join(" ");
}

/** Quote a word for a POSIX shell when it needs it (single quotes; a `'` inside becomes `'\''`). */
export function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}

/** A path relative to the cwd when inside it; `./` in front of one that would read as a flag. */
function shellPath(file: string, cwd: string): string {
  const shown = displayPath(file, cwd);
  return shown.startsWith("-") ? `./${shown}` : shown;
}

function isDefaultSources(sources: readonly string[] | undefined): boolean {
  if (sources === undefined || sources.length === 0) return true;
  return sources.length === SOURCE_NAMES.length && SOURCE_NAMES.every((s) => sources.includes(s));
}
