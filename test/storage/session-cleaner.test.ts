import { mkdir, readdir, stat, symlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { SessionLockedError, StorageError } from "../../src/errors.js";
import { CheckpointManager } from "../../src/storage/checkpoint-manager.js";
import { nodeStorageFs } from "../../src/storage/fs.js";
import {
  inspectSession,
  type SessionStatus,
  type SessionSummary,
} from "../../src/storage/session-catalog.js";
import {
  directorySize,
  lastActivity,
  planClean,
  removeSession,
  sweepLeftovers,
} from "../../src/storage/session-cleaner.js";
import { LOCK_FILE } from "../../src/storage/session-files.js";
import { makeCfSession } from "../helpers/sessions.js";
import { testdir } from "../helpers/testdir.js";

/** What `cf consolidate-sessions clean` relies on: which sessions a selection removes, and removing them safely. */

const NOW = new Date("2026-02-01T12:00:00.000Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A session summary as the catalog gives it; only what planClean reads matters. */
function summary(
  id: string,
  status: SessionStatus,
  times: { created_at?: string | null; last_checkpoint?: string | null } = {},
): SessionSummary {
  return {
    session_id: id,
    dir: `/checkpoints/${id}`,
    format: "cf",
    status,
    input_file: "/data/input.json",
    input_sha256: null,
    total_papers: 4,
    created_at: times.created_at ?? null,
    last_checkpoint: times.last_checkpoint ?? null,
    sources: {},
    problem: null,
    holder: null,
  };
}

const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const idsOf = (sessions: readonly SessionSummary[]) => sessions.map((s) => s.session_id);

/** A lock file naming a live process other than this one (the test runner's parent) on this host. */
async function holdByAnotherProcess(sessionDir: string) {
  const holder = {
    pid: process.ppid,
    hostname: hostname(),
    started_at: NOW.toISOString(),
    token: "a".repeat(32),
  };
  await writeFile(path.join(sessionDir, LOCK_FILE), `${JSON.stringify(holder)}\n`);
}

describe("planClean", () => {
  const all: SessionStatus[] = ["completed", "failed", "interrupted", "pending", "running", "corrupt"];

  it("selects sessions by status, in the order given", async () => {
    const sessions = all.map((status) => summary(status, status));
    const plan = planClean(sessions, { statuses: new Set(["interrupted", "completed", "corrupt"]) }, NOW);
    expect(idsOf(plan.remove)).toEqual(["completed", "interrupted", "corrupt"]);
    expect(plan.running).toEqual([]);
    expect(planClean(sessions, { statuses: new Set() }, NOW)).toEqual({ remove: [], running: [] });
  });

  it("never removes a running session, even when every status is selected", async () => {
    const sessions = all.map((status) => summary(status, status));
    const plan = planClean(sessions, { statuses: new Set(all) }, NOW);
    expect(idsOf(plan.remove)).toEqual(["completed", "failed", "interrupted", "pending", "corrupt"]);
    expect(idsOf(plan.running)).toEqual(["running"]);
    // Old and selected by age: still only reported.
    const old = planClean(
      [summary("r", "running", { created_at: ago(30 * DAY) })],
      { statuses: new Set(all), olderThanMs: DAY },
      NOW,
    );
    expect(old.remove).toEqual([]);
    expect(idsOf(old.running)).toEqual(["r"]);
  });

  it("--older-than keeps sessions active more recently, judged by the last checkpoint, else the creation", async () => {
    const sessions = [
      summary("idle-10d", "interrupted", { created_at: ago(20 * DAY), last_checkpoint: ago(10 * DAY) }),
      summary("active-1h", "interrupted", { created_at: ago(20 * DAY), last_checkpoint: ago(HOUR) }),
      summary("created-8d", "failed", { created_at: ago(8 * DAY) }),
      summary("created-6d", "failed", { created_at: ago(6 * DAY) }),
      summary("exactly-7d", "completed", { last_checkpoint: ago(7 * DAY) }),
      summary("just-under-7d", "completed", { last_checkpoint: ago(7 * DAY - 1) }),
      summary("completed-old", "completed", { last_checkpoint: ago(30 * DAY) }),
    ];
    const plan = planClean(
      sessions,
      { statuses: new Set(["interrupted", "failed"]), olderThanMs: 7 * DAY },
      NOW,
    );
    expect(idsOf(plan.remove)).toEqual(["idle-10d", "created-8d"]);
    const everything = planClean(
      sessions,
      { statuses: new Set(["interrupted", "failed", "completed"]), olderThanMs: 7 * DAY },
      NOW,
    );
    expect(idsOf(everything.remove)).toEqual(["idle-10d", "created-8d", "exactly-7d", "completed-old"]);
  });

  it("a session without a readable time counts as idle (it cannot be judged recent)", async () => {
    const sessions = [
      summary("no-time", "corrupt"),
      summary("bad-time", "corrupt", { created_at: "yesterday" }),
      summary("fresh", "corrupt", { created_at: ago(1000) }),
    ];
    const plan = planClean(sessions, { statuses: new Set(["corrupt"]), olderThanMs: HOUR }, NOW);
    expect(idsOf(plan.remove)).toEqual(["no-time", "bad-time"]);
  });

  it("lastActivity is the last checkpoint, else the creation time, else unknown", () => {
    expect(
      lastActivity(
        summary("a", "failed", { created_at: ago(DAY), last_checkpoint: ago(HOUR) }),
      )?.toISOString(),
    ).toBe(ago(HOUR));
    expect(lastActivity(summary("b", "failed", { created_at: ago(DAY) }))?.toISOString()).toBe(ago(DAY));
    expect(lastActivity(summary("c", "failed"))).toBeUndefined();
    expect(lastActivity(summary("d", "failed", { last_checkpoint: "not a date" }))).toBeUndefined();
  });
});

describe("removeSession", () => {
  it("removes a session directory with everything in it, and nothing else", async () => {
    const base = await testdir();
    const dir = await makeCfSession(base, "s1", { done: 2 });
    await makeCfSession(base, "s2", { done: 1 });
    await writeFile(path.join(base, "notes.txt"), "keep");
    await removeSession(base, await inspectSession(dir));
    expect((await readdir(base)).sort()).toEqual(["notes.txt", "s2"]);
    expect((await inspectSession(path.join(base, "s2"))).status).toBe("interrupted");
  });

  it("refuses a symlink in the checkpoint directory and leaves what it points to alone", async () => {
    const base = await testdir();
    const outside = await testdir("cf-outside-");
    await writeFile(path.join(outside, "precious.txt"), "do not delete");
    await symlink(outside, path.join(base, "linked"));
    const linked = { ...summary("linked", "interrupted"), dir: path.join(base, "linked") };
    await expect(removeSession(base, linked)).rejects.toThrow(/not a directory/);
    await expect(removeSession(base, linked)).rejects.toBeInstanceOf(StorageError);
    expect(await readdir(outside)).toEqual(["precious.txt"]);
    expect(await readdir(base)).toEqual(["linked"]);
  });

  it("refuses a directory that is not directly inside the checkpoint directory", async () => {
    const root = await testdir();
    const base = path.join(root, "checkpoints");
    await mkdir(base);
    const outside = await makeCfSession(root, "outside", { done: 1 });
    const nested = path.join(base, "group", "nested");
    await mkdir(nested, { recursive: true });
    const candidates = [
      outside,
      nested,
      base,
      path.join(base, "..", "outside"), // escapes with ..
      path.relative(process.cwd(), outside), // a relative path elsewhere
    ];
    for (const dir of candidates) {
      await expect(removeSession(base, { ...summary("x", "interrupted"), dir }), dir).rejects.toThrow(
        /not inside the checkpoint directory/,
      );
    }
    expect((await inspectSession(outside)).status).toBe("interrupted");
    expect(await readdir(path.join(base, "group"))).toEqual(["nested"]);
  });

  it("accepts a path to a session inside the checkpoint directory however it is spelled", async () => {
    const base = await testdir();
    await makeCfSession(base, "s1", { done: 1 });
    await removeSession(base, { ...summary("s1", "interrupted"), dir: path.join(base, "x", "..", "s1") });
    expect(await readdir(base)).toEqual([]);
  });

  it("refuses a plain file in place of a session directory", async () => {
    const base = await testdir();
    await writeFile(path.join(base, "file"), "x");
    await expect(
      removeSession(base, { ...summary("file", "corrupt"), dir: path.join(base, "file") }),
    ).rejects.toThrow(/not a directory/);
    expect(await readdir(base)).toEqual(["file"]);
  });

  it("refuses a session that a live process holds, in this process or another (it started after the listing)", async () => {
    const base = await testdir();
    const listed = await inspectSession(await makeCfSession(base, "s1", { done: 1 }));
    expect(listed.status).toBe("interrupted");
    const manager = await CheckpointManager.open({ baseDir: base, sessionId: "s1" });
    onTestFinished(() => manager.close());
    await expect(removeSession(base, listed)).rejects.toBeInstanceOf(SessionLockedError);
    await manager.close();
    expect((await inspectSession(listed.dir)).status).toBe("interrupted");

    const other = await makeCfSession(base, "s2", { done: 1 });
    await holdByAnotherProcess(other);
    await expect(removeSession(base, await inspectSession(other))).rejects.toThrow(
      new RegExp(`in use by process ${process.ppid}`),
    );
    expect((await readdir(other)).length).toBeGreaterThan(1);
  });

  it("removes a session whose lock was left by a dead process", async () => {
    const base = await testdir();
    const dir = await makeCfSession(base, "crashed", { done: 1 });
    await writeFile(
      path.join(dir, LOCK_FILE),
      JSON.stringify({
        pid: 2 ** 22 + 7,
        hostname: hostname(),
        started_at: NOW.toISOString(),
        token: "b".repeat(32),
      }),
    );
    await removeSession(base, await inspectSession(dir));
    expect(await readdir(base)).toEqual([]);
  });

  it("a failed removal is a StorageError and releases the lock it took", async () => {
    const base = await testdir();
    const dir = await makeCfSession(base, "s1", { done: 1 });
    const fs = {
      ...nodeStorageFs,
      rmTree: async () => {
        throw Object.assign(new Error("EACCES: injected"), { code: "EACCES" });
      },
    };
    const error = await removeSession(base, await inspectSession(dir), fs).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toMatch(/^permission denied while removing /);
    expect(await readdir(dir)).not.toContain(LOCK_FILE);
    expect((await inspectSession(dir)).status).toBe("interrupted");
  });
});

describe("sweepLeftovers", () => {
  const temps = [
    ".checkpoint.json.4242.0a1b2c3d.tmp",
    `.papers.json.${process.pid}.ffffffff.tmp`,
    ".session.json.1.00000000.tmp",
    "lock.stale.1700000000000",
  ];
  const lookalikes = [
    ".checkpoint.json.tmp", // no pid and random part
    ".papers.json.4242.ABCDEF12.tmp", // not lower-case hex
    "papers.json.4242.0a1b2c3d.tmp", // not hidden
    "notes.tmp",
    "lock.takeover",
  ];

  it("removes the temp files of interrupted writes and stale lock copies, nothing else, and counts them", async () => {
    const base = await testdir();
    const dir = await makeCfSession(base, "s1", { done: 2 });
    const before = (await readdir(dir)).sort();
    for (const name of [...temps, ...lookalikes]) await writeFile(path.join(dir, name), "x");
    expect(await sweepLeftovers(await inspectSession(dir))).toBe(temps.length);
    expect((await readdir(dir)).sort()).toEqual([...before, ...lookalikes].sort());
    expect((await inspectSession(dir)).status).toBe("interrupted");
    expect(await sweepLeftovers(await inspectSession(dir))).toBe(0);
  });

  it("leaves a session that a live process holds untouched (its writes may be in flight)", async () => {
    const base = await testdir();
    const dir = await makeCfSession(base, "s1", { done: 2 });
    for (const name of temps) await writeFile(path.join(dir, name), "x");
    await holdByAnotherProcess(dir);
    expect(await sweepLeftovers(await inspectSession(dir))).toBe(0);
    expect(await readdir(dir)).toEqual(expect.arrayContaining(temps));

    // A lock file still being written (young, unreadable) counts as held too.
    await writeFile(path.join(dir, LOCK_FILE), "");
    expect(await sweepLeftovers(await inspectSession(dir))).toBe(0);
    expect(await readdir(dir)).toEqual(expect.arrayContaining(temps));
  });

  it("a session directory that is gone has nothing to sweep", async () => {
    const base = await testdir();
    expect(await sweepLeftovers({ ...summary("gone", "corrupt"), dir: path.join(base, "gone") })).toBe(0);
  });
});

describe("directorySize", () => {
  it("adds up the files of the directory and its subdirectories", async () => {
    const dir = await testdir();
    await writeFile(path.join(dir, "a"), Buffer.alloc(10));
    await writeFile(path.join(dir, "b"), Buffer.alloc(200));
    await mkdir(path.join(dir, "sub", "deeper"), { recursive: true });
    await writeFile(path.join(dir, "sub", "c"), Buffer.alloc(3000));
    await writeFile(path.join(dir, "sub", "deeper", "d"), Buffer.alloc(4));
    expect(await directorySize(dir)).toBe(3214);
  });

  it("counts a symlink as the link itself, never what it points to", async () => {
    const dir = await testdir();
    const outside = await testdir("cf-outside-");
    await writeFile(path.join(outside, "big"), Buffer.alloc(100_000));
    await writeFile(path.join(dir, "small"), Buffer.alloc(5));
    await symlink(path.join(outside, "big"), path.join(dir, "to-file"));
    await symlink(outside, path.join(dir, "to-dir"));
    const links =
      (await nodeStorageFs.lstat(path.join(dir, "to-file"))).size +
      (await nodeStorageFs.lstat(path.join(dir, "to-dir"))).size;
    expect(links).toBeLessThan(1000);
    expect(await directorySize(dir)).toBe(5 + links);
  });

  it("is the size of a real session's files, and 0 for a directory that does not exist", async () => {
    const base = await testdir();
    const dir = await makeCfSession(base, "s1", { done: 2 });
    let expected = 0;
    for (const name of await readdir(dir)) expected += (await stat(path.join(dir, name))).size;
    expect(expected).toBeGreaterThan(0);
    expect(await directorySize(dir)).toBe(expected);
    expect(await directorySize(path.join(base, "missing"))).toBe(0);
  });
});
