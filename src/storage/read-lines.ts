import type { ReadStream } from "node:fs";

/**
 * The lines of a stream (split on "\n", a trailing "\r" kept out), decoded as UTF-8 one line at a
 * time, without holding the whole file. Faster than node:readline for long JSON lines. `onChunk`
 * sees every raw chunk (to hash the bytes as they are read).
 */
export async function* readLines(
  stream: ReadStream,
  onChunk?: (chunk: Buffer) => void,
): AsyncGenerator<string> {
  let carry: Buffer | undefined;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    onChunk?.(chunk);
    let buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let newline = buffer.indexOf(0x0a); newline !== -1; newline = buffer.indexOf(0x0a, start)) {
      const end = newline > start && buffer[newline - 1] === 0x0d ? newline - 1 : newline;
      yield buffer.toString("utf8", start, end);
      start = newline + 1;
    }
    buffer = buffer.subarray(start);
    carry = buffer.length > 0 ? buffer : undefined;
  }
  if (carry) yield carry.toString("utf8");
}
