import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  FileScratch,
  type LineFile,
  MemoryScratch,
  ReadAhead,
  ReadOnlyLines,
} from "../../src/storage/line-files.js";
import { testdir } from "../helpers/testdir.js";

/** The files a session's papers are read back from, and reading them ahead in blocks. */

const TEXT = Buffer.from("0123456789abcdefghijklmnopqrstuvwxyz");

async function files(): Promise<Array<[string, LineFile]>> {
  const dir = await testdir();
  const file = path.join(dir, "lines");
  await writeFile(file, TEXT);
  const scratch = new FileScratch(dir);
  scratch.append(TEXT);
  const memory = new MemoryScratch();
  memory.append(TEXT);
  return [
    ["ReadOnlyLines", ReadOnlyLines.open(file)],
    ["FileScratch", scratch],
    ["MemoryScratch", memory],
  ];
}

describe("LineFile.readInto", () => {
  it("fills the buffer from the offset, with fewer bytes at the end of the file", async () => {
    for (const [name, file] of await files()) {
      const buffer = Buffer.alloc(10);
      expect([name, file.readInto(buffer, 5)]).toEqual([name, 10]);
      expect(buffer.toString()).toBe("56789abcde");
      expect([name, file.readInto(buffer, 30)]).toEqual([name, 6]);
      expect(buffer.subarray(0, 6).toString()).toBe("uvwxyz");
      expect([name, file.readInto(buffer, 36)]).toEqual([name, 0]);
      file.close();
    }
  });
});

describe("ReadAhead", () => {
  /** Consecutive ranges of 3 bytes, read through blocks of 8. */
  function ranges(file: LineFile, reuse: boolean): Buffer[] {
    const ahead = new ReadAhead(file, 8, reuse);
    const read: Buffer[] = [];
    for (let offset = 0; offset + 3 <= TEXT.length; offset += 3) read.push(ahead.read(offset, 3));
    return read;
  }

  it("reads consecutive ranges through large blocks; with reuse, a range stays valid only until the next block", async () => {
    for (const [, file] of await files()) {
      const expected = Array.from({ length: 12 }, (_, k) => TEXT.subarray(3 * k, 3 * k + 3).toString());
      expect(ranges(file, false).map(String)).toEqual(expected); // each still valid at the end
      const seen: string[] = [];
      const ahead = new ReadAhead(file, 8, true);
      const first = ahead.read(0, 3);
      for (let offset = 0; offset + 3 <= TEXT.length; offset += 3)
        seen.push(ahead.read(offset, 3).toString());
      expect(seen).toEqual(expected); // each valid when read
      expect(first.toString()).not.toBe("012"); // the block it was in was read over
      file.close();
    }
  });
});
