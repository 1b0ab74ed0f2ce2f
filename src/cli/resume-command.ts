import path from "node:path";
import { SOURCE_NAMES } from "../model/records.js";
import { isUnsafeCode } from "../model/safe-text.js";
import { resolveCheckpointDir } from "../storage/session-id.js";
import { DEFAULT_CACHE_FILE, DEFAULT_MAX_AGE } from "./cache-location.js";
import { pathFromCwd } from "./render/sessions-table.js";

/**
 * The one command cf prints to resume a session. It must work when pasted as is into a POSIX shell
 * from the same directory: paths are quoted when needed, and a checkpoint directory other than the
 * default is named (otherwise the pasted command looks in `.cf_state/consolidate` and fails).
 */

export interface ResumeCommandInput {
  /** Absolute path of the session's input file ("" when unknown: the session then names it). */
  inputFile: string;
  sessionId: string;
  /** Absolute checkpoint directory holding the session. */
  baseDir: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The session's sources; named only when they are not the default set (a resume adds missing ones). */
  sources?: readonly string[] | undefined;
  /**
   * This run's response cache: its file (named when not the default), `--refresh` and a `--max-age`
   * other than the default, or "off" (`--no-cache`). Absent: nothing named.
   */
  cache?: { file: string; refresh?: boolean; maxAge?: string } | "off" | undefined;
  /** `--openalex-max-cost` of this run: repeated, so the resumed run keeps a cap. */
  maxCostUsd?: number | undefined;
}

export function resumeCommand(input: ResumeCommandInput): string {
  const parts = [
    "cf consolidate --resume",
    ...(input.inputFile ? ["--input", shellQuote(shellPath(input.inputFile, input.cwd))] : []),
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
  // The resume works without them, but would read (or write) another cache than this run did.
  if (input.cache === "off") parts.push("--no-cache");
  else if (input.cache) {
    const { file, refresh, maxAge } = input.cache;
    if (file !== path.resolve(input.cwd, DEFAULT_CACHE_FILE))
      parts.push("--cache", shellQuote(shellPath(file, input.cwd)));
    if (refresh) parts.push("--refresh");
    else if (maxAge !== undefined && maxAge !== DEFAULT_MAX_AGE) parts.push("--max-age", shellQuote(maxAge));
  }
  if (input.maxCostUsd !== undefined) parts.push("--openalex-max-cost", String(input.maxCostUsd));
  return parts.join(" ");
}

/**
 * Quote a word for a POSIX shell when it needs it (single quotes; a `'` inside becomes `'\''`). A
 * word with characters cf never prints raw (control, bidi: see safeText) becomes `"$(printf '…')"`
 * with those characters as octal bytes: printable ASCII that dash, bash and zsh all read back
 * exactly ($'…' is not in dash). Command substitution drops trailing newlines, so a name ending in
 * a newline cannot be spelled this way; such a file is not worth a less portable quoting.
 */
export function shellQuote(text: string): string {
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(text)) return text;
  const quoted = (s: string) => s.replace(/'/g, "'\\''");
  if (![...text].some((c) => isUnsafeCode(c.codePointAt(0)!))) return `'${quoted(text)}'`;
  let format = "";
  for (const c of text) {
    if (isUnsafeCode(c.codePointAt(0)!)) {
      for (const byte of Buffer.from(c, "utf8")) format += `\\${byte.toString(8).padStart(3, "0")}`;
    } else format += c === "%" ? "%%" : c === "\\" ? "\\\\" : c;
  }
  // A format starting with `-` would read as an option of printf.
  return `"$(printf '${quoted(format.replace(/^-/, "\\055"))}')"`;
}

/** A path relative to the cwd when inside it; `./` in front of one that would read as a flag. */
function shellPath(file: string, cwd: string): string {
  const shown = pathFromCwd(file, cwd);
  return shown.startsWith("-") ? `./${shown}` : shown;
}

function isDefaultSources(sources: readonly string[] | undefined): boolean {
  if (sources === undefined || sources.length === 0) return true;
  return sources.length === SOURCE_NAMES.length && SOURCE_NAMES.every((s) => sources.includes(s));
}
