import { createHash } from "node:crypto";

/**
 * Framing of journal records: `{"seq":N,"len":L,"sha":"<16 hex>","p":<payload>}\n`, where `len` is
 * the payload's byte length and `sha` the first 16 hex digits of sha256("<seq>:<payload>")
 * (reliability §2.5). Covering `seq` too means a flipped digit there is caught like one in the payload.
 */

export function journalDigest(seq: number, payload: string | Uint8Array): string {
  return createHash("sha256").update(`${seq}:`).update(payload).digest("hex").slice(0, 16);
}

function head(seq: number, length: number, sha: string): string {
  return `{"seq":${seq},"len":${length},"sha":"${sha}","p":`;
}

/** One framed journal line (with its newline) for a payload. */
export function frameJournalLine(seq: number, payload: unknown): string {
  const text = JSON.stringify(payload);
  return `${head(seq, Buffer.byteLength(text, "utf8"), journalDigest(seq, text))}${text}}\n`;
}

/** Room left before each payload for its head: `{"seq":` + 2 × 16 digits + the sha and keys. */
const HEAD_ROOM = 96;
const INITIAL_BYTES = 1 << 20;
/** A buffer grown past this by one huge batch is not kept. */
const KEEP_BYTES = 16 << 20;

/**
 * Frames records into one reusable buffer: a batch of 100 enriched papers is about 300 KB, and a
 * fresh buffer per record (plus a concatenation) costs more than the JSON itself. The bytes returned
 * are valid until the next call, so the caller must finish writing them first.
 */
export class JournalFramer {
  private buffer = Buffer.allocUnsafe(INITIAL_BYTES);
  private readonly encoder = new TextEncoder();

  frame(records: readonly { seq: number; payload: unknown }[]): Buffer {
    let end = 0;
    for (const { seq, payload } of records) end = this.frameAt(end, seq, JSON.stringify(payload));
    const framed = this.buffer.subarray(0, end);
    if (this.buffer.length > KEEP_BYTES) this.buffer = Buffer.allocUnsafe(INITIAL_BYTES); // framed keeps the old one alive
    return framed;
  }

  /** Write one framed line at `start`; returns where it ends. */
  private frameAt(start: number, seq: number, text: string): number {
    const bodyAt = start + HEAD_ROOM;
    let written = this.encodeAt(bodyAt, text);
    while (written === undefined) {
      this.grow(bodyAt + Buffer.byteLength(text, "utf8") + 2, start);
      written = this.encodeAt(bodyAt, text);
    }
    const body = this.buffer.subarray(bodyAt, bodyAt + written);
    const prefix = head(seq, written, journalDigest(seq, body));
    const prefixLength = this.buffer.write(prefix, start, "latin1"); // ASCII only
    this.buffer.copyWithin(start + prefixLength, bodyAt, bodyAt + written);
    let end = start + prefixLength + written;
    end += this.buffer.write("}\n", end, "latin1");
    return end;
  }

  /** Encode `text` at `at` with room for the closing `}\n`, or undefined when it does not fit. */
  private encodeAt(at: number, text: string): number | undefined {
    const room = this.buffer.length - at - 2;
    if (room < text.length) return undefined; // at least one byte per UTF-16 unit
    const { read, written } = this.encoder.encodeInto(text, this.buffer.subarray(at, at + room));
    return read === text.length ? written : undefined;
  }

  /** Grow to hold `needed` bytes, keeping the framed bytes before `keep`. */
  private grow(needed: number, keep: number): void {
    const next = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
    this.buffer.copy(next, 0, 0, keep);
    this.buffer = next;
  }
}
