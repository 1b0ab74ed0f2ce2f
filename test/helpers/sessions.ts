import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { SourceName } from "../../src/model/records.js";
import { CheckpointManager } from "../../src/storage/checkpoint-manager.js";
import { makePapers } from "./papers.js";

/** A cf session on disk, closed, with `done` papers not found by OpenAlex (0 leaves it fresh). */
export async function makeCfSession(
  baseDir: string,
  sessionId: string,
  options: {
    inputFile?: string;
    papers?: number;
    done?: number;
    complete?: boolean;
    failed?: boolean;
    /** Per source, papers (by id) whose lookup failed, with their error message. */
    failures?: Partial<Record<SourceName, Record<string, string>>>;
    now?: Date;
  } = {},
) {
  const now = options.now ?? new Date("2026-01-01T00:00:00Z");
  const manager = await CheckpointManager.create({
    baseDir,
    sessionId,
    inputFile: options.inputFile ?? "/data/input.json",
    inputSha256: "c".repeat(64),
    papers: makePapers(options.papers ?? 4),
    sources: ["openalex", "semantic_scholar"],
    checkpointIntervalMinutes: 5,
    now: () => now,
  });
  const ids = manager
    .readAllPapers()
    .slice(0, options.done ?? 0)
    .map((p) => p.paper_id);
  if (ids.length > 0) {
    await manager.recordBatch({
      source: "openalex",
      apiCalls: 1,
      outcomes: Object.fromEntries(ids.map((id) => [id, "not_found" as const])),
      updates: [],
    });
  }
  for (const [source, errors] of Object.entries(options.failures ?? {})) {
    await manager.recordBatch({
      source: source as SourceName,
      apiCalls: 1,
      outcomes: Object.fromEntries(Object.keys(errors ?? {}).map((id) => [id, "failed" as const])),
      errors: errors ?? {},
      updates: [],
    });
  }
  if (options.failed)
    await manager.setSourceStatus("semantic_scholar", "failed", "HTTP 403: check the API key");
  if (options.complete) await manager.complete(path.join(baseDir, "out.json"));
  else await manager.snapshot();
  await manager.close();
  return path.join(baseDir, sessionId);
}

/** A session directory as the Python tool wrote it (reference §5.2), parallel format. */
export async function makePythonSession(
  baseDir: string,
  sessionId: string,
  processed: [number, number],
  total: number,
) {
  const dir = path.join(baseDir, sessionId);
  await mkdir(dir, { recursive: true });
  await writeFile(
    path.join(dir, "session.json"),
    JSON.stringify(
      {
        session_id: sessionId,
        created_at: "2025-07-19T20:14:18.901",
        checkpoint_interval_minutes: 5.0,
        pid: 4242,
      },
      null,
      2,
    ),
  );
  await writeFile(
    path.join(dir, "checkpoint.json"),
    JSON.stringify(
      {
        session_id: sessionId,
        input_file: "data/collected/papers.json",
        total_papers: total,
        sources: {
          openalex: {
            papers_processed: processed[0],
            papers_enriched: 247,
            api_calls: 1830,
            citations_found: 247,
            abstracts_found: 240,
          },
          semantic_scholar: {
            papers_processed: processed[1],
            papers_enriched: 1,
            api_calls: 21,
            citations_found: 9,
            abstracts_found: 7,
          },
          merge: { papers_merged: 313, merged_paper_count: 297, timestamp: "2025-07-19T20:20:02.1" },
        },
        last_checkpoint_time: "2025-07-19T20:19:18.532211",
        timestamp: "2025-07-19T20:19:18.532214",
        checksum: "0".repeat(64),
        phase_state: { phase: "parallel_consolidation", phase_completed: false },
      },
      null,
      2,
    ),
  );
  await writeFile(path.join(dir, "papers_enriched.json"), JSON.stringify({ metadata: {}, papers: [] }));
  return dir;
}
