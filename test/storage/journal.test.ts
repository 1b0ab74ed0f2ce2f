import { createHash } from "node:crypto";
import { appendFile, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { SessionCorruptError } from "../../src/errors.js";
import { nodeStorageFs } from "../../src/storage/fs.js";
import { frameJournalLine, JournalWriter, readJournal } from "../../src/storage/journal.js";
import { testdir } from "../helpers/testdir.js";

const payload = z.object({ n: z.number(), text: z.string() });
const RUNS = Number(process.env.CF_PROPERTY_RUNS ?? 1000);

async function writeEntries(file: string, count: number) {
  const writer = await JournalWriter.open(nodeStorageFs, file);
  for (let i = 1; i <= count; i += 1) await writer.append(i, { n: i, text: `entry ${i} é` });
  await writer.close();
}

describe("journal", () => {
  it("frames each payload with its byte length and a checksum over seq and payload", () => {
    const text = '{"n":1,"text":"é"}';
    const sha = createHash("sha256").update(`3:${text}`).digest("hex").slice(0, 16);
    expect(frameJournalLine(3, { n: 1, text: "é" })).toBe(`{"seq":3,"len":19,"sha":"${sha}","p":${text}}\n`);
  });

  it("reads back what it appended; a missing file is an empty journal", async () => {
    const dir = await testdir();
    const file = path.join(dir, "journal.jsonl");
    expect(await readJournal(nodeStorageFs, file, payload)).toEqual({ entries: [], goodBytes: 0 });
    await writeEntries(file, 3);
    const contents = await readJournal(nodeStorageFs, file, payload);
    expect(contents.entries.map((e) => e.payload.n)).toEqual([1, 2, 3]);
    expect(contents.tornTail).toBeUndefined();
  });

  it("drops a torn tail at every truncation offset of the last line (property)", async () => {
    const dir = await testdir();
    const file = path.join(dir, "journal.jsonl");
    await writeEntries(file, 3);
    const full = await readFile(file);
    const lastStart = full.lastIndexOf(0x0a, full.length - 2) + 1;
    for (let cut = lastStart + 1; cut < full.length; cut += 1) {
      await writeFile(file, full.subarray(0, cut));
      const contents = await readJournal(nodeStorageFs, file, payload);
      expect(contents.entries.map((e) => e.payload.n)).toEqual([1, 2]);
      expect(contents.goodBytes).toBe(lastStart);
      expect(contents.tornTail?.bytes).toBe(cut - lastStart);
    }
  });

  it("treats trailing zeros or garbage after the last good record as a torn tail", async () => {
    const dir = await testdir();
    const file = path.join(dir, "journal.jsonl");
    await writeEntries(file, 2);
    await appendFile(file, Buffer.alloc(64));
    expect((await readJournal(nodeStorageFs, file, payload)).entries).toHaveLength(2);
    await appendFile(file, "\ngarbage\n\n");
    expect((await readJournal(nodeStorageFs, file, payload)).tornTail).toBeDefined();
  });

  it("refuses a flipped byte in any line that has good records after it", async () => {
    const dir = await testdir();
    const file = path.join(dir, "journal.jsonl");
    await writeEntries(file, 4);
    const full = await readFile(file);
    const secondLineEnd = full.indexOf(0x0a, full.indexOf(0x0a) + 1);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: secondLineEnd - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (at, xor) => {
          const damaged = Buffer.from(full);
          damaged[at] = (damaged[at] as number) ^ xor;
          if (damaged[at] === 0x0a) return; // a new line break is a different damage
          await writeFile(file, damaged);
          const error = await readJournal(nodeStorageFs, file, payload).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(SessionCorruptError);
          expect((error as Error).message).toMatch(/journal\.jsonl: line [12] .*valid records follow/);
        },
      ),
      { numRuns: Math.min(RUNS, 300) },
    );
  });

  it("refuses sequence numbers that go backwards", async () => {
    const dir = await testdir();
    const file = path.join(dir, "journal.jsonl");
    await writeFile(file, frameJournalLine(2, { n: 2, text: "" }) + frameJournalLine(1, { n: 1, text: "" }));
    await expect(readJournal(nodeStorageFs, file, payload)).rejects.toThrow(/sequence 1 does not follow 2/);
  });

  it("truncates a torn tail before appending, so new records never land behind garbage", async () => {
    const dir = await testdir();
    const file = path.join(dir, "journal.jsonl");
    await writeEntries(file, 2);
    await appendFile(file, '{"seq":3,"len":5');
    const { goodBytes } = await readJournal(nodeStorageFs, file, payload);
    const writer = await JournalWriter.open(nodeStorageFs, file, goodBytes);
    await writer.append(3, { n: 3, text: "after" });
    await writer.close();
    const contents = await readJournal(nodeStorageFs, file, payload);
    expect(contents.entries.map((e) => e.payload.text)).toEqual(["entry 1 é", "entry 2 é", "after"]);
    expect(contents.tornTail).toBeUndefined();
  });
});
