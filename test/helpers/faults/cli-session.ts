import { existsSync } from "node:fs";
import { cp, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Simulator } from "../../../src/simulator/server.js";
import { comparableOutput, simFlags, simulatorFor, writeInput } from "../e2e.js";
import { runCli, spawnCli } from "../run-cli.js";

/**
 * A real session written by the built binary against the simulator: interrupted by SIGINT (so
 * generation 1 and checkpoint.json.bak exist), resumed and killed with SIGKILL mid-run (so the
 * journal holds batches, and the dead process's lock stays). `golden` is an uninterrupted run's output.
 */

export const CLI_SESSION_ID = "cli_session";
const PAPERS = 60;

export interface CliSession {
  /** The checkpoint dir holding the pristine session (never modified: cases copy it). */
  baseDir: string;
  input: string;
  golden: string;
  /** A fast simulator for the cases' resumes. */
  sim: Simulator;
}

export async function buildCliSession(root: string): Promise<CliSession> {
  const input = await writeInput(root, PAPERS);
  const sim = await simulatorFor();
  const goldenRun = await runCli(
    [
      "consolidate",
      "--input",
      input,
      "--output",
      "golden.json",
      "--checkpoint-dir",
      "golden",
      // The oracle fills no cache: the session below must make its own requests.
      "--no-cache",
      ...simFlags(sim),
    ],
    { cwd: root },
  );
  if (goldenRun.code !== 0) throw new Error(`golden run failed: ${goldenRun.stderr}`);
  const golden = await comparableOutput(path.join(root, "golden.json"));

  let hook: () => void = () => undefined;
  const slow = await simulatorFor({ latencyMs: 20, onRequest: () => hook() });
  const baseDir = path.join(root, "pristine");
  const args = [
    "consolidate",
    "--input",
    input,
    "--output",
    "out.json",
    "--session-id",
    CLI_SESSION_ID,
    "--checkpoint-dir",
    baseDir,
    "--checkpoint-interval",
    "0",
    ...simFlags(slow),
  ];
  const dir = path.join(baseDir, CLI_SESSION_ID);
  let seen = 0;
  let first: ReturnType<typeof spawnCli> | undefined;
  hook = () => {
    seen += 1;
    if (seen === 6) first?.child.kill("SIGINT");
  };
  first = spawnCli(args, { cwd: root });
  if ((await first.exited).code !== 130) throw new Error(`the SIGINT run did not stop: ${first.stderr()}`);
  hook = () => undefined;
  // The resume is killed before its 19th file operation: after opening (12 operations: the journal's
  // truncate and reopen, session.json) and three journal appends (write + fsync each), whatever the load.
  const second = spawnCli([...args, "--resume"], { cwd: root, hooks: { killAtOp: 19 } });
  if ((await second.exited).signal !== "SIGKILL")
    throw new Error(`the resume was not killed: ${second.stderr()}`);
  const journal = await readFile(path.join(dir, "journal.jsonl"), "utf8");
  if (journal === "" || !existsSync(path.join(dir, "checkpoint.json.bak"))) {
    throw new Error(`the CLI session lacks a journal or a .bak: ${(await readdir(dir)).join(", ")}`);
  }
  return { baseDir, input, golden, sim };
}

/** Copy the pristine CLI session into `checkpointDir`. */
export async function copyCliSession(session: CliSession, checkpointDir: string): Promise<string> {
  const dir = path.join(checkpointDir, CLI_SESSION_ID);
  await cp(path.join(session.baseDir, CLI_SESSION_ID), dir, { recursive: true });
  return dir;
}

/** `cf consolidate --resume` of the copied session into `output`. */
export function resumeCli(session: CliSession, checkpointDir: string, output: string) {
  return runCli([
    "consolidate",
    "--resume",
    "--session-id",
    CLI_SESSION_ID,
    "--input",
    session.input,
    "--output",
    output,
    "--checkpoint-dir",
    checkpointDir,
    ...simFlags(session.sim, 200),
  ]);
}

/** `cf consolidate-sessions list --all --json`: the copied session's entry. */
export async function listCli(checkpointDir: string): Promise<Record<string, unknown>> {
  const run = await runCli([
    "consolidate-sessions",
    "list",
    "--all",
    "--json",
    "--checkpoint-dir",
    checkpointDir,
  ]);
  if (run.code !== 0) throw new Error(`list exited ${run.code}: ${run.stderr}`);
  const entry = (JSON.parse(run.stdout) as Array<Record<string, unknown>>).find(
    (s) => s.session_id === CLI_SESSION_ID,
  );
  if (!entry) throw new Error(`list does not show ${CLI_SESSION_ID}: ${run.stdout}`);
  return entry;
}
