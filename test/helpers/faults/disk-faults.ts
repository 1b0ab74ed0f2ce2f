import { readdir } from "node:fs/promises";
import { StorageError } from "../../../src/errors.js";
import { type MutatingOp, type StorageFs, withOpHook } from "../../../src/storage/fs.js";
import type { Fingerprint } from "./fake-session.js";
import { noSyncFs } from "./fake-session.js";

/** ENOSPC / EIO injected through the storage fs seam at the i-th mutating operation. */

export type DiskCode = "ENOSPC" | "EIO";

export interface Injection {
  /** 0-based index of the failing operation, counted from when the fault is armed. */
  index: number;
  code: DiskCode;
  /** Persistent: every operation from `index` on fails too (the disk stays full); else only that one. */
  persistent: boolean;
}

export interface FaultyFs {
  fs: StorageFs;
  arm(): void;
  disarm(): void;
  /** Operations seen while armed, and the one the fault first hit. */
  readonly count: number;
  readonly hit: { op: MutatingOp; path: string } | undefined;
  /** Every operation seen while armed, in order. */
  readonly trace: ReadonlyArray<{ op: MutatingOp; path: string }>;
}

function errnoError(code: DiskCode, op: MutatingOp, file: string): NodeJS.ErrnoException {
  const text = code === "ENOSPC" ? "no space left on device" : "i/o error";
  return Object.assign(new Error(`${code}: ${text}, ${op} '${file}'`), { code, syscall: op, path: file });
}

/** A StorageFs failing as `injection` says once armed (armed from the start unless `armed` is false). */
export function faultyFs(injection: Injection | undefined, armed = true): FaultyFs {
  let on = armed;
  let count = 0;
  let hit: FaultyFs["hit"];
  const trace: Array<{ op: MutatingOp; path: string }> = [];
  const fs = withOpHook(noSyncFs, (op, file) => {
    if (!on) return;
    const index = count;
    count += 1;
    trace.push({ op, path: file });
    if (!injection) return;
    if (index === injection.index || (injection.persistent && index > injection.index)) {
      hit ??= { op, path: file };
      throw errnoError(injection.code, op, file);
    }
  });
  return {
    fs,
    arm: () => {
      on = true;
    },
    disarm: () => {
      on = false;
    },
    get count() {
      return count;
    },
    get hit() {
      return hit;
    },
    trace,
  };
}

/** Problems with the error a faulted operation ended with; it must name a path inside `within`. */
export function errorProblems(error: unknown, code: DiskCode, within: string): string[] {
  if (!(error instanceof StorageError)) {
    return [
      `expected a StorageError, got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
    ];
  }
  const problems: string[] = [];
  const start = code === "ENOSPC" ? "disk full" : "I/O error";
  if (!error.message.startsWith(start))
    problems.push(`message does not start with "${start}": ${error.message}`);
  if (!error.message.includes(within)) problems.push(`message names no file: ${error.message}`);
  if (error.exitCode === 0) problems.push("exit code 0");
  return problems;
}

/** Temp files of interrupted writes left in a directory. */
export async function tempFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith(".tmp"));
}

/**
 * A state no single operation boundary can produce ("a mix"): with the fake sources every matched
 * paper holds exactly its source's records, every other paper none, and each batch of 3 papers is one
 * API call.
 */
export function mixProblems(state: Fingerprint, batchSize = 3): string[] {
  const problems: string[] = [];
  for (const [source, outcomes] of Object.entries(state.outcomes)) {
    for (const paper of state.papers) {
      const matched = outcomes[paper.paper_id] === "matched";
      const has = paper.citations.some((r) => r.source === source);
      if (matched !== has)
        problems.push(`${paper.paper_id}: ${source} outcome ${outcomes[paper.paper_id]} but records ${has}`);
    }
    const calls = (state.counters[source] as { api_calls?: number } | undefined)?.api_calls ?? 0;
    const done = Object.keys(outcomes).length;
    if (Math.ceil(done / batchSize) !== calls)
      problems.push(`${source}: ${done} outcomes but ${calls} API calls`);
  }
  return problems;
}
