import { createReadStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readLines } from "../../src/storage/read-lines.js";
import { testdir } from "../helpers/testdir.js";

async function linesOf(content: string | Buffer, highWaterMark: number) {
  const dir = await testdir();
  const file = path.join(dir, "f");
  await writeFile(file, content);
  const out: string[] = [];
  let bytes = 0;
  for await (const line of readLines(createReadStream(file, { highWaterMark }), (c) => {
    bytes += c.length;
  })) {
    out.push(line);
  }
  return { out, bytes };
}

describe("readLines", () => {
  it("splits on newlines across chunk boundaries, multi-byte characters included", async () => {
    const text = "première ligne\r\nzweite Zeile – ü\n\nlast without newline ✓";
    for (const size of [1, 2, 3, 7, 64]) {
      const { out, bytes } = await linesOf(text, size);
      expect(out, `chunks of ${size}`).toEqual([
        "première ligne",
        "zweite Zeile – ü",
        "",
        "last without newline ✓",
      ]);
      expect(bytes).toBe(Buffer.byteLength(text));
    }
  });

  it("yields nothing for an empty file and no extra line after a final newline", async () => {
    expect((await linesOf("", 16)).out).toEqual([]);
    expect((await linesOf("a\nb\n", 16)).out).toEqual(["a", "b"]);
  });
});
