import { cp, mkdir, mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CfError, SessionCorruptError } from "../../src/errors.js";
import { mulberry32, pick } from "../../src/simulator/prng.js";
import { CheckpointManager } from "../../src/storage/checkpoint-manager.js";
import { inspectSession } from "../../src/storage/session-catalog.js";
import { comparableOutput, duplicateRecords } from "../helpers/e2e.js";
import {
  buildCliSession,
  CLI_SESSION_ID,
  copyCliSession,
  listCli,
  resumeCli,
} from "../helpers/faults/cli-session.js";
import {
  type Case,
  contentsOf,
  damage,
  deadLockText,
  journalPrefixState,
  leftovers,
  regressions,
  unchanged,
} from "../helpers/faults/corruption-cases.js";
import { judge, type Observation } from "../helpers/faults/corruption-oracle.js";
import {
  DAMAGE_KINDS,
  DAMAGED_FILES,
  type DamagedFile,
  describeDamage,
  planDamage,
  planDamages,
} from "../helpers/faults/damage.js";
import {
  buildFakeSession,
  type Fingerprint,
  fingerprint,
  noSyncFs,
  runToEnd,
  SESSION_ID,
} from "../helpers/faults/fake-session.js";
import { runCases, SEED, size, TIER } from "../helpers/faults/tier.js";
import { testdir } from "../helpers/testdir.js";

/**
 * Suite "corruption": one damage (truncation, flipped byte, wrong type, empty, deleted) to one file of
 * a real session, then the catalog and a resume, judged by test/helpers/faults/corruption-oracle.ts. Most cases
 * run in-process on a fake-source session; a seeded sample runs the built binary on a CLI session.
 */

describe("fault suite: corrupted session files", () => {
  it(
    "recovers with a warning or refuses naming the file (directory unchanged), never silently",
    async () => {
      const root = await testdir("cf-corruption-");
      const fake = await buildFakeSession(path.join(root, "fake"));
      const golden = await runToEnd(path.join(root, "golden"), path.join(root, "golden.json"), {
        kind: "new",
        sessionId: "golden",
      });
      await mkdir(path.join(root, "cli"));
      const cli = await buildCliSession(path.join(root, "cli"));
      const lockText = deadLockText();
      const random = mulberry32(SEED);
      const total = size("corruption", 300, 3000);
      const viaCli = Math.min(total, size("corruption_cli", 5, 42));
      const fakeContents = await contentsOf(fake.sessionDir, lockText);
      const cliContents = await contentsOf(path.join(cli.baseDir, CLI_SESSION_ID), lockText);
      const cases: Case[] = [
        ...regressions(fakeContents).map((d) => ({ ...d, via: "lib" as const, oldLock: false })),
        ...planDamages(random, fakeContents, total - viaCli).map((d) => ({
          ...d,
          via: "lib" as const,
          oldLock: random() < 0.5,
        })),
        ...Array.from({ length: viaCli }, (_, i) => {
          const file = DAMAGED_FILES[i % DAMAGED_FILES.length] as DamagedFile;
          const d = planDamage(random, file, pick(random, DAMAGE_KINDS), cliContents[file]);
          return { ...d, via: "cli" as const, oldLock: random() < 0.5 };
        }),
      ];
      const prefixes = new Map<number, Promise<Fingerprint>>();
      const prefixState = (lines: number) => {
        if (!prefixes.has(lines)) prefixes.set(lines, journalPrefixState(fake, root, lines));
        return prefixes.get(lines) as Promise<Fingerprint>;
      };

      const checkLib = async (c: Case, work: string): Promise<string[]> => {
        const base = path.join(work, "ck");
        await cp(fake.baseDir, base, { recursive: true });
        const dir = path.join(base, SESSION_ID);
        const damaged = await damage(dir, c, lockText);
        const { applied, lock } = damaged;
        const catalog = await inspectSession(dir).then(
          (s) => ({ status: s.status, problem: s.problem }),
          (e: unknown) => ({ threw: String(e) }),
        );
        const opened = await CheckpointManager.open({
          baseDir: base,
          sessionId: SESSION_ID,
          fs: noSyncFs,
        }).catch((e: unknown) => e);
        let resume: Observation["resume"];
        if (opened instanceof CheckpointManager) {
          const state = fingerprint(opened);
          const warnings = [...opened.warnings];
          await opened.close();
          const output = await runToEnd(base, path.join(work, "out.json"), {
            kind: "resume",
            sessionId: SESSION_ID,
          });
          resume = { kind: "resumed", warnings, state, output };
        } else {
          resume = {
            kind: "refused",
            exitCode: opened instanceof CfError ? opened.exitCode : -1,
            message: opened instanceof Error ? opened.message : String(opened),
            corruptError: opened instanceof SessionCorruptError,
            unchanged: await unchanged(dir, damaged),
          };
        }
        const journalCut = c.file === "journal.jsonl" ? await prefixState(applied.firstLine) : undefined;
        const problems = judge(
          c,
          applied,
          { catalog, resume },
          {
            golden,
            min: c.file === "checkpoint.json" ? fake.generation1 : (journalCut ?? fake.full),
            exact: journalCut && applied.atLineBoundary ? journalCut : fake.full,
            ...(lock ? { lock } : {}),
          },
        );
        if (resume.kind === "resumed")
          problems.push(...(await leftovers(dir)).map((n) => `left ${n} behind`));
        return problems;
      };

      const checkCli = async (c: Case, work: string): Promise<string[]> => {
        const ck = path.join(work, "ck");
        const dir = await copyCliSession(cli, ck);
        const damaged = await damage(dir, c, lockText);
        const { applied, lock } = damaged;
        const catalog = await listCli(ck).then(
          (s) => ({ status: String(s.status), problem: (s.problem as string | null) ?? null }),
          (e: unknown) => ({ threw: String(e) }),
        );
        const out = path.join(work, "out.json");
        const run = await resumeCli(cli, ck, out);
        const resume: Observation["resume"] =
          run.code === 0
            ? {
                kind: "resumed",
                warnings: run.stderr.split("\n").filter((l) => l.includes("warning:")),
                output: await comparableOutput(out),
              }
            : {
                kind: "refused",
                exitCode: run.code,
                message: run.stderr,
                corruptError: run.code === 1 && !run.stderr.includes("unexpected error"),
                unchanged: await unchanged(dir, damaged),
              };
        const problems = judge(
          c,
          applied,
          { catalog, resume },
          { golden: cli.golden, ...(lock ? { lock } : {}) },
        );
        if (run.code === 0) {
          problems.push(...(await duplicateRecords(out)).map((d) => `duplicate records in ${d}`));
          problems.push(...(await leftovers(dir)).map((n) => `left ${n} behind`));
        }
        return problems;
      };

      const failures = await runCases("corruption", cases, async (c, index) => {
        const work = await mkdtemp(path.join(root, "case-"));
        try {
          const problems = c.via === "cli" ? await checkCli(c, work) : await checkLib(c, work);
          if (problems.length > 0) {
            throw new Error(
              `seed ${SEED} case ${index} [${c.via}] ${describeDamage(c)}: ${problems.join("; ")}`,
            );
          }
        } finally {
          await rm(work, { recursive: true, force: true });
        }
      });
      expect(failures).toEqual([]);
    },
    TIER === "full" ? 3_600_000 : 300_000,
  );
});
