import path from "node:path";
import { SessionLockedError } from "../errors.js";
import { isTempFileName, storageError } from "./atomic-write.js";
import { nodeStorageFs, type StorageFs } from "./fs.js";
import type { SessionStatus, SessionSummary } from "./session-catalog.js";
import { acquireSessionLock, readSessionLock } from "./session-lock.js";

/** Choosing and removing sessions for `cf consolidate-sessions clean`. */

export interface CleanSelection {
  statuses: ReadonlySet<SessionStatus>;
  /** Only sessions whose last activity is older than this many milliseconds. */
  olderThanMs?: number;
}

export interface CleanPlan {
  remove: SessionSummary[];
  /** Selected but running: never removed. */
  running: SessionSummary[];
}

/** Last activity of a session: its last checkpoint, else its creation time. */
export function lastActivity(session: SessionSummary): Date | undefined {
  const stamp = session.last_checkpoint ?? session.created_at;
  if (!stamp) return undefined;
  const date = new Date(stamp);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Which sessions a selection removes. A running session is never removed. */
export function planClean(
  sessions: readonly SessionSummary[],
  selection: CleanSelection,
  now: Date,
): CleanPlan {
  const plan: CleanPlan = { remove: [], running: [] };
  for (const session of sessions) {
    if (!selection.statuses.has(session.status)) continue;
    if (selection.olderThanMs !== undefined) {
      const at = lastActivity(session);
      if (at && now.getTime() - at.getTime() < selection.olderThanMs) continue;
    }
    if (session.status === "running") plan.running.push(session);
    else plan.remove.push(session);
  }
  return plan;
}

/** Bytes used by a session directory (symlinks counted as links, never followed). */
export async function directorySize(dir: string, fs: StorageFs = nodeStorageFs): Promise<number> {
  let total = 0;
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const info = await fs.lstat(path.join(dir, name)).catch(() => undefined);
    if (!info) continue;
    total +=
      info.isDirectory() && !info.isSymbolicLink()
        ? await directorySize(path.join(dir, name), fs)
        : info.size;
  }
  return total;
}

/**
 * Remove one session directory. It must be a real directory directly inside `baseDir` (never a
 * symlink out of it), and its lock is taken first so a run that started since listing is not removed.
 */
export async function removeSession(baseDir: string, session: SessionSummary, fs: StorageFs = nodeStorageFs) {
  const dir = path.resolve(session.dir);
  if (path.dirname(dir) !== path.resolve(baseDir)) {
    throw storageError(`removing ${dir}`, new Error("not inside the checkpoint directory"));
  }
  const info = await fs.lstat(dir);
  if (!info.isDirectory() || info.isSymbolicLink()) {
    throw storageError(`removing ${dir}`, new Error("not a directory"));
  }
  const lock = await acquireSessionLock(dir).catch((error: unknown) => {
    if (error instanceof SessionLockedError) throw error;
    return undefined; // an unwritable lock is no reason to keep a session the user asked to remove
  });
  try {
    await fs.rmTree(dir);
  } catch (error) {
    await lock?.release().catch(() => undefined);
    throw storageError(`removing ${dir}`, error);
  }
}

/**
 * Remove temp files of interrupted writes (and the `lock.stale.*` files that versions before the
 * takeover guard renamed stale locks to) from a session that no live process holds. Returns how
 * many files were removed.
 */
export async function sweepLeftovers(
  session: SessionSummary,
  fs: StorageFs = nodeStorageFs,
): Promise<number> {
  const lock = await readSessionLock(session.dir).catch(() => ({ state: "held" as const }));
  if (lock.state === "held") return 0;
  let removed = 0;
  for (const name of await fs.readdir(session.dir).catch(() => [] as string[])) {
    if (isTempFileName(name) || name.startsWith("lock.stale.")) {
      await fs.unlink(path.join(session.dir, name)).then(
        () => {
          removed += 1;
        },
        () => undefined,
      );
    }
  }
  return removed;
}
