import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rename, rm, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { SessionCorruptError, SessionLockedError, StorageError } from "../../src/errors.js";
import { isProcessAlive } from "../../src/storage/process-alive.js";
import { acquireSessionLock, type LockInfo, readSessionLock } from "../../src/storage/session-lock.js";

// Lets a test act right after a contender created the takeover guard (before it re-judges the lock).
const hooks = vi.hoisted(() => ({
  afterGuard: undefined as (() => Promise<void>) | undefined,
}));
vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  return {
    ...actual,
    open: async (...args: Parameters<typeof actual.open>) => {
      const handle = await actual.open(...args);
      const exclusive = typeof args[1] === "number" && (args[1] & actual.constants.O_EXCL) !== 0;
      if (String(args[0]).endsWith("lock.takeover") && exclusive) await hooks.afterGuard?.();
      return handle;
    },
  };
});

const HOLDER_SCRIPT = fileURLToPath(new URL("../helpers/spawned/lock-holder.mjs", import.meta.url));
const COMPILED = fileURLToPath(new URL("../../dist/storage/session-lock.js", import.meta.url));

let dirs: string[] = [];
let children: ChildProcess[] = [];

async function sessionDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "cf-lock-"));
  dirs.push(dir);
  return dir;
}

interface Child {
  proc: ChildProcess;
  lines: string[];
  waitForLine(accept: (line: string) => boolean): Promise<string>;
}

/** Spawn test/helpers/spawned/lock-holder.mjs and collect its stdout lines. */
function startHolder(mode: "hold" | "race", dir: string): Child {
  const proc = spawn(process.execPath, [HOLDER_SCRIPT, mode, dir], { stdio: ["pipe", "pipe", "pipe"] });
  children.push(proc);
  proc.stdin?.on("error", () => undefined); // writes to a child that already exited
  let stderr = "";
  proc.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  createInterface({ input: proc.stdout! }).on("line", (line) => {
    lines.push(line);
    for (const wake of waiters.splice(0)) wake();
  });
  const waitForLine = (accept: (line: string) => boolean) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const found = lines.find(accept);
        if (found !== undefined) return resolve(found);
        if (proc.exitCode !== null || proc.signalCode !== null) {
          return reject(new Error(`child ${proc.pid} exited; stdout ${lines.join("|")} stderr ${stderr}`));
        }
        waiters.push(check);
      };
      proc.once("exit", () => setImmediate(check));
      check();
    });
  return { proc, lines, waitForLine };
}

/** A pid that belonged to a process on this host that has exited and been reaped. */
async function deadPid(): Promise<number> {
  const proc = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await once(proc, "exit");
  expect(isProcessAlive(proc.pid!)).toBe(false);
  return proc.pid!;
}

function lockContent(overrides: Partial<LockInfo> = {}): string {
  const info = {
    pid: process.pid,
    hostname: hostname(),
    started_at: "2026-01-02T03:04:05.000Z",
    token: randomBytes(16).toString("hex"),
    ...overrides,
  };
  return `${JSON.stringify(info)}\n`;
}

async function lockedError(promise: Promise<unknown>): Promise<SessionLockedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SessionLockedError);
  expect(error).not.toBeInstanceOf(SessionCorruptError);
  const locked = error as SessionLockedError;
  expect(locked.exitCode).toBe(75);
  expect(locked.code).toBe("E_SESSION_LOCKED");
  return locked;
}

/** Run 8 racers against `dir` behind a barrier; returns their result lines. */
async function race(dir: string): Promise<{ results: string[]; winners: Child[] }> {
  const racers = Array.from({ length: 8 }, () => startHolder("race", dir));
  await Promise.all(racers.map((r) => r.waitForLine((l) => l === "ready")));
  for (const r of racers) r.proc.stdin!.write("go\n");
  const results = await Promise.all(racers.map((r) => r.waitForLine((l) => l === "won" || l === "busy")));
  const winners = racers.filter((r) => r.lines.includes("won"));
  for (const w of winners) w.proc.stdin!.write("done\n");
  await Promise.all(winners.map((w) => w.waitForLine((l) => l === "verified" || l === "lost")));
  await Promise.all(racers.map((r) => (r.proc.exitCode === null ? once(r.proc, "exit") : undefined)));
  return { results, winners };
}

beforeAll(() => {
  if (!existsSync(COMPILED)) throw new Error(`${COMPILED} is missing: run \`npm run build\` first`);
});

afterEach(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await Promise.all(
    children.map((c) => (c.exitCode === null && c.signalCode === null ? once(c, "exit") : undefined)),
  );
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  children = [];
  dirs = [];
  hooks.afterGuard = undefined;
});

describe("acquireSessionLock", () => {
  it("creates the lock file, verifies and releases it idempotently", async () => {
    const dir = await sessionDir();
    const started = new Date("2026-03-04T05:06:07.089Z");
    const lock = await acquireSessionLock(dir, { now: () => started });
    const text = await readFile(join(dir, "lock"), "utf8");
    expect(text.endsWith("}\n")).toBe(true);
    const content = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(content)).toEqual(["pid", "hostname", "started_at", "token"]);
    expect(content).toMatchObject({
      pid: process.pid,
      hostname: hostname(),
      started_at: started.toISOString(),
    });
    expect(content.token).toMatch(/^[0-9a-f]{32}$/);
    expect(lock.info).toEqual(content);
    expect(await lock.verify()).toBe(true);
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
    expect(await lock.verify()).toBe(false);
    await lock.release();
  });

  it("refuses a second holder while the first (live) pid holds it", async () => {
    const dir = await sessionDir();
    const first = await acquireSessionLock(dir);
    const error = await lockedError(acquireSessionLock(dir, { pid: process.pid + 100_000 }));
    expect(error.message).toBe(
      `Session ${basename(dir)} is in use by process ${process.pid} on host ${hostname()} (since ${first.info.started_at})`,
    );
    expect(error.hint).toBe("Wait for it to finish, or stop that process; the session stays resumable.");
    expect(await first.verify()).toBe(true);
  });

  it("is refused while a child process holds it, and taken over after SIGKILL", async () => {
    const dir = await sessionDir();
    const holder = startHolder("hold", dir);
    await holder.waitForLine((l) => l === "locked");
    const error = await lockedError(acquireSessionLock(dir));
    expect(error.message).toContain(`process ${holder.proc.pid} on host`);
    holder.proc.kill("SIGKILL");
    await once(holder.proc, "exit");
    const lock = await acquireSessionLock(dir);
    expect(lock.info.pid).toBe(process.pid);
    expect(await readdir(dir)).toEqual(["lock"]);
    await lock.release();
  });

  it("lets exactly one of 8 racing processes take a free lock", async () => {
    const dir = await sessionDir();
    const { results, winners } = await race(dir);
    expect(results.filter((r) => r === "won")).toHaveLength(1);
    expect(winners[0]!.lines).toContain("verified");
    expect(await readdir(dir)).toEqual([]);
  });

  it("lets exactly one of 8 racing processes take over a stale lock", async () => {
    const dir = await sessionDir();
    await writeFile(join(dir, "lock"), lockContent({ pid: await deadPid() }));
    const { results, winners } = await race(dir);
    expect(results.filter((r) => r === "won")).toHaveLength(1);
    expect(winners[0]!.lines).toContain("verified");
    expect(await readdir(dir)).toEqual([]); // stale copy removed, winner released
  });

  it("re-judges the lock inside the takeover guard: a live lock that replaced the stale one stays", async () => {
    const dir = await sessionDir();
    const path = join(dir, "lock");
    await writeFile(path, lockContent({ pid: await deadPid() }));
    const live = lockContent({ started_at: "2026-05-06T07:08:09.000Z" });
    hooks.afterGuard = async () => {
      hooks.afterGuard = undefined;
      await rm(path);
      await writeFile(path, live); // another process reclaimed it first and is alive
    };
    const error = await lockedError(acquireSessionLock(dir, { pid: process.pid + 100_000 }));
    expect(error.message).toContain(
      `process ${process.pid} on host ${hostname()} (since 2026-05-06T07:08:09.000Z)`,
    );
    expect(await readdir(dir)).toEqual(["lock"]);
    expect(await readFile(path, "utf8")).toBe(live);
  });

  it("leaves a stale lock alone while another live process holds the takeover guard", async () => {
    const dir = await sessionDir();
    const stale = lockContent({ pid: await deadPid() });
    const guard = lockContent();
    await writeFile(join(dir, "lock"), stale);
    await writeFile(join(dir, "lock.takeover"), guard);
    const error = await lockedError(acquireSessionLock(dir, { pid: process.pid + 100_000 }));
    expect(error.message).toMatch(/is contended/);
    expect(await readFile(join(dir, "lock"), "utf8")).toBe(stale);
    expect(await readFile(join(dir, "lock.takeover"), "utf8")).toBe(guard);
  });

  it("clears a takeover guard left by a dead process and takes the lock over", async () => {
    const dir = await sessionDir();
    await writeFile(join(dir, "lock"), lockContent({ pid: await deadPid() }));
    await writeFile(join(dir, "lock.takeover"), lockContent({ pid: await deadPid() }));
    const lock = await acquireSessionLock(dir);
    expect(await lock.verify()).toBe(true);
    expect(await readdir(dir)).toEqual(["lock"]);
    await lock.release();
  });

  it("release leaves a lock that is no longer ours", async () => {
    const dir = await sessionDir();
    const lock = await acquireSessionLock(dir);
    const foreign = lockContent();
    await writeFile(join(dir, "lock"), foreign);
    expect(await lock.verify()).toBe(false);
    await lock.release();
    expect(await readFile(join(dir, "lock"), "utf8")).toBe(foreign);
  });

  it("verify notices a lock rewritten in place (same size) or renamed over, right after a good verify", async () => {
    const dir = await sessionDir();
    const path = join(dir, "lock");
    const lock = await acquireSessionLock(dir);
    expect(await lock.verify()).toBe(true); // remembered: the next check is one stat
    const own = await readFile(path, "utf8");
    const foreign = own.replace(/"token":"[0-9a-f]{32}"/, `"token":"${"f".repeat(32)}"`);
    expect(foreign.length).toBe(own.length);
    await writeFile(path, foreign); // same inode, same size: only the times change
    expect(await lock.verify()).toBe(false);
    await writeFile(path, own);
    expect(await lock.verify()).toBe(true);
    await writeFile(`${path}.new`, foreign);
    await rename(`${path}.new`, path);
    expect(await lock.verify()).toBe(false);
  });

  it("treats a young unreadable lock as busy and an old one as stale", async () => {
    const dir = await sessionDir();
    const path = join(dir, "lock");
    for (const torn of ["", '{"pid": 12', '{"pid":1,"hostname":"h"}']) {
      await writeFile(path, torn);
      const error = await lockedError(acquireSessionLock(dir));
      expect(error.message).toBe(`Session ${basename(dir)} is being locked by another process right now`);
      const old = new Date(Date.now() - 60_000);
      await utimes(path, old, old);
      const lock = await acquireSessionLock(dir);
      expect(await lock.verify()).toBe(true);
      expect(await readdir(dir)).toEqual(["lock"]);
      await lock.release();
    }
  });

  it("honours staleUnreadableMs", async () => {
    const dir = await sessionDir();
    await writeFile(join(dir, "lock"), "");
    const later = () => new Date(Date.now() + 2_000);
    await lockedError(acquireSessionLock(dir, { now: later, staleUnreadableMs: 5_000 }));
    const lock = await acquireSessionLock(dir, { now: later, staleUnreadableMs: 1_000 });
    await lock.release();
  });

  it("refuses a lock held on another host, even with a dead pid", async () => {
    const dir = await sessionDir();
    await writeFile(join(dir, "lock"), lockContent({ hostname: "other-host", pid: await deadPid() }));
    const error = await lockedError(acquireSessionLock(dir));
    expect(error.message).toContain("on host other-host (since 2026-01-02T03:04:05.000Z)");
    expect(error.hint).toBe(
      `If host other-host is gone, delete ${join(dir, "lock")} by hand; the session stays resumable.`,
    );
  });

  it("reports disk errors as StorageError", async () => {
    const dir = await sessionDir();
    await expect(acquireSessionLock(join(dir, "missing"))).rejects.toBeInstanceOf(StorageError);
  });
});

describe("readSessionLock", () => {
  it("reports free, held and stale", async () => {
    const dir = await sessionDir();
    const path = join(dir, "lock");
    expect(await readSessionLock(dir)).toEqual({ state: "free" });

    const lock = await acquireSessionLock(dir);
    expect(await readSessionLock(dir)).toEqual({ state: "held", holder: lock.info });
    expect(await readSessionLock(dir, { hostname: "elsewhere" })).toEqual({
      state: "held",
      holder: lock.info,
    });
    await lock.release();

    const pid = await deadPid();
    await writeFile(path, lockContent({ pid }));
    expect(await readSessionLock(dir)).toMatchObject({
      state: "stale",
      holder: { pid },
      reason: expect.any(String),
    });
    expect(await readSessionLock(dir, { hostname: "elsewhere" })).toMatchObject({ state: "held" });

    await writeFile(path, "{");
    expect(await readSessionLock(dir)).toMatchObject({ state: "held", reason: expect.any(String) });
    const old = new Date(Date.now() - 60_000);
    await utimes(path, old, old);
    const stale = await readSessionLock(dir);
    expect(stale).toMatchObject({ state: "stale", reason: expect.stringContaining("unreadable") });
    expect(stale).not.toHaveProperty("holder");
    expect(await readFile(path, "utf8")).toBe("{"); // reading never modifies
  });
});

describe("isProcessAlive", () => {
  it("knows this process, and a reaped child is gone", async () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(await deadPid())).toBe(false);
    expect(isProcessAlive(0)).toBe(false);
    expect(isProcessAlive(-1)).toBe(false);
  });
});
