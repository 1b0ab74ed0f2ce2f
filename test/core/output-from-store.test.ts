import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { writeOutputFile } from "../../src/core/output-file.js";
import { SessionCorruptError } from "../../src/errors.js";
import type { Paper } from "../../src/model/paper.js";
import { applyPaperUpdate } from "../../src/model/paper-update.js";
import { nodeStorageFs } from "../../src/storage/fs.js";
import { MemoryScratch, ReadOnlyLines } from "../../src/storage/line-files.js";
import { PaperStore, StoredLine } from "../../src/storage/paper-store.js";
import { scanPapersFile } from "../../src/storage/papers-file.js";
import { makePapers, updateFor } from "../helpers/papers.js";
import { writeStoreSnapshot } from "../helpers/store-snapshot.js";
import { testdir } from "../helpers/testdir.js";

/** The output written from a session's store (its papers as stored lines) is the output of its papers. */

const METADATA = { session_id: "s", sources: ["openalex", "semantic_scholar"] };

/** A store reading the papers file `file`, vouched for or not (`validate` then stands for the real validation). */
async function reopen(
  file: string,
  ids: string[],
  trusted: boolean,
  validate = (raw: unknown) => raw as Paper,
) {
  const scanned = await scanPapersFile(nodeStorageFs, file);
  if (!scanned) throw new Error("not cf's layout");
  return PaperStore.fromSnapshot(
    { file: ReadOnlyLines.open(file), ids, offsets: scanned.offsets, lengths: scanned.lengths, trusted },
    scanned.metadata.tally,
    new MemoryScratch(),
    validate,
  );
}

/** The output of `papers`, as bytes. */
async function output(dir: string, papers: Iterable<Paper | StoredLine>): Promise<string> {
  const file = path.join(dir, "out.json");
  await writeOutputFile(nodeStorageFs, file, METADATA, papers);
  return readFile(file, "utf8");
}

/** Papers enriched by both sources, some by Semantic Scholar first (their records out of source order). */
function enrichedPapers(n: number): PaperStore {
  const store = PaperStore.fromPapers(makePapers(n), new MemoryScratch());
  for (const id of store.ids()) {
    const order =
      Number(id.slice(1)) % 2 === 0 ? ["openalex", "semantic_scholar"] : ["semantic_scholar", "openalex"];
    for (const source of order as Array<"openalex" | "semantic_scholar">)
      store.update(id, (paper) => applyPaperUpdate(paper, updateFor(id, source)));
  }
  return store;
}

describe("writeOutputFile from a session's store", () => {
  it("writes the bytes it writes from the parsed papers: scratch lines, a vouched snapshot's, an unvouched one's", async () => {
    const dir = await testdir();
    const store = enrichedPapers(40);
    const fromPapers = await output(dir, [...store.papers()]);
    expect(await output(dir, store.printable())).toBe(fromPapers); // from the scratch

    const file = path.join(dir, "papers.json");
    const { offsets, lengths } = await writeStoreSnapshot(store, file, 0);
    store.rebase(ReadOnlyLines.open(file), offsets, lengths);
    store.update("P0003", (paper) => applyPaperUpdate(paper, updateFor("P0003", "openalex", 7)));
    const changed = await output(dir, [...store.papers()]);
    expect(await output(dir, store.printable())).toBe(changed); // snapshot and scratch

    // Unvouched, each line is the paper its validation gives.
    const unvouched = await reopen(file, [...store.ids()], false, (raw) => ({
      ...(raw as Paper),
      venue: "checked",
    }));
    const validated = await output(dir, [...unvouched.papers()]);
    expect(validated).toContain('"venue": "checked"');
    expect(await output(dir, unvouched.printable())).toBe(validated);
    unvouched.close();
    store.close();
  });

  it("gives a line cf wrote as it is, and an unvouched snapshot's paper as its validation gives it", async () => {
    const dir = await testdir();
    const file = path.join(dir, "papers.json");
    const store = PaperStore.fromPapers(makePapers(3), new MemoryScratch());
    await writeStoreSnapshot(store, file, 0);
    const ids = [...store.ids()];
    const vouched = await reopen(file, ids, true);
    const entries = [...vouched.printable()];
    expect(entries.every((entry) => entry instanceof StoredLine)).toBe(true);
    expect(entries.map((entry) => (entry as StoredLine).line.toString("utf8"))).toEqual(
      [...store.lines()].map((line) => line.toString("utf8")),
    );
    expect(entries.map((entry) => (entry as StoredLine).paper())).toEqual([...store.papers()]);

    const unvouched = await reopen(file, ids, false, (raw) => ({ ...(raw as Paper), venue: "checked" }));
    unvouched.update("P0001", (paper) => applyPaperUpdate(paper, updateFor("P0001", "openalex")));
    const kinds = [...unvouched.printable()].map((entry) =>
      entry instanceof StoredLine ? "line" : (entry as Paper).venue,
    );
    expect(kinds).toEqual(["checked", "line", "checked"]);
    vouched.close();
    unvouched.close();
    store.close();
  });

  it("prints a vouched line JSON.stringify would have written otherwise as the paper parsed from it", async () => {
    const dir = await testdir();
    const file = path.join(dir, "papers.json");
    const store = enrichedPapers(3);
    await writeStoreSnapshot(store, file, 0);
    const text = await readFile(file, "utf8");
    await writeFile(file, text.replace('"Paper number 1"', '"Paper n\\u0075mber 1"'));
    const reopened = await reopen(file, [...store.ids()], true);
    const written = await output(dir, reopened.printable());
    expect(written).toBe(await output(dir, [...store.papers()]));
    expect(written).toContain('"title": "Paper number 1"');
    reopened.close();
    store.close();
  });

  it("refuses a vouched line that holds another paper, as reading the papers does", async () => {
    const dir = await testdir();
    const file = path.join(dir, "papers.json");
    const store = enrichedPapers(3);
    await writeStoreSnapshot(store, file, 0);
    const reopened = await reopen(file, ["P0000", "P0002", "P0001"], true);
    const failure = (papers: Iterable<Paper | StoredLine>) =>
      output(dir, papers).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    const error = await failure(reopened.printable());
    expect(error?.message).toContain('holds paper "P0001"');
    expect((error?.cause as Error | undefined)?.constructor).toBe(SessionCorruptError);
    expect(error?.message).toBe((await failure(reopened.papers()))?.message);
    reopened.close();
    store.close();
  });
});
