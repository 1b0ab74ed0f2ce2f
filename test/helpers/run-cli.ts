import { execFile, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const BIN = path.resolve(import.meta.dirname, "../../bin/cf.js");
/** The same program with instrumented storage seams (test/helpers/spawned/cf-test-entry.mjs). */
const TEST_ENTRY = path.resolve(import.meta.dirname, "./spawned/cf-test-entry.mjs");

/**
 * Test seams of the test entry, which builds `cf` with an instrumented fs and commit policy
 * (cf itself reads none of this): `killAtOp: N` SIGKILLs it right before its N-th mutating
 * session-file operation, `traceOps` appends `<op> <path>` per such operation to that file,
 * `journalCommit: "each"` journals each batch on its own (a repeatable operation order).
 */
export interface TestHooks {
  killAtOp?: number;
  traceOps?: string;
  journalCommit?: "each";
}

/** Response caches of children run without a `cwd` (one per run), removed when the test process exits. */
let strayCaches: string | undefined;

/**
 * A child without a `cwd` runs in the repository: its default cache (`.cf_state/cache.sqlite`) would
 * land there and be shared by unrelated tests. It gets a cache file of its own instead.
 */
function ownCacheFile(): string {
  if (!strayCaches) {
    const dir = mkdtempSync(path.join(os.tmpdir(), "cf-test-caches-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    strayCaches = dir;
  }
  return path.join(strayCaches, `${randomUUID()}.sqlite`);
}

/** The script to run and its environment: the binary, or the test entry when `hooks` are given. */
function entryFor(options: { cwd?: string | undefined; env?: Record<string, string>; hooks?: TestHooks }) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.FORCE_COLOR;
  delete env.CF_CHECKPOINT_DIR;
  delete env.CF_CACHE;
  delete env.CF_NO_CACHE;
  for (const name of Object.keys(env)) if (name.startsWith("CF_TEST_")) delete env[name];
  if (options.cwd === undefined) env.CF_CACHE = ownCacheFile();
  Object.assign(env, options.env);
  if (Object.keys(options.env ?? {}).some((name) => name.startsWith("CF_TEST_")))
    throw new Error("test seams are set with `hooks`, not CF_TEST_* variables (cf does not read them)");
  const { hooks } = options;
  if (!hooks) return { script: BIN, env };
  if (hooks.killAtOp !== undefined) env.CF_TEST_KILL_AT_OP = String(hooks.killAtOp);
  if (hooks.traceOps !== undefined) env.CF_TEST_TRACE_OPS = hooks.traceOps;
  if (hooks.journalCommit !== undefined) env.CF_TEST_JOURNAL_COMMIT = hooks.journalCommit;
  return { script: TEST_ENTRY, env };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Options of a CLI child: its directory, extra environment, the user it runs as (root only), and
 * test seams (which run the test entry instead of the binary).
 */
export interface CliOptions {
  cwd?: string;
  env?: Record<string, string>;
  uid?: number;
  gid?: number;
  hooks?: TestHooks;
  /** Longest the child may run (default 20 s). */
  timeoutMs?: number;
}

/** Run the built `cf` binary as a child process (no TTY), with a clean colour environment. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const { script, env } = entryFor(options);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [script, ...args],
      { cwd: options.cwd, env, timeout: options.timeoutMs ?? 20_000, uid: options.uid, gid: options.gid },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export interface CliProcess {
  child: import("node:child_process").ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code, or 128 + signal number when killed by a signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Start the built `cf` binary (the test entry with `hooks`) without waiting for it (to signal or kill it). */
export function spawnCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; hooks?: TestHooks } = {},
): CliProcess {
  const { script, env } = entryFor(options);
  const child = spawn(process.execPath, [script, ...args], {
    cwd: options.cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal }));
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}
