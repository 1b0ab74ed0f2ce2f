import { safeText } from "../../model/safe-text.js";
import type { SessionDetails, SourceDetails } from "../../storage/session-details.js";
import { formatBytes } from "../duration.js";
import type { Colors } from "./colors.js";
import { causeCounts, failureCauseLines } from "./failure-causes.js";
import { colorStatus, displayPath } from "./sessions-table.js";
import { sourceLabel } from "./source-labels.js";
import { formatUsd } from "./usd.js";

/**
 * The text of `consolidate-sessions show`: identity, input, options, files, sources, failures, resume.
 * Everything read from the session's files is shown terminal-safe (safeText).
 */

const CAUSES_SHOWN = 5;
const TITLE_CHARS = 90;

export function renderSessionDetails(
  details: SessionDetails,
  resumeCommand: string | null,
  Table: typeof import("cli-table3"),
  color: Colors,
  cwd: string,
): string {
  const { summary } = details;
  const field = (label: string, value: string) => `${color.dim(label.padEnd(16))}${value}`;
  const text = (value: string | null | undefined) => safeText(value ?? "-");
  const lines = [
    field("Session", color.cyan(safeText(summary.session_id))),
    field("Status", statusText(details, color)),
    field("Directory", displayPath(summary.dir, cwd)),
    field(
      "Format",
      summary.format === "cf" ? safeText(`cf ${details.cf_version ?? ""}`.trim()) : summary.format,
    ),
    field("Created", text(summary.created_at)),
    ...(details.updated_at ? [field("Updated", text(details.updated_at))] : []),
    field("Last checkpoint", text(summary.last_checkpoint)),
    ...(details.completed_at ? [field("Completed", text(details.completed_at))] : []),
    field("Input", inputText(details, cwd)),
    ...(details.output_file ? [field("Output", displayPath(details.output_file, cwd))] : []),
  ];
  lines.push("", "Options:", ...optionLines(details.options, color));
  lines.push("", "Files:");
  const width = Math.max(0, ...details.files.map((f) => f.name.length));
  for (const file of details.files)
    lines.push(`  ${safeText(file.name.padEnd(width))}  ${formatBytes(file.bytes)}`);
  if (details.files.length === 0) lines.push(color.dim("  (none)"));
  const sources = Object.entries(details.sources);
  if (sources.length > 0) {
    lines.push("", "Sources (as of the last checkpoint):", sourcesTable(details, Table, color));
    for (const [name, s] of sources) {
      if (s.last_error)
        lines.push(`${color.dim(`Last error of ${name}:`)} ${safeText(withoutQueries(s.last_error))}`);
    }
  }
  const causes = failureCauseLines(
    sources.map(([source, s]) => ({
      source,
      failed: causeCounts(s.failure_causes).failed,
      causes: s.failure_causes,
    })),
    color,
    CAUSES_SHOWN,
  );
  if (causes.length > 0) lines.push("", color.red("Most frequent failure causes:"), ...causes);
  if (details.failed_papers.length > 0) {
    lines.push(
      "",
      color.red(`First failed papers (${details.failed_papers.length} of ${details.failed_total}):`),
    );
    for (const paper of details.failed_papers) {
      lines.push(`  ${paper.source} ${color.cyan(safeText(paper.paper_id))}  ${titleText(paper.title)}`);
      lines.push(`    ${safeText(paper.error)}`);
    }
  }
  for (const note of details.notes) lines.push("", `${color.yellow("note:")} ${safeText(note)}`);
  if (resumeCommand) lines.push("", "Resume with:", `  ${resumeCommand}`);
  return `${lines.join("\n")}\n`;
}

function statusText(details: SessionDetails, color: Colors): string {
  const { summary } = details;
  let text = colorStatus(summary.status, color);
  if (summary.format === "python") {
    text += color.dim(
      summary.adopted_by
        ? ` (written by the Python tool; continued by cf session ${safeText(summary.adopted_by)})`
        : " (written by the Python tool; cf continues it in a new session)",
    );
  }
  if (summary.holder) {
    const h = summary.holder;
    text += safeText(` by pid ${h.pid} on ${h.hostname} since ${h.started_at}`);
  }
  if (summary.problem) text += `: ${safeText(summary.problem)}`;
  return text;
}

function inputText(details: SessionDetails, cwd: string): string {
  const { summary } = details;
  const parts = [displayPath(summary.input_file, cwd)];
  if (summary.input_sha256) parts.push(`sha256 ${safeText(summary.input_sha256.slice(0, 12))}…`);
  if (summary.total_papers !== null) parts.push(`${summary.total_papers} papers`);
  return parts.join(", ");
}

function optionLines(options: Record<string, unknown> | null, color: Colors): string[] {
  const entries = Object.entries(options ?? {});
  if (entries.length === 0) return [color.dim("  (none recorded)")];
  const width = Math.max(...entries.map(([key]) => key.length));
  return entries.map(([key, value]) => {
    const text =
      typeof value === "string"
        ? value
        : Array.isArray(value) && value.every((v) => typeof v === "string")
          ? value.join(", ")
          : JSON.stringify(value);
    return `  ${safeText(key.padEnd(width))}  ${safeText(text ?? "")}`;
  });
}

function sourcesTable(details: SessionDetails, Table: typeof import("cli-table3"), color: Colors): string {
  const sources = Object.entries(details.sources);
  const total = details.summary.total_papers;
  const table = new Table({
    head: ["", ...sources.map(([name]) => sourceLabel(name))],
    style: { head: color.level > 0 ? ["bold"] : [], border: color.level > 0 ? ["grey"] : [] },
  });
  const row = (label: string, pick: (s: SourceDetails) => string) =>
    table.push([label, ...sources.map(([, s]) => pick(s))]);
  const count = (n: number | null) => (n === null ? "-" : String(n));
  row("Status", (s) => sourceStatus(s.status, color));
  row("Done", (s) => `${s.papers_done}/${total ?? "?"}`);
  row("Matched", (s) => String(s.papers_enriched));
  row("Not found", (s) => count(s.papers_not_found));
  row("Failed", (s) => (s.papers_failed ? color.red(String(s.papers_failed)) : count(s.papers_failed)));
  row("API calls", (s) => String(s.api_calls));
  if (sources.some(([, s]) => s.connection_failures > 0))
    row("Failed connections", (s) =>
      s.connection_failures > 0 ? color.yellow(String(s.connection_failures)) : "0",
    );
  if (sources.some(([, s]) => s.papers_cached > 0)) row("Cached", (s) => String(s.papers_cached));
  if (sources.some(([, s]) => s.cost_usd > 0)) row("Cost (USD)", (s) => formatUsd(s.cost_usd));
  if (sources.some(([, s]) => s.resets_at)) row("Resets at", (s) => safeText(s.resets_at ?? "-"));
  return table.toString();
}

/** Stopped-but-resumable statuses in yellow, as an interrupted session is. */
function sourceStatus(status: string, color: Colors): string {
  if (status === "completed") return color.green(status);
  if (status === "failed") return color.red(status);
  if (status === "budget_exhausted" || status === "unreachable") return color.yellow(status);
  return status;
}

function titleText(title: string | null): string {
  if (title === null) return "-";
  return safeText(title.length > TITLE_CHARS ? `${title.slice(0, TITLE_CHARS - 1)}…` : title);
}

/** A stopped source's error names the request, whose query can hold a hundred DOIs: `?…` instead. */
function withoutQueries(text: string): string {
  return text.replace(/(https?:\/\/[^\s?#]+)[?#]\S*?(?=:\s|\s|$)/g, "$1?…");
}
