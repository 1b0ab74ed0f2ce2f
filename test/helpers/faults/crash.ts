import { existsSync, type FSWatcher, readdirSync, watch } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { resolveConsolidateOptions, sourceConcurrency } from "../../../src/cli/consolidate-options.js";
import type { RequestLogEntry, Simulator } from "../../../src/simulator/server.js";
import { isTempFileName } from "../../../src/storage/atomic-write.js";
import { inspectSession } from "../../../src/storage/session-catalog.js";
import { comparableOutput, duplicateRecords } from "../e2e.js";
import { spawnCli, type TestHooks } from "../run-cli.js";
import { recordSuite } from "./tier.js";

/** Shared pieces of the crash suites (crash-equivalence, kill-points). */

/** Every file a session may hold that must parse as JSON whenever it exists. */
const JSON_FILES = [
  "session.json",
  "checkpoint.json",
  "checkpoint.json.bak",
  "progress.json",
  "papers_enriched.json",
  "lock",
];

/**
 * Requests one SIGKILL can waste: the batches not yet journaled, which are sent again on resume.
 * cf runs `sourceConcurrency` workers per source, and a worker's next lookup overlaps the journal
 * append of its previous batch, so up to two batches per worker are unjournaled (one in flight, one
 * waiting for its append, e.g. behind a snapshot). An OpenAlex DOI batch costs one list request
 * plus one singleton lookup per DOI the list did not return; each DOI belongs to one batch, so those
 * batches together cost at most (2 × width + all singletons of the golden run). A title-only batch
 * is one search. A Semantic Scholar batch is one request (≤ 500 ids, one POST; a title-only batch
 * one search). No retries: the simulator injects no faults or throttling. Re-planning the rest
 * after a resume adds no list request: the DOI papers left are whole chunks of the previous plan,
 * and greedy chunking (the limits only get easier on fewer papers) never needs more chunks than
 * such a split, so the completed lists of all attempts never exceed the golden run's.
 */
export function requestsPerKill(rps: number, goldenLog: readonly RequestLogEntry[]): number {
  const width = sourceConcurrency(
    resolveConsolidateOptions({ input: "x", openalexRps: rps, s2Rps: rps }, {}),
  );
  const singletons = goldenLog.filter((r) => r.api === "openalex" && r.path.startsWith("/works/doi:")).length;
  return 2 * width.openalex + singletons + 2 * width.semantic_scholar;
}

/** How one cf process of a case ended. */
export interface Attempt {
  pid: number | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** When to SIGKILL an attempt: after its n-th answered request, after ms, or at its n-th temp file. */
export type KillAt =
  | { after: "requests"; n: number }
  | { after: "ms"; ms: number }
  | { after: "tempFiles"; n: number; base: string };

/**
 * Start cf (the test entry with `hooks`) and wait for its end, killing it as `killAt` says;
 * `onRequest` must be called by the simulator's request hook. A watchdog kills a run that hangs
 * (reported as such).
 */
export function startAttempt(
  args: string[],
  cwd: string,
  killAt?: KillAt,
  hooks?: TestHooks,
): { onRequest: () => void; done: Promise<Attempt> } {
  const proc = spawnCli(args, { cwd, ...(hooks ? { hooks } : {}) });
  let seen = 0;
  let hung = false;
  const kill = () => proc.child.kill("SIGKILL");
  const timer = killAt?.after === "ms" ? setTimeout(kill, killAt.ms) : undefined;
  const stopWatching =
    killAt?.after === "tempFiles" ? watchTempFiles(killAt.base, killAt.n, kill) : undefined;
  const watchdog = setTimeout(() => {
    hung = true;
    kill();
  }, 120_000);
  const done = proc.exited.then(({ code, signal }) => {
    clearTimeout(timer);
    clearTimeout(watchdog);
    stopWatching?.();
    const stderr = proc.stderr().slice(-2000);
    const pid = proc.child.pid;
    return { pid, code, signal, stderr: hung ? `watchdog: no exit within 120 s\n${stderr}` : stderr };
  });
  return {
    onRequest: () => {
      seen += 1;
      if (killAt?.after === "requests" && seen === killAt.n) kill();
    },
    done,
  };
}

/**
 * Call `kill` when the n-th distinct temp file appears in any session directory under `base`: the
 * process is then in the middle of an atomic write (a snapshot step, the journal reset, session.json).
 * Directories are polled for, since a new session's name is not known yet.
 */
function watchTempFiles(base: string, n: number, kill: () => void): () => void {
  const seen = new Set<string>();
  const watchers = new Map<string, FSWatcher>();
  const attach = () => {
    for (const id of existsSync(base) ? readdirSync(base) : []) {
      if (watchers.has(id)) continue;
      try {
        const watcher = watch(path.join(base, id), (_event, name) => {
          if (typeof name === "string" && isTempFileName(name) && !seen.has(name)) {
            seen.add(name);
            if (seen.size === n) kill();
          }
        });
        watcher.on("error", () => undefined);
        watchers.set(id, watcher);
      } catch {
        // removed meanwhile: nothing to watch
      }
    }
  };
  attach();
  const poll = setInterval(attach, 5);
  return () => {
    clearInterval(poll);
    for (const watcher of watchers.values()) watcher.close();
  };
}

/** Temp files of process `pid` in the session directories (after its kill: it landed mid-write). */
export async function tempFilesOf(base: string, pid: number | undefined): Promise<number> {
  let count = 0;
  for (const id of existsSync(base) ? await readdir(base) : []) {
    const names = await readdir(path.join(base, id)).catch(() => []);
    count += names.filter((name) => isTempFileName(name) && name.includes(`.${pid}.`)).length;
  }
  return count;
}

/**
 * Session files under `base` that do not parse, and sessions in a state a kill must not leave: one
 * completed session, any other only a never-checkpointed (pending) one. Temp files and a killed
 * process's lock are not checked: the next run on that session removes them, or `clean` does.
 */
export async function sessionProblems(base: string): Promise<string[]> {
  const problems: string[] = [];
  const statuses: string[] = [];
  for (const id of existsSync(base) ? await readdir(base) : []) {
    const dir = path.join(base, id);
    const status = (await inspectSession(dir)).status;
    statuses.push(status);
    for (const name of await readdir(dir)) {
      const file = path.join(dir, name);
      if (JSON_FILES.includes(name)) {
        const text = await readFile(file, "utf8");
        if (!parses(text)) problems.push(`${id}/${name} does not parse (${text.length} bytes)`);
      } else if (name === "journal.jsonl") {
        const lines = (await readFile(file, "utf8")).split("\n").filter((l) => l !== "");
        const bad = lines.findIndex((l) => !parses(l));
        if (bad >= 0) problems.push(`${id}/journal.jsonl line ${bad + 1} does not parse`);
      }
    }
    // Anything else than the one completed session may only be a never-checkpointed leftover.
    if (status !== "completed" && status !== "pending") problems.push(`${id} is ${status}`);
  }
  if (statuses.filter((s) => s === "completed").length !== 1) {
    problems.push(`expected one completed session, found: ${statuses.join(", ") || "none"}`);
  }
  return problems;
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The oracle of both suites: golden output, no duplicates, sound files, requests within the bound. */
export async function checkFinal(
  dir: string,
  golden: { output: string; requests: number },
  sim: Simulator,
  allowedExtra: number,
): Promise<string[]> {
  const out = path.join(dir, "out.json");
  if (!existsSync(out)) return ["no output file"];
  const problems: string[] = [];
  if ((await comparableOutput(out)) !== golden.output) problems.push("output differs from the golden run");
  const duplicates = await duplicateRecords(out);
  if (duplicates.length > 0) problems.push(`duplicate records: ${duplicates.slice(0, 5).join(", ")}`);
  problems.push(...(await sessionProblems(path.join(dir, ".cf_state", "consolidate"))));
  const cache = path.join(dir, ".cf_state", "cache.sqlite");
  if (existsSync(cache)) {
    const integrity = cacheIntegrity(cache);
    if (integrity !== "ok") problems.push(`response cache integrity_check: ${integrity}`);
  }
  const leftovers = (await readdir(dir)).filter(isTempFileName);
  if (leftovers.length > 0) problems.push(`temp files left next to the output: ${leftovers.join(", ")}`);
  const requests = sim.requestLog.length;
  if (requests > golden.requests + allowedExtra) {
    problems.push(`${requests} requests > golden ${golden.requests} + ${allowedExtra} allowed for the kills`);
  }
  return problems;
}

/** `PRAGMA integrity_check` of a response cache after the kills: "ok" or what SQLite reports. */
export function cacheIntegrity(file: string): string {
  const Database = createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3;
  const db = new Database(file, { readonly: true });
  try {
    return String(db.pragma("integrity_check", { simple: true }));
  } finally {
    db.close();
  }
}

/** Run `check` over `cases`, `width` at a time, collecting failures; records the suite (if named) like runCases. */
export async function runConcurrently<T>(
  suite: string | undefined,
  cases: readonly T[],
  width: number,
  check: (item: T, index: number) => Promise<void>,
): Promise<string[]> {
  const started = performance.now();
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const index = next++;
      const item = cases[index] as T;
      try {
        await check(item, index);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        failures.push(`case ${index} (${JSON.stringify(item)?.slice(0, 200)}): ${message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, cases.length) }, worker));
  if (suite)
    recordSuite({ suite, cases: cases.length, failures: failures.length, ms: performance.now() - started });
  return failures;
}
