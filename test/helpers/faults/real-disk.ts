import { execFile, execFileSync } from "node:child_process";
import { cp, mkdir, readdir, rm } from "node:fs/promises";
import path from "node:path";
import type { Simulator } from "../../../src/simulator/server.js";
import { CheckpointManager } from "../../../src/storage/checkpoint-manager.js";
import { comparableOutput, simFlags, simulatorFor, writeInput } from "../e2e.js";
import { type CliRun, runCli } from "../run-cli.js";

/**
 * Real full file systems for the binary: a small tmpfs (needs root: `mount -t tmpfs`) holding the
 * checkpoint directory or the output, and `ulimit -f` (EFBIG, no root needed). /dev/full cannot serve:
 * every session and output write goes to a temp file beside its target and is renamed over it, so a
 * device or symlink as target is replaced, never written to (and as root that would replace /dev/full).
 */

const BIN = path.resolve(import.meta.dirname, "../../../bin/cf.js");

/** Mount a tmpfs of `bytes` at `dir`; false (with the reason) where this machine does not allow it. */
export function mountTmpfs(dir: string, bytes: number): { ok: true } | { ok: false; reason: string } {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", dir], { stdio: "pipe" });
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: (error as { stderr?: Buffer }).stderr?.toString().trim() || String(error) };
  }
}

export function resizeTmpfs(dir: string, bytes: number): void {
  execFileSync("mount", ["-o", `remount,size=${bytes}`, dir], { stdio: "pipe" });
}

export function unmount(dir: string): void {
  execFileSync("umount", [dir], { stdio: "pipe" });
}

/** `cf consolidate` with a file-size limit on the process (`sh` counts ulimit -f in 512-byte blocks). */
export function runCliLimited(args: string[], fileSizeBytes: number, cwd: string): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.FORCE_COLOR;
  delete env.CF_CHECKPOINT_DIR;
  const script = `ulimit -f ${Math.ceil(fileSizeBytes / 512)}; exec "$0" "$@"`;
  return new Promise((resolve) => {
    execFile(
      "sh",
      ["-c", script, process.execPath, BIN, ...args],
      { cwd, env, timeout: 30_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

export interface RealRun {
  sim: Simulator;
  input: string;
  golden: string;
}

export function consolidateArgs(
  run: RealRun,
  checkpointDir: string,
  output: string,
  extra: string[] = [],
): string[] {
  return [
    "consolidate",
    "--input",
    run.input,
    "--output",
    output,
    "--checkpoint-dir",
    checkpointDir,
    "--checkpoint-interval",
    "0",
    ...extra,
    ...simFlags(run.sim, 200),
  ];
}

/**
 * After a run that hit a full disk: the session's previous generation loads (on a copy, so nothing is
 * changed), a plain resume completes with the golden output, and no temp file is left after that start.
 */
export async function checkAfterFullDisk(
  run: RealRun,
  failed: CliRun,
  checkpointDir: string,
  work: string,
  expect: RegExp,
): Promise<string[]> {
  const problems: string[] = [];
  if (failed.code === 0) return ["the run succeeded although the disk was full"];
  if (failed.code !== 1) problems.push(`exit ${failed.code}, not 1`);
  if (!expect.test(failed.stderr)) problems.push(`no ${expect} message: ${failed.stderr.slice(-400)}`);
  if (/unexpected error/.test(failed.stderr))
    problems.push(`an unexpected error: ${failed.stderr.slice(-400)}`);
  const [sessionId] = await readdir(checkpointDir);
  if (!sessionId) return [...problems, "no session was created"];
  const copy = path.join(work, "copy");
  await mkdir(copy, { recursive: true });
  await cp(path.join(checkpointDir, sessionId), path.join(copy, sessionId), { recursive: true });
  try {
    const manager = await CheckpointManager.open({ baseDir: copy, sessionId });
    await manager.close();
  } catch (error) {
    problems.push(`the previous generation does not load: ${(error as Error).message}`);
  }
  await rm(copy, { recursive: true, force: true });
  const out = path.join(work, "resumed.json");
  const resumed = await runCli(
    consolidateArgs(run, checkpointDir, out, ["--resume", "--session-id", sessionId]),
  );
  if (resumed.code !== 0)
    return [...problems, `the resume failed (${resumed.code}): ${resumed.stderr.slice(-400)}`];
  if ((await comparableOutput(out)) !== run.golden)
    problems.push("the resumed output differs from the golden output");
  const temps = (await readdir(path.join(checkpointDir, sessionId))).filter((n) => n.endsWith(".tmp"));
  if (temps.length > 0) problems.push(`temp files left after the next start: ${temps.join(", ")}`);
  return problems;
}

export type RealKind = "tmpfs-session" | "tmpfs-output" | "ulimit";

/** An uninterrupted run of 60 papers: the golden output the real-disk cases must resume to. */
export async function prepareRealRun(root: string): Promise<RealRun> {
  const sim = await simulatorFor();
  const input = await writeInput(root, 60);
  const run = await runCli(
    ["consolidate", "--input", input, "--output", "golden.json", ...simFlags(sim, 200)],
    {
      cwd: root,
    },
  );
  if (run.code !== 0) throw new Error(`golden run failed: ${run.stderr}`);
  return { sim, input, golden: await comparableOutput(path.join(root, "golden.json")) };
}

/**
 * One run of the binary on a really full disk. The sizes are set for 60 papers: generation 0 (about
 * 50 KB of papers) fits, the journal or the output does not. Returns problems, or `skipped` with the
 * reason when this machine cannot mount a tmpfs.
 */
export async function checkRealCase(
  run: RealRun,
  kind: RealKind,
  work: string,
): Promise<{ problems: string[]; skipped?: string }> {
  if (kind === "ulimit") {
    const ck = path.join(work, "ck");
    const failed = await runCliLimited(
      consolidateArgs(run, ck, path.join(work, "out.json")),
      100 * 1024,
      work,
    );
    const file = /file too large .*while (writing|appending to) \S+/;
    return { problems: await checkAfterFullDisk(run, failed, ck, work, file) };
  }
  const small = path.join(work, "small");
  await mkdir(small);
  const mounted = mountTmpfs(small, kind === "tmpfs-session" ? 128 * 1024 : 32 * 1024);
  if (!mounted.ok) return { problems: [], skipped: `${kind}: cannot mount a tmpfs here (${mounted.reason})` };
  try {
    if (kind === "tmpfs-session") {
      const failed = await runCli(consolidateArgs(run, small, path.join(work, "out.json")));
      resizeTmpfs(small, 64 * 1024 * 1024); // space freed: the resume must now complete
      const full = /disk full while (writing|appending to) \S+small/;
      return { problems: await checkAfterFullDisk(run, failed, small, work, full) };
    }
    const ck = path.join(work, "ck");
    const failed = await runCli(consolidateArgs(run, ck, path.join(small, "out.json")));
    const left = await readdir(small);
    const problems = await checkAfterFullDisk(run, failed, ck, work, /disk full while writing \S+out\.json/);
    if (left.length > 0) problems.push(`left ${left.join(", ")} on the full disk`);
    return { problems };
  } finally {
    unmount(small);
  }
}
