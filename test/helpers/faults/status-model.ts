import { writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { withChecksum } from "../../../src/storage/checksum.js";

/**
 * An independent model of the session status rules: README's Status table for cf sessions, and
 * reference-behaviour §5.3 (with cf's documented fix of bug B2) for the Python tool's checkpoints.
 * Written from the documents, not from the code it checks.
 */

export const SOURCE_STATUSES = [
  "pending",
  "in_progress",
  "completed",
  "failed",
  "budget_exhausted",
  "unreachable",
] as const;
export type SourceStatus = (typeof SOURCE_STATUSES)[number];
export type LockKind = "none" | "live" | "dead" | "other-host";

/** README: running when a live holder has it; completed once marked; failed if a source failed; … */
export function cfStatusModel(statuses: readonly SourceStatus[], completed: boolean, lock: LockKind): string {
  if (lock === "live" || lock === "other-host") return "running"; // another host's holder cannot be checked
  if (completed) return "completed";
  if (statuses.includes("failed")) return "failed";
  // Never checkpointed any work: nothing started; otherwise it stopped before the end (or finished
  // without being marked completed, which only the final step does).
  if (statuses.every((s) => s === "pending")) return "pending";
  return "interrupted";
}

const INTERRUPTED_PHASES = [
  "id_harvesting",
  "semantic_scholar_enrichment",
  "openalex_enrichment",
  "id_harvesting_complete",
  "semantic_scholar_complete",
];

const isDict = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** Reference §5.3 rules 1-5, except rule 3: a parallel session whose workers all processed every paper is completed. */
export function pythonStatusModel(sources: unknown, totalPapers: number): string {
  // Rule 1.
  const value = typeof sources === "string" ? { phase: sources } : sources;
  if (!isDict(value)) return "pending";
  // Rule 2.
  if (Object.hasOwn(value, "phase")) {
    if (value.phase === "completed") return "completed";
    return INTERRUPTED_PHASES.includes(value.phase as string) ? "interrupted" : "pending";
  }
  // Rule 3 (B2 fixed). The merge entry is bookkeeping, not a worker; a 0-paper checkpoint proves nothing.
  const entries = Object.entries(value);
  if (entries.some(([, v]) => isDict(v) && "papers_processed" in v)) {
    const workers = entries.filter(([name]) => name !== "merge");
    const done = workers.every(
      ([, v]) => isDict(v) && typeof v.papers_processed === "number" && v.papers_processed >= totalPapers,
    );
    return done && totalPapers > 0 ? "completed" : "interrupted";
  }
  // Rules 4 and 5.
  const statuses = entries.map(([, v]) => (isDict(v) ? v.status : undefined));
  if (statuses.every((s) => s === "completed")) return "completed";
  if (statuses.includes("failed")) return "failed";
  if (statuses.includes("in_progress")) return "interrupted";
  return "pending";
}

const names = fc.constantFrom("openalex", "semantic_scholar", "semanticscholar", "crossref");

/** `sources` values of Python checkpoints in each of their formats, and some odd ones. */
export function pythonSources(total: number): fc.Arbitrary<unknown> {
  const phase = fc.constantFrom(...INTERRUPTED_PHASES, "completed", "merging", "", "COMPLETED");
  const processed = fc.oneof(fc.integer({ min: 0, max: total + 2 }), fc.constant(total));
  const worker = fc.record(
    {
      papers_processed: fc.oneof(
        { weight: 5, arbitrary: processed },
        { weight: 1, arbitrary: fc.constant("all") },
      ),
      papers_enriched: fc.nat(total),
      api_calls: fc.nat(50),
    },
    { requiredKeys: ["papers_enriched"] },
  );
  const parallel = fc
    .tuple(fc.dictionary(names, worker, { minKeys: 1, maxKeys: 3 }), fc.boolean())
    .map(([workers, merge]) =>
      merge ? { ...workers, merge: { papers_merged: 3, merged_paper_count: 2 } } : workers,
    );
  const perSource = fc.dictionary(
    names,
    fc.record({ status: fc.constantFrom(...SOURCE_STATUSES, "unknown") }, { requiredKeys: [] }),
    { maxKeys: 3 },
  );
  return fc.oneof(
    phase,
    fc.record({ phase: fc.oneof(phase, fc.constant(null)) }),
    parallel,
    perSource,
    fc.constant({}),
  );
}

/** A cf session directory with this checkpoint, completion and lock, for inspectSession. */
export async function writeStatusSession(
  dir: string,
  names: readonly string[],
  statuses: readonly string[],
  completed: boolean,
  lock: LockKind,
): Promise<void> {
  const state = (status: string) => ({
    status,
    papers_done: 1,
    papers_enriched: 1,
    papers_not_found: 0,
    papers_failed: 0,
    api_calls: 1,
    last_error: null,
  });
  const ref = { generation: 0, sha256: "0".repeat(64), bytes: 0 };
  const checkpoint = withChecksum({
    format: "cf-checkpoint",
    format_version: 1,
    session_id: path.basename(dir),
    input_file: "/data/input.json",
    total_papers: 1,
    generation: 0,
    journal_seq: 0,
    sources: Object.fromEntries(names.map((name, i) => [name, state(statuses[i]!)])),
    files: { papers: ref, progress: ref },
    completed_at: completed ? "2026-01-01T00:00:00.000Z" : null,
    output_file: completed ? "/data/out.json" : null,
    last_checkpoint_time: "2026-01-01T00:00:00.000Z",
    timestamp: "2026-01-01T00:00:00.000Z",
  });
  await writeFile(path.join(dir, "checkpoint.json"), checkpoint);
  await writeFile(
    path.join(dir, "session.json"),
    JSON.stringify({
      session_id: path.basename(dir),
      created_at: "2026-01-01T00:00:00.000Z",
      cf_version: "0",
    }),
  );
  if (lock === "none") return;
  const holder = {
    live: [process.pid, hostname()],
    dead: [2147483646, hostname()],
    "other-host": [1, "elsewhere.invalid"],
  }[lock];
  const [pid, host] = holder as [number, string];
  const info = { pid, hostname: host, started_at: "2026-01-01T00:00:00.000Z", token: "a".repeat(32) };
  await writeFile(path.join(dir, "lock"), `${JSON.stringify(info)}\n`);
}
