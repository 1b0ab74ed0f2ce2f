import path from "node:path";
import type { z } from "zod";
import { InternalError, isErrnoException, SessionCorruptError, type StorageError } from "../errors.js";
import { storageError } from "./atomic-write.js";
import type { StorageFs, WritableFile } from "./fs.js";
import { JournalFramer, journalDigest } from "./journal-frame.js";

export { frameJournalLine } from "./journal-frame.js";

/**
 * The append-only journal of completed batches (`journal.jsonl`), so that work between two snapshots
 * survives a crash. Each line frames its payload: `{"seq":N,"len":L,"sha":"<16 hex>","p":<payload>}`
 * where `len` is the payload's byte length and `sha` the first 16 hex digits of sha256("<seq>:<payload>")
 * (reliability §2.5). A torn tail is dropped; a bad line followed by a good one is corruption.
 */

export const JOURNAL_FILE = "journal.jsonl";

const LINE = /^\{"seq":(\d+),"len":(\d+),"sha":"([0-9a-f]{16})","p":(.*)\}$/s;

export interface JournalEntry<T> {
  seq: number;
  payload: T;
}

export interface JournalContents<T> {
  entries: JournalEntry<T>[];
  /** Bytes of the file up to the end of the last good line. */
  goodBytes: number;
  /** Set when the end of the file was a torn or damaged tail that was ignored. */
  tornTail?: { bytes: number; line: number };
}

function parseLine<T>(line: string, schema: z.ZodType<T>): JournalEntry<T> | string {
  const match = LINE.exec(line);
  if (!match) return "not a journal record";
  const [, seq, len, sha, text] = match as unknown as [string, string, string, string, string];
  if (Buffer.byteLength(text, "utf8") !== Number(len)) return "length mismatch";
  if (journalDigest(Number(seq), text) !== sha) return "checksum mismatch";
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return "payload is not JSON";
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return `payload fails validation (${parsed.error.issues[0]?.message ?? "invalid"})`;
  return { seq: Number(seq), payload: parsed.data };
}

/** Read and verify a journal. A missing file is an empty journal. */
export async function readJournal<T>(
  fs: StorageFs,
  file: string,
  schema: z.ZodType<T>,
): Promise<JournalContents<T>> {
  let buffer: Buffer;
  try {
    buffer = await fs.readFile(file);
  } catch (error) {
    if (isErrnoException(error) && error.code === "ENOENT") return { entries: [], goodBytes: 0 };
    throw storageError(`reading ${file}`, error);
  }
  const entries: JournalEntry<T>[] = [];
  let offset = 0;
  let goodBytes = 0;
  let lineNo = 0;
  let firstBad: { line: number; offset: number; reason: string } | undefined;
  while (offset < buffer.length) {
    const newline = buffer.indexOf(0x0a, offset);
    const end = newline === -1 ? buffer.length : newline;
    lineNo += 1;
    const text = buffer.subarray(offset, end).toString("utf8");
    // A line without its newline was never acknowledged (the append fsyncs line + newline together).
    const result = newline === -1 ? "incomplete last line" : parseLine(text, schema);
    if (typeof result === "string") {
      firstBad ??= { line: lineNo, offset, reason: result };
    } else if (firstBad) {
      throw new SessionCorruptError(
        file,
        `${file}: line ${firstBad.line} (byte ${firstBad.offset}) is damaged (${firstBad.reason}) but valid records follow it`,
        {
          hint: "This is not a torn write: the journal was corrupted. Restore the session directory from a backup.",
        },
      );
    } else {
      const previous = entries.at(-1);
      if (previous && result.seq <= previous.seq) {
        throw new SessionCorruptError(
          file,
          `${file}: line ${lineNo}: sequence ${result.seq} does not follow ${previous.seq}`,
        );
      }
      entries.push(result);
      goodBytes = newline + 1;
    }
    offset = end + 1;
  }
  const contents: JournalContents<T> = { entries, goodBytes };
  if (firstBad) contents.tornTail = { bytes: buffer.length - goodBytes, line: firstBad.line };
  return contents;
}

/** Appends framed records; each call writes its records at once and fsyncs them before it returns. */
export class JournalWriter {
  private failed: StorageError | undefined;
  private readonly framer = new JournalFramer();
  private appending = false;

  private constructor(
    private readonly fs: StorageFs,
    readonly file: string,
    private handle: WritableFile,
  ) {}

  /**
   * Open for appending. `goodBytes` (from readJournal) cuts a torn tail off first, and fsyncs, so
   * new records never land behind garbage.
   */
  static async open(fs: StorageFs, file: string, goodBytes?: number): Promise<JournalWriter> {
    try {
      if (goodBytes !== undefined) {
        const existing = await fs.open(file, "r+").catch((error: unknown) => {
          if (isErrnoException(error) && error.code === "ENOENT") return undefined;
          throw error;
        });
        if (existing) {
          try {
            await existing.truncate(goodBytes);
            await existing.sync();
          } catch (error) {
            await existing.close().catch(() => undefined); // no descriptor left open on failure
            throw error;
          }
          await existing.close();
        }
      }
      const handle = await fs.open(file, "a");
      await fs.syncDir(path.dirname(file)).catch(async (error: unknown) => {
        await handle.close().catch(() => undefined);
        throw error;
      });
      return new JournalWriter(fs, file, handle);
    } catch (error) {
      throw storageError(`opening ${file}`, error);
    }
  }

  /**
   * Append one record and fsync it. After a failed append the file's tail is unknown (a partial line,
   * or a line whose fsync failed), so every later append fails too until `reopen` (after a snapshot
   * replaced the file): appending behind it would reuse its sequence number or bury garbage mid-file.
   */
  append(seq: number, payload: unknown): Promise<void> {
    return this.appendMany([{ seq, payload }]);
  }

  /**
   * Append several records with one write and one fsync (group commit). On failure none is
   * acknowledged (a record whose fsync failed may still be read back later: replay is idempotent).
   */
  async appendMany(records: readonly { seq: number; payload: unknown }[]): Promise<void> {
    if (this.failed) throw this.failed;
    // Overlapping appends would interleave records and reuse the framer's buffer mid-write.
    if (this.appending) throw new InternalError(`overlapping appends to ${this.file}`);
    this.appending = true;
    try {
      await this.handle.write(this.framer.frame(records));
      await this.handle.sync();
    } catch (error) {
      this.failed = storageError(`appending to ${this.file}`, error);
      throw this.failed;
    } finally {
      this.appending = false;
    }
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }

  /** Re-open after the file was replaced (the old descriptor points at the unlinked file). */
  async reopen(): Promise<void> {
    await this.close();
    try {
      this.handle = await this.fs.open(this.file, "a");
      this.failed = undefined;
    } catch (error) {
      throw storageError(`opening ${this.file}`, error);
    }
  }
}
