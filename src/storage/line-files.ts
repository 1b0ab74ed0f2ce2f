import { randomBytes } from "node:crypto";
import { closeSync, ftruncateSync, openSync, readSync, unlinkSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { storageError } from "./atomic-write.js";
import { READ_NOFOLLOW, type StorageFs } from "./fs.js";

/**
 * The files a session's papers are read back from, as byte ranges: the committed snapshot, and a
 * scratch file holding the papers changed since (see paper-store.ts). Reads are synchronous
 * positional reads (`pread`): a paper is a few kilobytes, from the page cache in microseconds, and
 * callers that merge a journal group stay synchronous.
 */
export interface LineFile {
  /** Exactly `length` bytes at `offset` (throws if the file ends before). */
  read(offset: number, length: number): Buffer;
  /** Up to `length` bytes at `offset` (fewer at the end of the file). */
  readUpTo(offset: number, length: number): Buffer;
  /** Fill `buffer` with the bytes at `offset` (fewer at the end of the file); how many were read. */
  readInto(buffer: Buffer, offset: number): number;
  close(): void;
}

/** A read-only file of lines (the committed papers snapshot), opened without following links. */
export class ReadOnlyLines implements LineFile {
  private constructor(
    readonly file: string,
    private fd: number | undefined,
  ) {}

  static open(file: string): ReadOnlyLines {
    return new ReadOnlyLines(file, openSync(file, READ_NOFOLLOW));
  }

  read(offset: number, length: number): Buffer {
    return readExactly(this.descriptor(), offset, length, this.file);
  }

  readUpTo(offset: number, length: number): Buffer {
    return readAvailable(this.descriptor(), offset, length);
  }

  readInto(buffer: Buffer, offset: number): number {
    return readInto(this.descriptor(), buffer, offset);
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  private descriptor(): number {
    if (this.fd === undefined) throw new Error(`${this.file} is closed`);
    return this.fd;
  }
}

/** Where changed papers go until the next snapshot holds them: appended, read back, emptied. */
export interface Scratch extends LineFile {
  /** Append `data`; returns its offset. */
  append(data: Buffer): number;
  /** Forget everything (the snapshot now holds it). */
  reset(): void;
}

/** A scratch file that never outlives the process: created, then unlinked at once (still open). */
export class FileScratch implements Scratch {
  private size = 0;
  private fd: number | undefined;

  constructor(private readonly dir: string) {
    // Were the process killed before the unlink, opening the session sweeps it (removeScratchFiles).
    const file = path.join(dir, `.papers.${process.pid}.${randomBytes(4).toString("hex")}.scratch`);
    this.fd = openSync(file, "wx+", 0o600);
    unlinkSync(file);
  }

  append(data: Buffer): number {
    const offset = this.size;
    let written = 0;
    try {
      while (written < data.length) {
        written += writeSync(this.descriptor(), data, written, data.length - written, offset + written);
      }
    } catch (error) {
      throw storageError(`writing the session's scratch file in ${this.dir}`, error);
    }
    this.size += data.length;
    return offset;
  }

  read(offset: number, length: number): Buffer {
    try {
      return readExactly(this.descriptor(), offset, length, "the session's scratch file");
    } catch (error) {
      throw storageError(`reading the session's scratch file in ${this.dir}`, error);
    }
  }

  readUpTo(offset: number, length: number): Buffer {
    return readAvailable(this.descriptor(), offset, length);
  }

  readInto(buffer: Buffer, offset: number): number {
    return readInto(this.descriptor(), buffer, offset);
  }

  reset(): void {
    ftruncateSync(this.descriptor(), 0);
    this.size = 0;
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  private descriptor(): number {
    if (this.fd === undefined) throw new Error("the session's scratch file is closed");
    return this.fd;
  }
}

const SCRATCH_NAME = /^\.papers\.\d+\.[0-9a-f]{8}\.scratch$/;

/** Remove scratch files a killed process left in `dir` (a locked session: no other process uses them). */
export async function removeScratchFiles(fs: StorageFs, dir: string): Promise<void> {
  for (const name of await fs.readdir(dir)) {
    if (SCRATCH_NAME.test(name)) await fs.unlink(path.join(dir, name)).catch(() => undefined);
  }
}

/** A scratch in memory: for a session state that is not backed by a directory (tests, previews). */
export class MemoryScratch implements Scratch {
  private buffer = Buffer.alloc(0);
  private size = 0;

  append(data: Buffer): number {
    if (this.size + data.length > this.buffer.length) {
      const grown = Buffer.alloc(Math.max(this.buffer.length * 2, this.size + data.length, 4096));
      this.buffer.copy(grown, 0, 0, this.size);
      this.buffer = grown;
    }
    data.copy(this.buffer, this.size);
    const offset = this.size;
    this.size += data.length;
    return offset;
  }

  read(offset: number, length: number): Buffer {
    if (offset + length > this.size) throw new Error(`the scratch ends before byte ${offset + length}`);
    return Buffer.from(this.buffer.subarray(offset, offset + length));
  }

  readUpTo(offset: number, length: number): Buffer {
    return Buffer.from(this.buffer.subarray(offset, Math.min(this.size, offset + length)));
  }

  readInto(buffer: Buffer, offset: number): number {
    return this.buffer.copy(
      buffer,
      0,
      Math.min(offset, this.size),
      Math.min(this.size, offset + buffer.length),
    );
  }

  reset(): void {
    this.buffer = Buffer.alloc(0);
    this.size = 0;
  }

  close(): void {
    this.reset();
  }
}

/** A scratch file in the system's temp directory (a state built in memory, e.g. a preview). */
export function tempScratch(): Scratch {
  return new FileScratch(os.tmpdir());
}

function readExactly(fd: number, offset: number, length: number, what: string): Buffer {
  const buffer = readAvailable(fd, offset, length);
  if (buffer.length < length) throw new Error(`${what} ends before byte ${offset + length}`);
  return buffer;
}

function readAvailable(fd: number, offset: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  return buffer.subarray(0, readInto(fd, buffer, offset));
}

function readInto(fd: number, buffer: Buffer, offset: number): number {
  let done = 0;
  while (done < buffer.length) {
    const read = readSync(fd, buffer, done, buffer.length - done, offset + done);
    if (read === 0) return done;
    done += read;
  }
  return done;
}

/**
 * Sequential reads of ranges that mostly follow each other (a snapshot copied paper by paper): one
 * large read serves many ranges. With `reuse`, every large read goes into the same buffer, so a
 * range is valid only until the next is read: for a reader done with each before the next. It
 * matters for a large file: a new buffer per block kept the garbage collector running full
 * collections (external memory pressure), which made writing the output from the store of a
 * 100,000-paper session 2 to 3 times slower.
 */
export class ReadAhead {
  private block: Buffer = Buffer.alloc(0);
  private start = 0;
  private reused: Buffer | undefined;

  constructor(
    private readonly file: LineFile,
    private readonly blockBytes = 4 << 20,
    private readonly reuse = false,
  ) {}

  private end: number | undefined;

  read(offset: number, length: number): Buffer {
    const previousEnd = this.end;
    this.end = offset + length;
    if (offset >= this.start && offset + length <= this.start + this.block.length) {
      return this.block.subarray(offset - this.start, offset - this.start + length);
    }
    // Out of order (papers reordered by a changed input): read just the range, not a block.
    const sequential = previousEnd === undefined || (offset >= previousEnd && offset - previousEnd < 64);
    if (!sequential || length >= this.blockBytes) return this.file.read(offset, length);
    // Unless reused, a fresh buffer each time: slices handed out earlier stay valid.
    const block = this.reuse ? this.readReused(offset) : this.file.readUpTo(offset, this.blockBytes);
    if (block.length < length) {
      this.block = Buffer.alloc(0); // the reused buffer no longer holds the block it described
      return this.file.read(offset, length); // throws: the file ends early
    }
    this.block = block;
    this.start = offset;
    return block.subarray(0, length);
  }

  private readReused(offset: number): Buffer {
    this.reused ??= Buffer.allocUnsafe(this.blockBytes);
    return this.reused.subarray(0, this.file.readInto(this.reused, offset));
  }
}
