import type { FailureCause } from "../../model/failure-causes.js";
import type { SessionDetails } from "../../storage/session-details.js";

/** Causes per source in `show --json` (all of them could be one per paper when nothing groups). */
export const JSON_CAUSES_LIMIT = 10;

/** The stable JSON shape of `consolidate-sessions show --json`. */
export function sessionDetailsToJson(details: SessionDetails, resumeCommand: string | null) {
  const { summary } = details;
  return {
    session_id: summary.session_id,
    dir: summary.dir,
    status: summary.status,
    format: summary.format,
    problem: summary.problem,
    holder: summary.holder
      ? { pid: summary.holder.pid, hostname: summary.holder.hostname, started_at: summary.holder.started_at }
      : null,
    created_at: summary.created_at,
    updated_at: details.updated_at,
    last_checkpoint: summary.last_checkpoint,
    completed_at: details.completed_at,
    cf_version: details.cf_version,
    input_file: summary.input_file,
    input_sha256: summary.input_sha256,
    total_papers: summary.total_papers,
    output_file: details.output_file,
    files: details.files,
    options: details.options,
    sources: Object.fromEntries(
      Object.entries(details.sources).map(([name, s]) => [
        name,
        {
          status: s.status,
          last_error: s.last_error,
          papers_done: s.papers_done,
          papers_enriched: s.papers_enriched,
          papers_not_found: s.papers_not_found,
          papers_failed: s.papers_failed,
          api_calls: s.api_calls,
          papers_cached: s.papers_cached,
          cost_usd: s.cost_usd,
          resets_at: s.resets_at,
          connection_failures: s.connection_failures,
          failure_causes: jsonCauses(s.failure_causes),
        },
      ]),
    ),
    failed_lookups: details.failed_total,
    failed_papers: details.failed_papers,
    notes: details.notes,
    resume_command: resumeCommand,
  };
}

/**
 * The most frequent causes (all the connection ones among them: they are few), each with its
 * `kind`: `lookup` (count = failed papers) or `connection` (count = failed connection attempts).
 */
function jsonCauses(causes: readonly FailureCause[]) {
  const top = causes.slice(0, JSON_CAUSES_LIMIT);
  const more = causes.slice(JSON_CAUSES_LIMIT).filter((c) => c.kind === "connection");
  return [...top, ...more].map((c) => ({ cause: c.cause, count: c.count, kind: c.kind ?? "lookup" }));
}
