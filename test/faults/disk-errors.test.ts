import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { consolidate } from "../../src/core/consolidate.js";
import { mulberry32 } from "../../src/simulator/prng.js";
import {
  checkManagerCase,
  checkRunCase,
  operate,
  RUN_PAPERS,
  runRequest,
  stateOf,
  type Target,
} from "../helpers/faults/disk-checks.js";
import { type DiskCode, faultyFs, type Injection } from "../helpers/faults/disk-faults.js";
import { buildFakeSession, runToEnd } from "../helpers/faults/fake-session.js";
import { checkRealCase, prepareRealRun, type RealKind, type RealRun } from "../helpers/faults/real-disk.js";
import { runCases, SEED, size, TIER } from "../helpers/faults/tier.js";
import { testdir } from "../helpers/testdir.js";

/**
 * Suite "disk": ENOSPC and EIO at every mutating operation (transient and persistent) of opening a
 * session, a snapshot and a journal append (CheckpointManager), and of a whole core consolidate() run;
 * plus really full disks through the binary (a small tmpfs for the sessions or the output, ulimit -f).
 * Each must end with a "disk full" / "I/O error" error naming the file, leave a loadable generation
 * that is the state before or after the operation (never a mix), and resume to the golden output with
 * no temp file left after the next start. The full tier runs every operation; CI a seeded sample.
 */

type DiskCase =
  | ({ scope: "manager"; target: Target } & Injection)
  | ({ scope: "run" } & Injection)
  | { scope: "real"; kind: RealKind };

const CODES: DiskCode[] = ["ENOSPC", "EIO"];
const TARGETS: Target[] = ["open", "snapshot", "append"];

/** Seeded Fisher-Yates: the CI tier's sample of the enumerated cases. */
function sample<T>(items: T[], count: number, seed: number): T[] {
  const random = mulberry32(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy.slice(0, count);
}

/** Descriptors this process has open (Linux; 0 elsewhere, which disables the check). */
async function openDescriptors(): Promise<number> {
  return (await readdir("/proc/self/fd").catch(() => [])).length;
}

describe("fault suite: disk errors", () => {
  it(
    "ENOSPC/EIO at every operation: a clear error, the previous generation intact, a clean resume",
    async () => {
      const root = await testdir("cf-disk-");
      const fake = await buildFakeSession(path.join(root, "fake"));
      const golden = await runToEnd(path.join(root, "g"), path.join(root, "g.json"), {
        kind: "new",
        sessionId: "g",
      });
      const run = { kind: "new" as const, sessionId: "g9" };
      const golden9 = await runToEnd(
        path.join(root, "g9"),
        path.join(root, "g9.json"),
        run,
        undefined,
        RUN_PAPERS,
      );

      // Count each operation's mutating file operations on a clean copy (no fault).
      const counts: Record<string, number> = {};
      const copy = async () => {
        const base = await mkdtemp(path.join(root, "count-"));
        await cp(fake.baseDir, base, { recursive: true });
        return base;
      };
      for (const target of TARGETS) counts[target] = (await operate(await copy(), target, undefined)).count;
      const appended = await copy();
      await operate(appended, "append", undefined);
      const afterAppend = await stateOf(appended);
      const traced = faultyFs(undefined);
      const traceBase = await mkdtemp(path.join(root, "count-"));
      await consolidate(runRequest(traceBase, path.join(traceBase, "out", "out.json"), traced.fs));
      const at = (op: string, end: string) =>
        traced.trace.findIndex((o) => o.op === op && o.path.endsWith(end));
      const firstPapersWrite = traced.trace.findIndex(
        (o) => o.op === "write" && o.path.includes(".papers_enriched"),
      );

      const all: DiskCase[] = [];
      for (const code of CODES) {
        for (const persistent of [false, true]) {
          for (const target of TARGETS) {
            for (let index = 0; index < (counts[target] ?? 0); index += 1) {
              all.push({ scope: "manager", target, index, code, persistent });
            }
          }
          for (let index = 0; index < traced.count; index += 1)
            all.push({ scope: "run", index, code, persistent });
        }
      }
      const cases: DiskCase[] = [
        // Found by this suite, kept in every tier: an append after a failed journal fsync reused its
        // sequence number (the session no longer loaded); a failed output mkdir was an unexpected error.
        { scope: "run", index: at("fsync", "journal.jsonl"), code: "EIO", persistent: false },
        { scope: "run", index: at("fsync", "journal.jsonl"), code: "ENOSPC", persistent: false },
        { scope: "run", index: at("mkdir", `${path.sep}out`), code: "ENOSPC", persistent: true },
        // ...and a failed journal truncate, directory sync, session.json write (open) or first snapshot
        // (create) left the journal's file descriptor open.
        { scope: "manager", target: "open", index: 1, code: "EIO", persistent: false },
        { scope: "manager", target: "open", index: 5, code: "ENOSPC", persistent: false },
        { scope: "manager", target: "open", index: 6, code: "ENOSPC", persistent: true },
        { scope: "run", index: firstPapersWrite, code: "ENOSPC", persistent: true },
        ...sample(all, size("disk", 90, 100_000), SEED),
        { scope: "real", kind: "tmpfs-session" },
        { scope: "real", kind: "tmpfs-output" },
        { scope: "real", kind: "ulimit" },
      ];

      let realRun: RealRun | undefined;
      const skipped: string[] = [];
      const failures = await runCases("disk", cases, async (c, index) => {
        const work = await mkdtemp(path.join(root, "case-"));
        const descriptors = await openDescriptors();
        try {
          let problems: string[];
          if (c.scope === "manager")
            problems = await checkManagerCase({ fake, golden, afterAppend }, c, work);
          else if (c.scope === "run") problems = await checkRunCase(golden9, c, work);
          else {
            realRun ??= await prepareRealRun(root);
            const result = await checkRealCase(realRun, c.kind, work);
            if (result.skipped) skipped.push(result.skipped);
            problems = result.problems;
          }
          // A failed operation must not leave a file open (only in-process cases: the binary exits).
          const leaked = c.scope === "real" ? 0 : (await openDescriptors()) - descriptors;
          if (leaked > 0) problems.push(`${leaked} file descriptor(s) left open`);
          if (problems.length > 0) throw new Error(`seed ${SEED} case ${index}: ${problems.join("; ")}`);
        } finally {
          await rm(work, { recursive: true, force: true });
        }
      });
      // Where a tmpfs cannot be mounted (not root), say so: the seam and ulimit cases still ran.
      if (skipped.length > 0) console.warn(`disk suite: skipped ${skipped.join("; ")}`);
      expect(failures).toEqual([]);
    },
    TIER === "full" ? 1_800_000 : 240_000,
  );
});
