/**
 * Status of a checkpoint written by the Python tool (reference-behaviour §5.3), for listing.
 * One deliberate change (bug B2): a parallel-format session whose sources all processed every paper
 * is `completed`, not `interrupted` forever.
 */

import { SOURCES } from "../sources/registry.js";

export type LegacyStatus = "completed" | "failed" | "interrupted" | "pending";

const INTERRUPTED_PHASES = new Set([
  "id_harvesting",
  "id_harvesting_complete",
  ...SOURCES.flatMap((source) => source.legacyPhases),
]);

export interface LegacySourceStats {
  papers_processed: number;
  papers_enriched: number;
}

/** Classify the `sources` value of a Python checkpoint. */
export function legacyStatus(sources: unknown, totalPapers: number): LegacyStatus {
  const value = typeof sources === "string" ? { phase: sources } : sources;
  if (value === null || typeof value !== "object") return "pending";
  const record = value as Record<string, unknown>;
  if ("phase" in record) {
    if (record.phase === "completed") return "completed";
    return typeof record.phase === "string" && INTERRUPTED_PHASES.has(record.phase)
      ? "interrupted"
      : "pending";
  }
  const dicts = Object.values(record).filter(
    (v): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v),
  );
  const parallel = dicts.filter((v) => "papers_processed" in v);
  if (parallel.length > 0) {
    const workers = Object.entries(record).filter(([key]) => key !== "merge");
    const allDone = workers.every(([, v]) => {
      const processed = (v as Record<string, unknown> | null)?.papers_processed;
      return typeof processed === "number" && processed >= totalPapers;
    });
    return allDone && totalPapers > 0 ? "completed" : "interrupted";
  }
  const statuses = Object.values(record).map((v) => (v as Record<string, unknown> | null)?.status);
  if (statuses.every((s) => s === "completed")) return "completed";
  if (statuses.includes("failed")) return "failed";
  if (statuses.includes("in_progress")) return "interrupted";
  return "pending";
}

/** Per-source `papers_processed`/`papers_enriched` of a parallel-format Python checkpoint. */
export function legacySourceStats(sources: unknown): Record<string, LegacySourceStats> {
  if (sources === null || typeof sources !== "object") return {};
  const out: Record<string, LegacySourceStats> = {};
  for (const [name, value] of Object.entries(sources as Record<string, unknown>)) {
    if (value === null || typeof value !== "object" || !("papers_processed" in value)) continue;
    const stats = value as Record<string, unknown>;
    out[name] = {
      papers_processed: typeof stats.papers_processed === "number" ? stats.papers_processed : 0,
      papers_enriched: typeof stats.papers_enriched === "number" ? stats.papers_enriched : 0,
    };
  }
  return out;
}

export interface LegacySourceDetails extends LegacySourceStats {
  api_calls: number;
  status: "pending" | "in_progress" | "completed" | "failed";
}

/**
 * Per source (the `merge` worker left out), what `show` displays of a Python checkpoint: its counts,
 * and its status as written (older per-source format) or, for the parallel format, from its count.
 */
export function legacySourceDetails(
  sources: unknown,
  totalPapers: number,
): Record<string, LegacySourceDetails> {
  const out: Record<string, LegacySourceDetails> = {};
  for (const [name, stats] of Object.entries(legacySourceStats(sources))) {
    if (name === "merge") continue;
    const raw = (sources as Record<string, Record<string, unknown>>)[name] ?? {};
    const written = raw.status;
    const status =
      written === "pending" || written === "in_progress" || written === "completed" || written === "failed"
        ? written
        : stats.papers_processed >= totalPapers && totalPapers > 0
          ? "completed"
          : stats.papers_processed > 0
            ? "in_progress"
            : "pending";
    out[name] = { ...stats, api_calls: typeof raw.api_calls === "number" ? raw.api_calls : 0, status };
  }
  return out;
}
