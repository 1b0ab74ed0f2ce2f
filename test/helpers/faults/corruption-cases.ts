import { spawnSync } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm, truncate, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { CheckpointManager } from "../../../src/storage/checkpoint-manager.js";
import { lockExpectation } from "./corruption-oracle.js";
import {
  type Applied,
  applyDamage,
  DAMAGED_FILES,
  type Damage,
  type DamagedFile,
  dirDigest,
} from "./damage.js";
import { type FakeSession, type Fingerprint, fingerprint, noSyncFs, SESSION_ID } from "./fake-session.js";

/** Preparing one corruption case: the damaged copy, what its lock must do, and what must not change. */

export type Case = Damage & { via: "lib" | "cli"; oldLock: boolean };

/** A valid lock of a process that has exited, on this host: what a crashed run leaves behind. */
export function deadLockText(): string {
  const pid = spawnSync(process.execPath, ["-e", ""]).pid;
  const token = "0123456789abcdef".repeat(2);
  return `${JSON.stringify({ pid, hostname: hostname(), started_at: new Date().toISOString(), token })}\n`;
}

export async function contentsOf(dir: string, lockText: string): Promise<Record<DamagedFile, Buffer>> {
  const entries = await Promise.all(
    DAMAGED_FILES.map(async (f) => [
      f,
      f === "lock" ? Buffer.from(lockText) : await readFile(path.join(dir, f)),
    ]),
  );
  return Object.fromEntries(entries);
}

export interface Damaged {
  applied: Applied;
  lock?: "free" | "busy";
  /** The session directory's digest (a stale lock left out) and whether one was there. */
  digest: string;
  staleLock: boolean;
}

/** Damage the session in `dir` (writing the dead lock first for lock cases); returns what the lock must do. */
export async function damage(dir: string, c: Case, lockText: string): Promise<Damaged> {
  const lockPath = path.join(dir, "lock");
  if (c.file === "lock") await writeFile(lockPath, lockText);
  const applied = await applyDamage(dir, c);
  const text = await readFile(lockPath, "utf8").catch(() => undefined);
  const past = new Date(Date.now() - 60_000);
  if (c.file === "lock" && text !== undefined && c.oldLock) await utimes(lockPath, past, past);
  const lock = lockExpectation(text, c.file !== "lock" || c.oldLock);
  const staleLock = text !== undefined && lock === "free";
  const digest = await dirDigest(dir, staleLock);
  return { applied, digest, staleLock, ...(c.file === "lock" ? { lock } : {}) };
}

/** A refusal changed nothing (and released any stale lock it had to take over). */
export async function unchanged(dir: string, before: Damaged): Promise<boolean> {
  const names = await readdir(dir);
  return (
    (await dirDigest(dir, before.staleLock)) === before.digest &&
    !(before.staleLock && names.includes("lock"))
  );
}

/** Leftovers a finished resume must not leave: its lock, a moved-aside lock, temp files. */
export async function leftovers(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.startsWith("lock") || n.endsWith(".tmp"));
}

/** Damages that found bugs once (seed 20261125, full tier), kept in every tier. */
export function regressions(contents: Record<DamagedFile, Buffer>): Damage[] {
  const format = contents["checkpoint.json"].indexOf('"cf-checkpoint"') + 3;
  return [
    // A damaged `format` made checkpoint.json pass for the Python tool's: "cf cannot continue it".
    { file: "checkpoint.json", kind: "flip", offset: format, mask: 4 },
    { file: "checkpoint.json", kind: "wrong-type", path: ["format"], value: 1.5 },
    // A deleted papers file was an "unexpected error" (raw ENOENT) instead of a named corruption.
    { file: "papers_enriched.json", kind: "delete" },
    // A deleted session.json was listed as resumable; a deleted journal went unnoticed.
    { file: "session.json", kind: "delete" },
    { file: "journal.jsonl", kind: "delete" },
  ];
}

/** The state of the pristine session with only its first `lines` journal records. */
export async function journalPrefixState(
  fake: FakeSession,
  root: string,
  lines: number,
): Promise<Fingerprint> {
  const work = await mkdtemp(path.join(root, "prefix-"));
  try {
    await cp(fake.baseDir, work, { recursive: true });
    const journal = path.join(work, SESSION_ID, "journal.jsonl");
    const bytes = await readFile(journal);
    let offset = 0;
    for (let line = 0; line < lines && offset < bytes.length; line += 1) {
      const newline = bytes.indexOf(0x0a, offset);
      offset = newline === -1 ? bytes.length : newline + 1;
    }
    await truncate(journal, offset);
    const manager = await CheckpointManager.open({ baseDir: work, sessionId: SESSION_ID, fs: noSyncFs });
    const state = fingerprint(manager);
    await manager.close();
    return state;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
