import path from "node:path";
import { isResumable } from "../../core/session-choice.js";
import { safeText } from "../../model/safe-text.js";
import { SOURCES } from "../../sources/registry.js";
import type { SessionStatus, SessionSummary } from "../../storage/session-catalog.js";
import type { Colors } from "./colors.js";

/** A local `YYYY-MM-DD HH:MM` for an ISO timestamp, or `-`. */
export function shortTime(iso: string | null): string {
  if (!iso) return "-";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return safeText(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Colour a status as the Python tool did (green completed, red failed, yellow interrupted). */
export function colorStatus(status: SessionStatus, color: Colors): string {
  switch (status) {
    case "completed":
      return color.green(status);
    case "failed":
    case "corrupt":
      return color.red(status);
    case "interrupted":
      return color.yellow(status);
    case "running":
      return color.cyan(status);
    default:
      return color.dim(status);
  }
}

/** Show an input path relative to the cwd when it is inside it, terminal-safe (see safeText). */
export function displayPath(file: string | null, cwd: string): string {
  return file ? safeText(pathFromCwd(file, cwd)) : "-";
}

/** `file` relative to `cwd` when inside it, else as given; raw (not escaped for the terminal). */
export function pathFromCwd(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  const outside = relative === ".." || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
  return relative && !outside ? relative : file;
}

/** The sessions table (cli-table3 is loaded lazily by the caller and passed in). */
export function renderSessionsTable(
  sessions: readonly SessionSummary[],
  Table: typeof import("cli-table3"),
  color: Colors,
  cwd: string,
): string {
  const table = new Table({
    head: [
      "Session ID",
      "Status",
      "Input File",
      "Papers",
      ...SOURCES.map((source) => source.label),
      "Created",
      "Last Checkpoint",
    ],
    style: { head: color.level > 0 ? ["bold"] : [], border: color.level > 0 ? ["grey"] : [] },
  });
  for (const session of sessions) {
    const total = session.total_papers;
    table.push([
      color.cyan(safeText(session.session_id)),
      colorStatus(session.status, color) +
        (session.format === "python"
          ? color.dim(session.adopted_by ? ` (python, adopted by ${session.adopted_by})` : " (python)")
          : ""),
      displayPath(session.input_file, cwd),
      total === null ? "-" : String(total),
      ...SOURCES.map(({ name }) => {
        const source = session.sources[name];
        if (!source) return color.dim("N/A");
        const done = `${source.papers_done}/${total ?? "?"}`;
        const failed = source.papers_failed > 0 ? `, ${source.papers_failed} failed` : "";
        const cached = source.papers_cached > 0 ? `, ${source.papers_cached} cached` : "";
        return `${done} (${source.papers_enriched} enriched${failed}${cached})`;
      }),
      color.dim(shortTime(session.created_at)),
      color.dim(shortTime(session.last_checkpoint)),
    ]);
  }
  return `${table.toString()}\n`;
}

/** The stable JSON shape of `list --json`. */
export function sessionToJson(session: SessionSummary) {
  return {
    session_id: session.session_id,
    status: session.status,
    format: session.format,
    input_file: session.input_file,
    total_papers: session.total_papers,
    created_at: session.created_at,
    last_checkpoint: session.last_checkpoint,
    sources: session.sources,
    problem: session.problem,
    holder: session.holder
      ? { pid: session.holder.pid, hostname: session.holder.hostname, started_at: session.holder.started_at }
      : null,
    dir: session.dir,
    /** `cf consolidate --resume` can go on with it (a Python session: in a new cf session). */
    resumable: isResumable(session),
    // Issue 15: a cf session continuing a Python one, and the Python session continued.
    ...(session.adopted_from ? { adopted_from: session.adopted_from } : {}),
    ...(session.adopted_by ? { adopted_by: session.adopted_by } : {}),
  };
}
