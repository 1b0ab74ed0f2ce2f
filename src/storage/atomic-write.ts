import { createHash, randomBytes } from "node:crypto";
import path from "node:path";
import { isErrnoException, StorageError } from "../errors.js";
import type { StorageFs } from "./fs.js";
import { isProcessAlive } from "./process-alive.js";

/** Bytes gathered for one write() call when streaming. */
const CHUNK_BYTES = 1 << 20;

export type Content = string | Buffer | Iterable<string | Buffer> | AsyncIterable<string | Buffer>;

export interface WrittenFile {
  sha256: string;
  bytes: number;
}

/** Temp names: hidden, recognisable, unique per process and call (reliability §2.4 rule 1). */
export function tempPathFor(target: string): string {
  const dir = path.dirname(target);
  const base = path.basename(target);
  return path.join(dir, `.${base}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

/** A name produced by `tempPathFor`: the target's name, then the writer's pid. */
const TEMP_NAME = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** True for names produced by `tempPathFor`. */
export function isTempFileName(name: string): boolean {
  return TEMP_NAME.test(name);
}

/** Remove every temp file in `dir`: only for a directory no other process writes (a locked session). */
export async function removeTempFiles(fs: StorageFs, dir: string): Promise<void> {
  await removeTempFilesWhere(fs, dir, await fs.readdir(dir), () => true);
}

/**
 * Remove the temp files that earlier writes of `target` left when their process was killed (for a
 * directory nothing else sweeps). One is stale when the pid in its name is this process or no live
 * process on this host (a live one may be writing it right now).
 */
export async function removeStaleTempFiles(fs: StorageFs, target: string): Promise<void> {
  const dir = path.dirname(target);
  const names = await fs.readdir(dir).catch(() => []);
  await removeTempFilesWhere(fs, dir, names, (name, pid) => {
    return name === path.basename(target) && pid > 0 && (pid === process.pid || !isProcessAlive(pid));
  });
}

async function removeTempFilesWhere(
  fs: StorageFs,
  dir: string,
  names: readonly string[],
  stale: (targetName: string, pid: number) => boolean,
): Promise<void> {
  for (const name of names) {
    const parts = TEMP_NAME.exec(name);
    if (parts && stale(parts[1] as string, Number(parts[2]))) {
      await fs.unlink(path.join(dir, name)).catch(() => undefined);
    }
  }
}

/**
 * Replace `target` atomically: write a unique temp file in the same directory, fsync it, rename it
 * over the target, fsync the directory. Content can be streamed (an iterable of chunks, sync or async), so no
 * single string ever holds a large file. Any failure leaves the old target intact and removes the
 * temp file. Returns the sha256 and size of what was written.
 */
export async function writeFileAtomic(fs: StorageFs, target: string, content: Content): Promise<WrittenFile> {
  const temp = tempPathFor(target);
  const hash = createHash("sha256");
  let bytes = 0;
  let file: Awaited<ReturnType<StorageFs["open"]>> | undefined;
  try {
    file = await fs.open(temp, "wx");
    const opened = file;
    // Small chunks are gathered in one reused buffer, large ones written as they are: no chunk is
    // used after the next is asked for (a producer may reuse its buffer), and a large file takes no
    // new buffer per write.
    let pending: Buffer | undefined;
    let pendingBytes = 0;
    const flush = async () => {
      if (!pending || pendingBytes === 0) return;
      const length = pendingBytes;
      pendingBytes = 0;
      await opened.write(pending.subarray(0, length));
    };
    /** Hash `chunk` and gather it; returns it when it does not fit (for `write`). */
    const add = (chunk: string | Buffer): Buffer | undefined => {
      const buffer = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
      hash.update(buffer);
      bytes += buffer.length;
      if (pendingBytes + buffer.length > CHUNK_BYTES) return buffer;
      pending ??= Buffer.allocUnsafe(CHUNK_BYTES);
      buffer.copy(pending, pendingBytes);
      pendingBytes += buffer.length;
      return undefined;
    };
    /** Write what is gathered, then `buffer`: at once if large, else gathered with the next chunks. */
    const write = async (buffer: Buffer) => {
      await flush();
      if (buffer.length >= CHUNK_BYTES) await opened.write(buffer);
      else {
        pending ??= Buffer.allocUnsafe(CHUNK_BYTES);
        buffer.copy(pending, 0);
        pendingBytes = buffer.length;
      }
    };
    if (typeof content === "string" || Buffer.isBuffer(content)) {
      const buffer = typeof content === "string" ? Buffer.from(content, "utf8") : content;
      hash.update(buffer);
      bytes += buffer.length;
      if (buffer.length > 0) await opened.write(buffer);
    } else if (Symbol.iterator in content) {
      // A plain iterable (e.g. one part per paper) is read without an async step per part, which
      // would interleave each paper with a run's other work: the loop only waits to write.
      for (const chunk of content) {
        const large = add(chunk);
        if (large) await write(large);
      }
    } else {
      for await (const chunk of content) {
        const large = add(chunk);
        if (large) await write(large);
      }
    }
    await flush();
    await file.sync();
    file = undefined;
    await opened.close();
    await fs.rename(temp, target);
    await fs.syncDir(path.dirname(target));
    return { sha256: hash.digest("hex"), bytes };
  } catch (error) {
    if (file) await file.close().catch(() => undefined);
    await fs.unlink(temp).catch(() => undefined);
    throw storageError(`writing ${target}`, error);
  }
}

/** Wrap a disk error in a StorageError whose message says what failed and, for ENOSPC, that the disk is full. */
export function storageError(action: string, error: unknown): StorageError {
  if (error instanceof StorageError) return error;
  const code = isErrnoException(error) ? error.code : undefined;
  const what =
    code === "ENOSPC" || code === "EDQUOT"
      ? "disk full"
      : code === "EIO"
        ? "I/O error"
        : code === "EFBIG"
          ? "file too large (over the file size limit, see ulimit -f)"
          : code === "EROFS"
            ? "read-only file system"
            : code === "EACCES" || code === "EPERM"
              ? "permission denied"
              : error instanceof Error
                ? error.message
                : String(error);
  return new StorageError(`${what} while ${action}${code && !what.includes(code) ? ` (${code})` : ""}`, {
    cause: error,
    hint:
      code === "ENOSPC" || code === "EDQUOT"
        ? "Free some disk space and run the same command with --resume: the last checkpoint is intact."
        : "The last completed checkpoint is intact; fix the problem and resume.",
  });
}
