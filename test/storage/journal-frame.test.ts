import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { nodeStorageFs } from "../../src/storage/fs.js";
import { JournalWriter, readJournal } from "../../src/storage/journal.js";
import { frameJournalLine, JournalFramer } from "../../src/storage/journal-frame.js";
import { testdir } from "../helpers/testdir.js";

const RUNS = Number(process.env.CF_PROPERTY_RUNS ?? 1000);

describe("journal framing", () => {
  it("frames records into its reused buffer exactly as frameJournalLine does (property)", () => {
    const framer = new JournalFramer();
    // Sizes up to 3 MB force the buffer to grow (it starts at 1 MB), mid-group too.
    const record = fc.record({
      seq: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
      payload: fc.oneof(
        fc.jsonValue(),
        fc.record({
          big: fc.string({ unit: "grapheme", minLength: 0, maxLength: 40 }),
          repeat: fc.nat(80_000),
        }),
      ),
    });
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 4 }), (records) => {
        const expanded = records.map((r) => {
          const p = r.payload as { big?: string; repeat?: number };
          return typeof p?.big === "string" && typeof p.repeat === "number"
            ? { seq: r.seq, payload: { text: p.big.repeat(p.repeat) } }
            : r;
        });
        const framed = framer.frame(expanded).toString("utf8");
        expect(framed).toBe(expanded.map((r) => frameJournalLine(r.seq, r.payload)).join(""));
      }),
      { numRuns: Math.min(RUNS, 150) },
    );
  });

  it("a group of records written with one append reads back in order, multi-byte text intact", async () => {
    const dir = await testdir();
    const file = path.join(dir, "journal.jsonl");
    const writer = await JournalWriter.open(nodeStorageFs, file);
    const long = "é漢🙂".repeat(200_000); // 2 MB of UTF-8 in one record: the buffer grows
    await writer.appendMany([
      { seq: 1, payload: { n: 1, text: "a" } },
      { seq: 2, payload: { n: 2, text: long } },
      { seq: 3, payload: { n: 3, text: "c" } },
    ]);
    await writer.append(4, { n: 4, text: "d" });
    await writer.close();
    const schema = z.object({ n: z.number(), text: z.string() });
    const read = await readJournal(nodeStorageFs, file, schema);
    expect(read.tornTail).toBeUndefined();
    expect(read.entries.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(read.entries[1]?.payload.text).toBe(long);
  });

  it("refuses overlapping appends instead of interleaving them", async () => {
    const dir = await testdir();
    const writer = await JournalWriter.open(nodeStorageFs, path.join(dir, "journal.jsonl"));
    const first = writer.append(1, { n: 1 });
    await expect(writer.append(2, { n: 2 })).rejects.toThrow(/overlapping appends/);
    await first;
    await writer.close();
  });
});
