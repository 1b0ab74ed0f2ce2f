import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SessionCorruptError } from "../../src/errors.js";
import type { Paper } from "../../src/model/paper.js";
import { tallyPapers } from "../../src/model/paper-tally.js";
import { applyPaperUpdate } from "../../src/model/paper-update.js";
import { nodeStorageFs } from "../../src/storage/fs.js";
import { FileScratch, MemoryScratch, ReadOnlyLines } from "../../src/storage/line-files.js";
import { PaperStore } from "../../src/storage/paper-store.js";
import { readPapersFile, scanPapersFile } from "../../src/storage/papers-file.js";
import { makePapers, updateFor } from "../helpers/papers.js";
import { writeStoreSnapshot } from "../helpers/store-snapshot.js";
import { testdir } from "../helpers/testdir.js";

/** Write the store as a snapshot (as SnapshotWriter does) and read from it from now on. */
async function snapshot(store: PaperStore, file: string, generation: number): Promise<void> {
  const { offsets, lengths } = await writeStoreSnapshot(store, file, generation);
  store.rebase(ReadOnlyLines.open(file), offsets, lengths);
}

type Op =
  | { kind: "update"; pick: number; source: "openalex" | "semantic_scholar"; n: number }
  | { kind: "put"; pick: number; title: string }
  | { kind: "reorder"; seed: number; drop: number; add: number }
  | { kind: "snapshot" };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant("update" as const),
    pick: fc.nat(),
    source: fc.constantFrom("openalex" as const, "semantic_scholar" as const),
    n: fc.nat(5),
  }),
  fc.record({ kind: fc.constant("put" as const), pick: fc.nat(), title: fc.string({ minLength: 1 }) }),
  fc.record({ kind: fc.constant("reorder" as const), seed: fc.nat(), drop: fc.nat(3), add: fc.nat(3) }),
  fc.record({ kind: fc.constant("snapshot" as const) }),
);

describe("PaperStore (issue 16: papers at rest as text)", () => {
  it("holds what a list of parsed papers would, through updates, replacements, reorders and snapshots (property)", async () => {
    const dir = await testdir();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (ops) => {
        run += 1;
        const file = path.join(dir, `papers-${run}.json`);
        let model: Paper[] = makePapers(8);
        const store = PaperStore.fromPapers(structuredClone(model), new FileScratch(dir));
        let fresh = 100;
        let generation = 0;
        try {
          for (const step of ops) {
            const at = model.length > 0 ? ("pick" in step ? step.pick % model.length : 0) : -1;
            if (step.kind === "update" && at >= 0) {
              const id = (model[at] as Paper).paper_id;
              const update = updateFor(id, step.source, step.n);
              applyPaperUpdate(model[at] as Paper, update);
              store.update(id, (paper) => applyPaperUpdate(paper, update));
            } else if (step.kind === "put" && at >= 0) {
              const next = { ...structuredClone(model[at] as Paper), title: step.title };
              model[at] = next;
              store.put(structuredClone(next));
            } else if (step.kind === "reorder") {
              const kept = model.filter((_, i) => (i + step.seed) % 4 !== 0 || i >= step.drop);
              const added = makePapers(fresh + step.add)
                .slice(fresh)
                .map((p) => ({ ...p }));
              fresh += step.add;
              const shuffled = [...kept, ...added].sort(
                (a, b) => ((a.title.length * 31 + step.seed) % 7) - ((b.title.length * 31 + step.seed) % 7),
              );
              model = shuffled;
              store.reorder(
                shuffled.map((p) => p.paper_id),
                new Map(added.map((p) => [p.paper_id, structuredClone(p)])),
              );
            } else if (step.kind === "snapshot") {
              await snapshot(store, file, generation++);
            }
            expect(store.ids()).toEqual(model.map((p) => p.paper_id));
            expect([...store.papers()]).toEqual(model);
            expect(store.tally).toEqual(tallyPapers(model));
            expect([...store.lines()].map((line) => line.toString("utf8"))).toEqual(
              model.map((p) => JSON.stringify(p)),
            );
          }
        } finally {
          store.close();
        }
      }),
      { numRuns: 60 },
    );
  });

  it("copies an unchanged paper's line byte for byte into the next snapshot, and re-serialises a changed one", async () => {
    const dir = await testdir();
    const file = path.join(dir, "papers.json");
    const store = PaperStore.fromPapers(makePapers(3), new MemoryScratch());
    await snapshot(store, file, 0);
    // Rewrite line 3 (the first paper) with an escape JSON.stringify would not produce.
    const text = await readFile(file, "utf8");
    const lines = text.split("\n");
    const escaped = (lines[2] as string).replace('"Paper number 0"', '"Paper n\\u0075mber 0"');
    lines[2] = escaped;
    await writeFile(file, lines.join("\n"));
    const scanned = await scanPapersFile(nodeStorageFs, file);
    if (!scanned) throw new Error("not cf's layout");
    const reopened = PaperStore.fromSnapshot(
      {
        file: ReadOnlyLines.open(file),
        ids: ["P0000", "P0001", "P0002"],
        offsets: scanned.offsets,
        lengths: scanned.lengths,
        trusted: true,
      },
      scanned.metadata.tally,
      new MemoryScratch(),
      (raw) => raw as Paper,
    );
    try {
      expect(reopened.get("P0000")?.title).toBe("Paper number 0");
      reopened.update("P0001", (paper) => applyPaperUpdate(paper, updateFor("P0001", "openalex")));
      const out = [...reopened.lines()].map((line) => line.toString("utf8"));
      expect(`${out[0]},`).toBe(escaped); // copied: the escape is still there
      expect(out[1]).toBe(JSON.stringify(reopened.get("P0001")));
      expect(out[1]).toContain("Abstract of P0001");
    } finally {
      reopened.close();
      store.close();
    }
  });

  it("finds every line of a snapshot larger than one read, and refuses a line that holds another paper", async () => {
    const dir = await testdir();
    const file = path.join(dir, "papers.json");
    const papers = makePapers(3000).map((p, i) => ({ ...p, title: `${p.title} ${"x".repeat(i % 900)}` }));
    const store = PaperStore.fromPapers(papers, new MemoryScratch());
    await snapshot(store, file, 4);
    store.close();
    const scanned = await scanPapersFile(nodeStorageFs, file);
    if (!scanned) throw new Error("not cf's layout");
    expect(scanned.bytes).toBeGreaterThan(2 << 20); // several 1 MB reads: lines span them
    expect(scanned.metadata.generation).toBe(4);
    const whole = await readPapersFile(nodeStorageFs, file);
    expect(scanned.sha256).toBe(whole.sha256);
    const lines = ReadOnlyLines.open(file);
    const ids = papers.map((p) => p.paper_id);
    // Two ids swapped: each line is checked against the id the index expects when it is read.
    [ids[10], ids[11]] = [ids[11] as string, ids[10] as string];
    const reopened = PaperStore.fromSnapshot(
      { file: lines, ids, offsets: scanned.offsets, lengths: scanned.lengths, trusted: true },
      scanned.metadata.tally,
      new MemoryScratch(),
      (raw) => raw as Paper,
    );
    try {
      for (const index of [0, 1234, 2999])
        expect(reopened.get(papers[index]!.paper_id)).toEqual(papers[index]);
      let error: unknown;
      try {
        reopened.get("P0010");
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SessionCorruptError);
      expect((error as Error).message).toContain(file);
      expect((error as Error).message).toContain('holds paper "P0011"');
    } finally {
      reopened.close();
    }
  });
});
