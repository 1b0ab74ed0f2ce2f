import { randomBytes } from "node:crypto";
import type { Stats } from "node:fs";
import { hostname as osHostname } from "node:os";
import { basename, join, resolve } from "node:path";
import { z } from "zod";
import { SessionLockedError } from "../errors.js";
import {
  createExclusive,
  type LockSnapshot,
  readSnapshot,
  statIfExists,
  unlinkIfExists,
} from "./lock-file.js";
import { isProcessAlive } from "./process-alive.js";
import { LOCK_FILE } from "./session-files.js";

/**
 * The per-session lock (reliability.md §6 item 5): `<sessionDir>/lock`, created with "wx", holding
 * `{pid, hostname, started_at, token}`. A dead holder on this host is reclaimed under a takeover
 * guard (`lock.takeover`, itself created with "wx"): only the guard's holder removes the stale lock,
 * after judging it again, then every contender retries the exclusive create; so no one can remove a
 * lock that another has just reclaimed (proper-lockfile#121). The file operations: lock-file.ts.
 */

const DEFAULT_STALE_UNREADABLE_MS = 10_000;
const MAX_ATTEMPTS = 5;
/** How long to keep re-reading a lock whose creator has not written it yet, before calling it busy. */
const WRITING_PATIENCE_MS = 500;
const WRITING_POLL_MS = 10;

/** The content of a lock file. Unknown extra keys from newer versions are kept. */
export const lockInfoSchema = z.looseObject({
  pid: z.number().int().positive(),
  hostname: z.string().min(1),
  started_at: z.iso.datetime({ offset: true }),
  token: z.string().regex(/^[0-9a-f]{32}$/),
  cf_version: z.string().optional(),
});

/** The parsed content of a lock file. */
export type LockInfo = z.infer<typeof lockInfoSchema>;

/** Options of `acquireSessionLock`; `hostname`, `pid` and `now` exist for tests. */
export interface AcquireLockOptions {
  hostname?: string;
  pid?: number;
  now?: () => Date;
  /** How old an unreadable (torn or empty) lock file must be before it counts as stale; default 10 s. */
  staleUnreadableMs?: number;
}

/** Options of `readSessionLock`. */
export type ReadLockOptions = Pick<AcquireLockOptions, "hostname" | "now" | "staleUnreadableMs">;

/** A held session lock. */
export interface SessionLock {
  readonly info: LockInfo;
  readonly path: string;
  /** Remove the lock file if it still holds our token. Idempotent. */
  release(): Promise<void>;
  /** Whether the lock file still holds our token: the fencing check to run before every commit. */
  verify(): Promise<boolean>;
}

/** What `readSessionLock` found. `held` without `holder` means a lock file that is being written right now. */
export type LockState =
  | { state: "free" }
  | { state: "held"; holder: LockInfo }
  | { state: "held"; holder?: undefined; reason: string }
  | { state: "stale"; holder?: LockInfo; reason: string };

interface Context {
  hostname: string;
  pid: number;
  now: () => Date;
  staleUnreadableMs: number;
}

type Verdict =
  | { kind: "live"; holder: LockInfo }
  | { kind: "remote"; holder: LockInfo }
  | { kind: "writing"; ageMs: number }
  | { kind: "stale"; holder?: LockInfo; reason: string };

function contextOf(options: AcquireLockOptions): Context {
  return {
    hostname: options.hostname ?? osHostname(),
    pid: options.pid ?? process.pid,
    now: options.now ?? (() => new Date()),
    staleUnreadableMs: options.staleUnreadableMs ?? DEFAULT_STALE_UNREADABLE_MS,
  };
}

/** The content of a new lock (or takeover guard) of this process, with a fresh token. */
function newLockInfo(ctx: Context): LockInfo {
  return {
    pid: ctx.pid,
    hostname: ctx.hostname,
    started_at: ctx.now().toISOString(),
    token: randomBytes(16).toString("hex"),
  };
}

/** Take the session lock, reclaiming a stale one; throws SessionLockedError when a live process holds it. */
export async function acquireSessionLock(
  sessionDir: string,
  options: AcquireLockOptions = {},
): Promise<SessionLock> {
  const ctx = contextOf(options);
  const lockPath = join(sessionDir, LOCK_FILE);
  let polls = WRITING_PATIENCE_MS / WRITING_POLL_MS;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const info = newLockInfo(ctx);
    if (await createExclusive(sessionDir, lockPath, `${JSON.stringify(info)}\n`)) {
      return heldLock(lockPath, info);
    }
    const snapshot = await readSnapshot(lockPath);
    if (snapshot === undefined) continue; // released between our create and our read
    const verdict = judge(snapshot, ctx);
    if (verdict.kind === "writing" && polls-- > 0) {
      // Its creator is between the exclusive create and writing the content (longer under load):
      // read it again, so the refusal can name the holder. Not an attempt.
      await new Promise((resolve) => setTimeout(resolve, WRITING_POLL_MS));
      attempt -= 1;
      continue;
    }
    if (verdict.kind !== "stale") throw busyError(sessionDir, lockPath, verdict, ctx);
    await takeOver(sessionDir, lockPath, snapshot, ctx);
  }
  throw new SessionLockedError(
    `Session ${sessionName(sessionDir)} is contended: could not take ${lockPath} after ${MAX_ATTEMPTS} attempts`,
    { hint: "Other cf processes are starting on this session; try again." },
  );
}

/** Report who holds the session lock, for listing sessions. Never modifies anything. */
export async function readSessionLock(sessionDir: string, options: ReadLockOptions = {}): Promise<LockState> {
  const ctx = contextOf(options);
  const snapshot = await readSnapshot(join(sessionDir, LOCK_FILE));
  if (snapshot === undefined) return { state: "free" };
  const verdict = judge(snapshot, ctx);
  switch (verdict.kind) {
    case "live":
    case "remote":
      return { state: "held", holder: verdict.holder };
    case "writing":
      return { state: "held", reason: `the lock file is being written (${verdict.ageMs} ms old)` };
    case "stale":
      return verdict.holder === undefined
        ? { state: "stale", reason: verdict.reason }
        : { state: "stale", holder: verdict.holder, reason: verdict.reason };
  }
}

/**
 * Remove a stale lock so the caller can retry its exclusive create. Only a process holding the
 * takeover guard (`lock.takeover`, itself created exclusively) may remove the lock, and it re-reads
 * and re-judges the lock inside the guard: no live lock can appear there meanwhile (a lock that
 * exists is only ever removed by a guard holder, and creating one needs the path free). Without the
 * guard, two contenders could each remove "the stale lock" while a third created a live one.
 */
async function takeOver(
  sessionDir: string,
  lockPath: string,
  judged: LockSnapshot,
  ctx: Context,
): Promise<void> {
  const guardPath = `${lockPath}.takeover`;
  const guard = newLockInfo(ctx);
  if (!(await createExclusive(sessionDir, guardPath, `${JSON.stringify(guard)}\n`))) {
    const other = await readSnapshot(guardPath);
    // A guard left by a process that died while taking over (rare): clear it, then retry.
    if (other !== undefined && judge(other, ctx).kind === "stale") await unlinkIfExists(guardPath);
    else await new Promise((resolve) => setTimeout(resolve, 25)); // another process is taking over
    return;
  }
  try {
    const current = await readSnapshot(lockPath);
    if (current === undefined || !sameFile(current.stats, judged.stats)) return;
    if (judge(current, ctx).kind !== "stale") return;
    await unlinkIfExists(lockPath);
  } finally {
    const still = await readSnapshot(guardPath);
    if (still !== undefined && parseLockText(still.text)?.token === guard.token)
      await unlinkIfExists(guardPath);
  }
}

function judge(snapshot: LockSnapshot, ctx: Context): Verdict {
  const holder = parseLockText(snapshot.text);
  if (holder === undefined) {
    const ageMs = Math.round(ctx.now().getTime() - snapshot.stats.mtimeMs);
    // A creator writes right after its "wx" open, so a young unreadable file is most likely being written.
    return ageMs > ctx.staleUnreadableMs
      ? { kind: "stale", reason: `unreadable lock file, last written ${Math.round(ageMs / 1000)} s ago` }
      : { kind: "writing", ageMs };
  }
  if (holder.hostname !== ctx.hostname) return { kind: "remote", holder };
  if (isProcessAlive(holder.pid)) return { kind: "live", holder };
  return { kind: "stale", holder, reason: `process ${holder.pid} on this host is gone` };
}

function parseLockText(text: string): LockInfo | undefined {
  try {
    const parsed = lockInfoSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function busyError(
  sessionDir: string,
  lockPath: string,
  verdict: Exclude<Verdict, { kind: "stale" }>,
  ctx: Context,
): SessionLockedError {
  const name = sessionName(sessionDir);
  if (verdict.kind === "writing") {
    return new SessionLockedError(`Session ${name} is being locked by another process right now`, {
      hint: `Try again in a few seconds; an unreadable ${lockPath} older than ${ctx.staleUnreadableMs / 1000} s is treated as stale.`,
    });
  }
  const { pid, hostname, started_at } = verdict.holder;
  const message = `Session ${name} is in use by process ${pid} on host ${hostname} (since ${started_at})`;
  return new SessionLockedError(message, {
    hint:
      verdict.kind === "live"
        ? "Wait for it to finish, or stop that process; the session stays resumable."
        : `If host ${hostname} is gone, delete ${lockPath} by hand; the session stays resumable.`,
  });
}

function heldLock(lockPath: string, info: LockInfo): SessionLock {
  let released = false;
  // The file last read as ours. Checking that the path still names that file, unchanged, is one
  // stat instead of open, read, parse and close: it runs before every journal write. A takeover
  // replaces the file, and any write to it changes its ctime, so either forces a full read.
  let confirmed: Stats | undefined;
  const ours = async (): Promise<boolean> => {
    if (confirmed) {
      const now = await statIfExists(lockPath);
      if (now && sameFile(now, confirmed) && now.ctimeMs === confirmed.ctimeMs) return true;
    }
    const snapshot = await readSnapshot(lockPath);
    const mine = snapshot !== undefined && parseLockText(snapshot.text)?.token === info.token;
    confirmed = mine ? snapshot.stats : undefined;
    return mine;
  };
  return {
    info,
    path: lockPath,
    verify: ours,
    async release() {
      if (released) return;
      if (await ours()) await unlinkIfExists(lockPath);
      released = true;
    },
  };
}

function sessionName(sessionDir: string): string {
  return basename(resolve(sessionDir));
}

function sameFile(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}
