import type { LookupFailure } from "../../core/consolidate.js";
import type { ConsolidationStats } from "../../core/stats.js";
import {
  type FailureCause,
  failureCausesBySource,
  withConnectionFailures,
} from "../../model/failure-causes.js";
import { safeText } from "../../model/safe-text.js";
import type { Colors } from "./colors.js";
import { causeCounts, renderFailureCauses } from "./failure-causes.js";
import { formatDuration } from "./progress.js";
import { sourceLabel } from "./source-labels.js";
import { formatUsd } from "./usd.js";

/** The end-of-run summary table: papers, per-source outcomes, what was found, API calls, duration. */
export function renderSummary(
  stats: ConsolidationStats,
  Table: typeof import("cli-table3"),
  color: Colors,
  runCostUsd: Partial<Record<string, number>> = {},
): string {
  const sources = Object.entries(stats.sources);
  const table = new Table({
    head: ["", ...sources.map(([name]) => sourceLabel(name))],
    style: { head: color.level > 0 ? ["bold"] : [], border: color.level > 0 ? ["grey"] : [] },
  });
  const row = (label: string, pick: (s: NonNullable<(typeof sources)[number][1]>) => string) =>
    table.push([label, ...sources.map(([, s]) => (s ? pick(s) : "-"))]);
  row("Status", (s) => s.status);
  row("Matched", (s) => String(s.papers_enriched));
  row("Not found", (s) => String(s.papers_not_found));
  row("Failed", (s) => (s.papers_failed > 0 ? color.red(String(s.papers_failed)) : "0"));
  row("API calls", (s) => String(s.api_calls));
  if (sources.some(([, s]) => (s?.papers_cached ?? 0) > 0))
    row("Cached", (s) => String(s.papers_cached ?? 0));
  // A metered API's bill: the session's, and this run's share when the session is older than the run.
  if (sources.some(([name, s]) => (s?.cost_usd ?? 0) > 0 || (runCostUsd[name] ?? 0) > 0)) {
    table.push([
      "Cost (USD)",
      ...sources.map(([name, s]) => {
        const total = s?.cost_usd ?? 0;
        const run = runCostUsd[name] ?? total;
        return run === total ? formatUsd(total) : `${formatUsd(total)} (this run ${formatUsd(run)})`;
      }),
    ]);
  }
  const pct = (n: number) => (stats.total_papers === 0 ? "0" : ((n / stats.total_papers) * 100).toFixed(1));
  const lines = [
    table.toString(),
    `Papers: ${stats.total_papers}  ·  with citations ${stats.papers_with_citations} (${pct(stats.papers_with_citations)}%)` +
      `  ·  abstracts ${stats.papers_with_abstracts} (${pct(stats.papers_with_abstracts)}%)` +
      `  ·  URLs ${stats.papers_with_urls} (${pct(stats.papers_with_urls)}%)` +
      `  ·  DOIs ${stats.papers_with_dois} (${pct(stats.papers_with_dois)}%)`,
    `Duration: ${formatDuration(stats.duration_seconds)} (this run)`,
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * The failures: per source its 3 most frequent causes (failed papers' and this run's failed
 * connection attempts', `connectionFailures`), then the first papers that failed after retries (at
 * most `limit` lines); nothing when nothing failed.
 */
export function renderFailures(
  failures: readonly LookupFailure[],
  color: Colors,
  limit = 10,
  connectionFailures: Partial<Record<string, Readonly<Record<string, number>>>> = {},
): string {
  const bySource = new Map<string, FailureCause[]>(failureCausesBySource(failures));
  for (const [source, counts] of Object.entries(connectionFailures))
    bySource.set(source, withConnectionFailures(bySource.get(source) ?? [], counts));
  const sources = [...bySource].map(([source, causes]) => ({
    source,
    failed: causeCounts(causes).failed,
    causes,
  }));
  const lines = [renderFailureCauses(sources, color).trimEnd()].filter((line) => line !== "");
  if (failures.length > 0) lines.push(color.red(`Failed lookups (${failures.length}; retried on resume):`));
  for (const f of failures.slice(0, limit))
    lines.push(`  ${f.source} ${safeText(f.paper_id)}: ${safeText(f.error)}`);
  if (failures.length > limit) lines.push(`  … and ${failures.length - limit} more`);
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}
