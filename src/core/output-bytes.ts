/**
 * The output file's bytes, assembled in one large buffer and handed out a block at a time: papers
 * are printed straight into it (stored-paper-text.ts), so a large file takes a few hundred large
 * writes and no string per paper.
 */
export class OutputBytes {
  /** Where the bytes go; `length` of them are written. Replaced when it grows. */
  buffer: Buffer;
  length = 0;

  constructor(private readonly blockBytes = 1 << 20) {
    this.buffer = Buffer.allocUnsafe(blockBytes + (blockBytes >> 2));
  }

  /** The buffer, with room for `bytes` more after `length` (a larger copy when needed). */
  reserve(bytes: number): Buffer {
    if (this.length + bytes > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    return this.buffer;
  }

  writeString(text: string): void {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    this.reserve(text.length * 3);
    this.length += this.buffer.write(text, this.length, "utf8");
  }

  /** True once a block's worth is written. */
  full(): boolean {
    return this.length >= this.blockBytes;
  }

  /**
   * The bytes written so far, a view of the buffer that writing then starts again at the beginning
   * of: to be used up before writing on (writeFileAtomic writes or copies a chunk before it asks for
   * the next). Reusing one buffer matters: with a new buffer per block, writing a 100,000-paper
   * output took 2 to 3 times as long from the second output a process wrote.
   */
  take(): Buffer {
    const bytes = this.buffer.subarray(0, this.length);
    this.length = 0;
    return bytes;
  }
}
