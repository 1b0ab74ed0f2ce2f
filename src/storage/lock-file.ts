import type { Stats } from "node:fs";
import { isErrnoException, StorageError } from "../errors.js";
import { nodeStorageFs } from "./fs.js";

/**
 * The session lock's file operations (see session-lock.ts): an exclusive create made durable, a
 * read with the stats of the very file read, a stat and an unlink for which a missing file is no
 * error. A failure is a StorageError naming the lock file.
 *
 * They go through the real file system's seam, never through a session's traced or faulted one:
 * the lock is not a session file, and a kill between creating and writing it would leave a torn
 * lock that refuses every resume for the next 10 s.
 */

/** A lock file's text with the stats of the same file. */
export interface LockSnapshot {
  text: string;
  stats: Stats;
}

const fs = nodeStorageFs;

/** A lock file operation that failed, said with the lock's path. */
function lockError(action: string, path: string, error: unknown): StorageError {
  const code = isErrnoException(error) ? error.code : undefined;
  const detail = error instanceof Error ? error.message : String(error);
  return new StorageError(`Could not ${action} the session lock ${path}: ${code ?? detail}`, {
    hint: "Check that the session directory exists, is writable, and that the disk is not full.",
    cause: error,
  });
}

function hasCode(error: unknown, ...codes: string[]): boolean {
  return isErrnoException(error) && codes.includes(error.code ?? "");
}

/** Create the lock file with "wx" and make it durable; false when it already exists. */
export async function createExclusive(dir: string, path: string, text: string): Promise<boolean> {
  let file: Awaited<ReturnType<typeof fs.open>>;
  try {
    file = await fs.open(path, "wx");
  } catch (error) {
    if (hasCode(error, "EEXIST")) return false;
    throw lockError("create", path, error);
  }
  let created: Stats | undefined;
  try {
    created = await fs.lstat(path);
    await file.write(Buffer.from(text, "utf8"));
    await file.sync();
    await file.close();
    await fs.syncDir(dir);
    return true;
  } catch (error) {
    await file.close().catch(() => undefined);
    // Do not leave a torn lock behind; remove it only if the path is still our file.
    const now = await statIfExists(path).catch(() => undefined);
    if (created !== undefined && now !== undefined && now.dev === created.dev && now.ino === created.ino) {
      await fs.unlink(path).catch(() => undefined);
    }
    throw lockError("write", path, error);
  }
}

export async function readSnapshot(path: string): Promise<LockSnapshot | undefined> {
  try {
    const { data, stats } = await fs.readFileWithStats(path);
    return { text: data.toString("utf8"), stats };
  } catch (error) {
    if (hasCode(error, "ENOENT")) return undefined;
    throw lockError("read", path, error);
  }
}

export async function statIfExists(path: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(path);
  } catch (error) {
    if (hasCode(error, "ENOENT")) return undefined;
    throw lockError("stat", path, error);
  }
}

export async function unlinkIfExists(path: string): Promise<void> {
  try {
    await fs.unlink(path);
  } catch (error) {
    if (!hasCode(error, "ENOENT")) throw lockError("remove", path, error);
  }
}
