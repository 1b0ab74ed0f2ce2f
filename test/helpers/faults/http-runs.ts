import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { decideFault, FAULT_KINDS, type FaultKind } from "../../../src/simulator/faults.js";
import { inspectSession } from "../../../src/storage/session-catalog.js";
import { comparableOutput, simFlags, simulatorFor, writeInput } from "../e2e.js";
import { runCli } from "../run-cli.js";
import { testdir } from "../testdir.js";

/** Helpers of the HTTP fault suite: golden outputs, seeds, resumes and leak checks. */

/** The output of an uninterrupted fault-free run on `papers` generated papers (seed 7). */
export async function goldenFor(papers: number): Promise<string> {
  const dir = await testdir("cf-http-golden-");
  const input = await writeInput(dir, papers);
  const sim = await simulatorFor();
  const run = await runCli(["consolidate", "--input", input, "-o", "out.json", ...simFlags(sim)], {
    cwd: dir,
  });
  if (run.code !== 0) throw new Error(`golden run failed: ${run.stderr}`);
  return comparableOutput(path.join(dir, "out.json"));
}

/**
 * The first fault seed from `start` on whose first `requests` request numbers draw every fault kind
 * at `rate`, so each mixed case meets all of them (the faults depend only on seed and request number).
 */
export function coveringSeed(start: number, rate: number, requests: number): number {
  for (let seed = start; ; seed++) {
    const kinds = new Set<FaultKind | undefined>();
    for (let n = 0; n < requests; n++) kinds.add(decideFault({ rate, seed }, n));
    if (FAULT_KINDS.every((k) => kinds.has(k))) return seed;
  }
}

/** Resume the run in `dir` against a fault-free simulator; the output must then be `golden`. */
export async function resumeToGolden(dir: string, args: string[], golden: string, extra: string[] = []) {
  const sim = await simulatorFor();
  const run = await runCli([...args, "--resume", ...simFlags(sim), ...extra], { cwd: dir });
  if (run.code !== 0) throw new Error(`the fault-free resume exited ${run.code}: ${run.stderr}`);
  if ((await comparableOutput(path.join(dir, "out.json"))) !== golden) {
    throw new Error("after the fault-free resume the output differs from the golden run");
  }
  return run;
}

/** The single session under `dir`'s default checkpoint directory, summarised. */
export async function onlySession(dir: string) {
  const base = path.join(dir, ".cf_state", "consolidate");
  const ids = await readdir(base);
  if (ids.length !== 1) throw new Error(`expected one session, found ${ids.join(", ")}`);
  return inspectSession(path.join(base, ids[0]!));
}

/** Files under `dir` (recursively) whose bytes contain `secret`. */
export async function filesContaining(dir: string, secret: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if ((await readFile(file)).includes(secret)) found.push(path.relative(dir, file));
  }
  return found;
}
