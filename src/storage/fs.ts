import { close, constants, createReadStream, open, type ReadStream, readFile } from "node:fs";
import * as fsp from "node:fs/promises";

/**
 * The storage layer's only door to the disk. Every session-file operation goes through a
 * `StorageFs`, passed in by the caller (the CLI passes `nodeStorageFs`), so tests can pass one that
 * traces the operation order, injects ENOSPC/EIO at the N-th operation, or kills the process at a
 * chosen point (see `withOpHook`).
 */

export interface WritableFile {
  write(data: Buffer): Promise<void>;
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

export interface StorageFs {
  /** Open for writing: "wx" creates exclusively, "a" appends, "r+" updates in place. */
  open(path: string, flags: "wx" | "a" | "r+"): Promise<WritableFile>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdir(path: string): Promise<void>;
  /** fsync a directory so a rename or create inside it is durable. */
  syncDir(path: string): Promise<void>;
  readFile(path: string): Promise<Buffer>;
  /** Read a file with the stats of that very file (one descriptor, so they match). */
  readFileWithStats(path: string): Promise<{ data: Buffer; stats: import("node:fs").Stats }>;
  readStream(path: string): ReadStream;
  readdir(path: string): Promise<string[]>;
  /** Entries with their types (one call: a listing must stay fast over thousands of sessions). */
  readdirEntries?(path: string): Promise<import("node:fs").Dirent[]>;
  lstat(path: string): Promise<import("node:fs").Stats>;
  rmTree(path: string): Promise<void>;
}

class NodeWritableFile implements WritableFile {
  constructor(private readonly handle: fsp.FileHandle) {}
  async write(data: Buffer): Promise<void> {
    // FileHandle.write may write less than asked (e.g. when the disk fills): loop until done.
    let offset = 0;
    while (offset < data.length) {
      const { bytesWritten } = await this.handle.write(data, offset, data.length - offset);
      offset += bytesWritten;
    }
  }
  sync(): Promise<void> {
    return this.handle.sync();
  }
  truncate(length: number): Promise<void> {
    return this.handle.truncate(length);
  }
  close(): Promise<void> {
    return this.handle.close();
  }
}

// Session files are regular files: a symbolic link in their place is never followed (ELOOP), so a
// link planted in a session cannot make cf read or write a file outside it.
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const OPEN_FLAGS: Record<"wx" | "a" | "r+", number> = {
  wx: constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW,
  a: constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | NOFOLLOW,
  "r+": constants.O_RDWR | NOFOLLOW,
};
/** Flags for reading a session file without following a link. */
export const READ_NOFOLLOW = constants.O_RDONLY | NOFOLLOW;

/** ELOOP from O_NOFOLLOW, said in words (for errors of `readStream`'s streams, which cannot say it). */
export function linkError(error: unknown, path: string): unknown {
  if ((error as NodeJS.ErrnoException | null)?.code !== "ELOOP") return error;
  const wrapped = new Error(
    `${path} is a symbolic link; session files must be regular files`,
  ) as NodeJS.ErrnoException;
  wrapped.code = "ELOOP";
  return wrapped;
}

/** The real file system. */
export const nodeStorageFs: StorageFs = {
  async open(path, flags) {
    try {
      return new NodeWritableFile(await fsp.open(path, OPEN_FLAGS[flags], 0o644));
    } catch (error) {
      throw linkError(error, path);
    }
  },
  rename: (from, to) => fsp.rename(from, to),
  unlink: (path) => fsp.unlink(path),
  async mkdir(path) {
    await fsp.mkdir(path, { recursive: true });
  },
  async syncDir(path) {
    if (process.platform === "win32") return; // directories cannot be opened for fsync there
    const handle = await fsp.open(path, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  // The callback readFile: fs/promises' takes four thread-pool round trips per file and is about
  // five times slower on small files (listing 1,000 sessions reads thousands of them).
  readFile: (path) =>
    new Promise<Buffer>((resolve, reject) =>
      open(path, READ_NOFOLLOW, (openError, fd) => {
        if (openError) return reject(linkError(openError, path));
        readFile(fd, (error, data) => close(fd, () => (error ? reject(error) : resolve(data))));
      }),
    ),
  async readFileWithStats(path) {
    const handle = await fsp.open(path, READ_NOFOLLOW).catch((error: unknown) => {
      throw linkError(error, path);
    });
    try {
      const stats = await handle.stat();
      return { data: await handle.readFile(), stats };
    } finally {
      await handle.close().catch(() => undefined);
    }
  },
  // 1 MB reads: papers snapshots run to hundreds of MB, and 64 KB reads leave the loop waiting on I/O.
  // Numeric open flags work here (fs.open takes them); the type only names the string forms.
  readStream: (path) =>
    createReadStream(path, { highWaterMark: 1 << 20, flags: READ_NOFOLLOW as unknown as string }),
  readdir: (path) => fsp.readdir(path),
  readdirEntries: (path) => fsp.readdir(path, { withFileTypes: true }),
  lstat: (path) => fsp.lstat(path),
  rmTree: (path) => fsp.rm(path, { recursive: true, force: true }),
};

export type MutatingOp =
  | "open"
  | "write"
  | "fsync"
  | "truncate"
  | "close"
  | "rename"
  | "unlink"
  | "mkdir"
  | "dirsync";

/** Called before each mutating operation; throwing from it makes that operation fail. */
export type OpHook = (op: MutatingOp, path: string) => void | Promise<void>;

/** Wrap a StorageFs so `hook` runs before every mutating operation (tracing, faults, kill points). */
export function withOpHook(base: StorageFs, hook: OpHook): StorageFs {
  const wrapFile = (file: WritableFile, path: string): WritableFile => ({
    async write(data) {
      await hook("write", path);
      return file.write(data);
    },
    async sync() {
      await hook("fsync", path);
      return file.sync();
    },
    async truncate(length) {
      await hook("truncate", path);
      return file.truncate(length);
    },
    async close() {
      try {
        await hook("close", path);
      } catch (error) {
        // A failed close(2) still releases the descriptor on Linux; so does an injected failure.
        await file.close();
        throw error;
      }
      return file.close();
    },
  });
  return {
    ...base,
    async open(path, flags) {
      await hook("open", path);
      return wrapFile(await base.open(path, flags), path);
    },
    async rename(from, to) {
      await hook("rename", to);
      return base.rename(from, to);
    },
    async unlink(path) {
      await hook("unlink", path);
      return base.unlink(path);
    },
    async mkdir(path) {
      await hook("mkdir", path);
      return base.mkdir(path);
    },
    async syncDir(path) {
      await hook("dirsync", path);
      return base.syncDir(path);
    },
  };
}
