import { describe, expect, it } from "vitest";
import { GroupCommit, type GroupCommitOptions } from "../../src/storage/group-commit.js";

/** A scheduler over an in-memory "journal" that records each write; `fail` makes the next writes throw. */
function scheduler(options: GroupCommitOptions = {}) {
  const writes: string[][] = [];
  const applied: string[] = [];
  let queue: Promise<unknown> = Promise.resolve();
  const control = { fail: undefined as Error | undefined };
  const commits = new GroupCommit<string, string>(
    async (entries) => {
      await new Promise((resolve) => setImmediate(resolve)); // a write takes a turn of the loop
      if (control.fail) throw control.fail;
      writes.push(entries);
    },
    (entry) => {
      applied.push(entry);
      return `applied ${entry}`;
    },
    (commit) => {
      const run = queue.then(commit, commit);
      queue = run.catch(() => undefined);
      return run;
    },
    options,
  );
  return { commits, writes, applied, control, idle: () => queue };
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("GroupCommit", () => {
  it("without a delay writes at once, and what is added during a write shares the next one", async () => {
    const { commits, writes } = scheduler();
    const together = [commits.add("a"), commits.add("b")];
    expect(await Promise.all(together)).toEqual(["applied a", "applied b"]);
    expect(writes, "added in the same turn: one write").toEqual([["a", "b"]]);
    const first = commits.add("c");
    await tick(0); // the write of "c" has begun
    const rest = [commits.add("d"), commits.add("e")];
    expect(await first).toBe("applied c");
    expect(await Promise.all(rest)).toEqual(["applied d", "applied e"]);
    expect(writes.slice(1)).toEqual([["c"], ["d", "e"]]);
  });

  it("commits after the delay: nothing is written before it runs out, then everything waiting at once", async () => {
    const { commits, writes, applied } = scheduler({ delayMs: 40 });
    const started = performance.now();
    const added = ["a", "b", "c"].map((entry) => commits.add(entry));
    await tick(10);
    expect(writes, "nothing written before the delay").toEqual([]);
    expect(applied, "nothing applied before it is written").toEqual([]);
    expect(await Promise.all(added)).toEqual(["applied a", "applied b", "applied c"]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
    expect(writes).toEqual([["a", "b", "c"]]);
  });

  it("flush writes the waiting group before the delay runs out", async () => {
    const { commits, writes } = scheduler({ delayMs: 60_000 });
    const added = [commits.add("a"), commits.add("b")];
    await tick(10);
    expect(writes).toEqual([]);
    commits.flush();
    expect(await Promise.all(added)).toEqual(["applied a", "applied b"]);
    expect(writes).toEqual([["a", "b"]]);
    commits.flush(); // nothing waiting: no empty write
    await tick(5);
    expect(writes).toEqual([["a", "b"]]);
  });

  it("writes at most maxGroup entries per write, in order, when a group is larger", async () => {
    const { commits, writes } = scheduler({ delayMs: 60_000, maxGroup: 2 });
    const added = ["a", "b", "c", "d", "e"].map((entry) => commits.add(entry));
    commits.flush();
    await Promise.all(added);
    expect(writes).toEqual([["a", "b"], ["c", "d"], ["e"]]);
  });

  it("commit writes the waiting entries, then its extra entries after them, without applying the extra", async () => {
    const { commits, writes, applied } = scheduler({ delayMs: 60_000, maxGroup: 2 });
    const added = ["a", "b", "c"].map((entry) => commits.add(entry));
    await commits.commit(["status"]);
    expect(await Promise.all(added)).toEqual(["applied a", "applied b", "applied c"]);
    expect(writes).toEqual([
      ["a", "b"],
      ["c", "status"],
    ]);
    expect(applied).toEqual(["a", "b", "c"]);
    await commits.commit(["alone"]); // nothing waiting: the extra entries are written on their own
    expect(writes.at(-1)).toEqual(["alone"]);
  });

  it("reports a failed write: every waiting entry is rejected with the error, none is applied", async () => {
    const { commits, applied, control, idle } = scheduler({ delayMs: 60_000, maxGroup: 2 });
    const error = new Error("EIO: i/o error, write");
    control.fail = error;
    const added = ["a", "b", "c"].map((entry) => commits.add(entry));
    commits.flush();
    const settled = await Promise.allSettled(added);
    expect(settled.map((r) => (r.status === "rejected" ? r.reason : r.status))).toEqual([
      error,
      error,
      error,
    ]);
    expect(applied).toEqual([]);
    await idle(); // the background flush swallowed the error after reporting it to each entry
    // A commit called directly throws it as well.
    const waiting = commits.add("d");
    await expect(commits.commit()).rejects.toBe(error);
    await expect(waiting).rejects.toBe(error);
    // Once writes work again, later entries are written.
    control.fail = undefined;
    const later = commits.add("e");
    commits.flush();
    expect(await later).toBe("applied e");
  });
});
