import { existsSync } from "node:fs";
import { cp, mkdtemp } from "node:fs/promises";
import path from "node:path";
import { consolidate } from "../../../src/core/consolidate.js";
import { toBatchInput } from "../../../src/core/engine.js";
import { SessionCorruptError } from "../../../src/errors.js";
import { CheckpointManager } from "../../../src/storage/checkpoint-manager.js";
import type { StorageFs } from "../../../src/storage/fs.js";
import { fakeSource } from "../fake-source.js";
import { errorProblems, faultyFs, type Injection, mixProblems, tempFiles } from "./disk-faults.js";
import {
  type FakeSession,
  type Fingerprint,
  fakeInput,
  finalClients,
  fingerprint,
  noSyncFs,
  runToEnd,
  SESSION_ID,
  sameContent,
} from "./fake-session.js";

/**
 * The in-process disk-fault checks: one faulted operation of a CheckpointManager (open, snapshot,
 * journal append) on a copy of the fake session, or one faulted core consolidate() run.
 */

export type Target = "open" | "snapshot" | "append";
export const RUN_PAPERS = 9;
const RUN_SESSION = "disk";

/** A consolidate() request for the run cases: new session "disk" of RUN_PAPERS papers. */
export function runRequest(baseDir: string, outputFile: string, fs: StorageFs) {
  return {
    input: fakeInput(RUN_PAPERS),
    baseDir,
    session: { kind: "new" as const, sessionId: RUN_SESSION },
    clients: finalClients(),
    outputFile,
    checkpointIntervalMinutes: 0,
    options: {},
    concurrency: 1,
    fs,
  };
}

/** The extra batch an append case journals (OpenAlex, papers 18-20, not yet done in the fake session). */
async function extraBatch() {
  const batch = fakeInput().papers.slice(18, 21);
  const client = fakeSource("openalex", { unknown: new Set(["P0004"]) }).client;
  return toBatchInput("openalex", await client.lookupBatch(batch));
}

/** Open the session in `base` and run `target` with the fault armed just for it (for open: from the start). */
export async function operate(base: string, target: Target, injection: Injection | undefined) {
  const fault = faultyFs(injection, target === "open");
  let error: unknown;
  try {
    const manager = await CheckpointManager.open({ baseDir: base, sessionId: SESSION_ID, fs: fault.fs });
    fault.arm();
    if (target === "snapshot") await manager.snapshot().catch((e: unknown) => (error = e));
    if (target === "append") await manager.recordBatch(await extraBatch()).catch((e: unknown) => (error = e));
    await manager.close(); // the disk may still be full: closing must work all the same
  } catch (e) {
    error ??= e;
  }
  fault.disarm();
  return { error, count: fault.count, hit: fault.hit };
}

/** Problems with how a faulted operation ended: a clear StorageError, or success only when nothing mattered. */
function endingProblems(
  error: unknown,
  fault: { hit: { op: string; path: string } | undefined },
  c: Injection,
  work: string,
) {
  if (error !== undefined) return errorProblems(error, c.code, work);
  // Closing the journal's old descriptor after the file was replaced loses nothing (every append was fsynced).
  if (fault.hit?.op === "close" && fault.hit.path.endsWith("journal.jsonl")) return [];
  return [`succeeded although ${fault.hit ? `${fault.hit.op} ${fault.hit.path}` : "nothing"} failed`];
}

async function copyOf(base: string, work: string, sessionId: string): Promise<string> {
  const copy = await mkdtemp(path.join(work, "copy-"));
  await cp(path.join(base, sessionId), path.join(copy, sessionId), { recursive: true });
  return copy;
}

export async function stateOf(base: string, sessionId = SESSION_ID): Promise<Fingerprint> {
  const manager = await CheckpointManager.open({ baseDir: base, sessionId, fs: noSyncFs });
  const state = fingerprint(manager);
  await manager.close();
  return state;
}

/** The next start removes temp files; a plain resume then completes with the golden output. */
async function resumeProblems(
  base: string,
  sessionId: string,
  work: string,
  golden: string,
  papers?: number,
) {
  const problems: string[] = [];
  const manager = await CheckpointManager.open({ baseDir: base, sessionId, fs: noSyncFs });
  const temps = await tempFiles(path.join(base, sessionId));
  await manager.close();
  if (temps.length > 0) problems.push(`temp files left after the next start: ${temps.join(", ")}`);
  const output = await runToEnd(
    base,
    path.join(work, "resumed.json"),
    { kind: "resume", sessionId },
    undefined,
    papers,
  );
  if (output !== golden) problems.push("the resumed output differs from the golden output");
  return problems;
}

export interface ManagerContext {
  fake: FakeSession;
  golden: string;
  /** The fake session's state with the extra batch journaled. */
  afterAppend: Fingerprint;
}

/** A faulted open / snapshot / append: the generation on disk is the state before or after, never a mix. */
export async function checkManagerCase(ctx: ManagerContext, c: Injection & { target: Target }, work: string) {
  const base = path.join(work, "ck");
  await cp(ctx.fake.baseDir, base, { recursive: true });
  const outcome = await operate(base, c.target, c);
  const problems = endingProblems(outcome.error, outcome, c, work);
  const state = await stateOf(await copyOf(base, work, SESSION_ID)).catch((e: unknown) => e as Error);
  if (state instanceof Error) return [...problems, `the previous generation does not load: ${state.message}`];
  const allowed = c.target === "append" ? [ctx.fake.full, ctx.afterAppend] : [ctx.fake.full];
  if (!allowed.some((s) => sameContent(s, state))) problems.push("the state on disk mixes before and after");
  if (state.generation !== 2 && !(c.target === "snapshot" && state.generation === 3)) {
    problems.push(`generation ${state.generation} on disk`);
  }
  problems.push(...(await resumeProblems(base, SESSION_ID, work, ctx.golden)));
  return problems;
}

/** A faulted consolidate() run: its last generation loads, is consistent, and resumes to the golden output. */
export async function checkRunCase(golden: string, c: Injection, work: string): Promise<string[]> {
  const base = path.join(work, "ck");
  const fault = faultyFs(c);
  const error = await consolidate(runRequest(base, path.join(work, "out", "out.json"), fault.fs)).then(
    () => undefined,
    (e: unknown) => e,
  );
  const problems = endingProblems(error, fault, c, work);
  const dir = path.join(base, RUN_SESSION);
  if (!existsSync(path.join(dir, "checkpoint.json"))) {
    // The fault hit before generation 0 was committed: there is no previous generation to keep, the
    // half-made session must refuse to resume (it is listed as pending), and a new session works.
    if (existsSync(dir)) {
      const refused = await CheckpointManager.open({
        baseDir: base,
        sessionId: RUN_SESSION,
        fs: noSyncFs,
      }).then(
        async (m) => {
          await m.close();
          return false;
        },
        (e: unknown) => e instanceof SessionCorruptError,
      );
      if (!refused) problems.push("a session without a checkpoint did not refuse to resume");
    }
    const fresh = await runToEnd(
      base,
      path.join(work, "new.json"),
      { kind: "new", sessionId: "d2" },
      undefined,
      RUN_PAPERS,
    );
    if (fresh !== golden) problems.push("a new session after the failure differs from the golden output");
    return problems;
  }
  const state = await stateOf(await copyOf(base, work, RUN_SESSION), RUN_SESSION).catch(
    (e: unknown) => e as Error,
  );
  if (state instanceof Error) return [...problems, `the previous generation does not load: ${state.message}`];
  problems.push(...mixProblems(state));
  problems.push(...(await resumeProblems(base, RUN_SESSION, work, golden, RUN_PAPERS)));
  return problems;
}
