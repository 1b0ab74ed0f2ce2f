import type { StopSignal } from "../errors.js";
import type { StorageFs } from "../storage/fs.js";
import type { JournalCommitPolicy } from "../storage/group-commit.js";
import { type Colors, loadColors } from "./render/colors.js";

/** What commands need from the process, injected so they can be tested without a terminal. */
export interface CliDeps {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** stdin and stdout are terminals: prompts and live progress are allowed. */
  interactive: boolean;
  /**
   * Colours for stdout (plain when not a TTY or NO_COLOR is set). A promise: chalk is loaded by the
   * first command that prints styled text, never for `--help`.
   */
  colors: () => Promise<Colors>;
  /** Ask a yes/no question (default No). Only called when `interactive`. */
  confirm: (message: string) => Promise<boolean>;
  now: () => Date;
  /** stderr when it is a terminal (live progress goes there), else undefined. */
  progressStream: NodeJS.WriteStream | undefined;
  /** Subscribe to SIGINT/SIGTERM/SIGHUP; returns an unsubscribe function. */
  onSignal: (handler: (signal: StopSignal) => void) => () => void;
  /** Leave at once with this code (a second Ctrl-C): main.ts and the test entry give process.exit. */
  exitNow: (code: number) => never;
  /**
   * The fs a consolidation run writes its session files and output through (tests instrument it;
   * absent: core uses `nodeStorageFs`, loaded only by the commands that need it, not for `--help`).
   */
  fs?: StorageFs;
  /** How a consolidation run journals its batches (absent: core uses `GROUP_COMMIT_POLICY`). */
  journalCommit?: JournalCommitPolicy;
}

/** Colour on only for a TTY without NO_COLOR (or with FORCE_COLOR). */
export function colorLevel(env: NodeJS.ProcessEnv, isTTY: boolean): 0 | 1 {
  if (env.FORCE_COLOR && env.FORCE_COLOR !== "0") return 1;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return 0;
  return isTTY && env.TERM !== "dumb" ? 1 : 0;
}

/** The real process: stdout/stderr, environment, TTY detection and an inquirer prompt loaded lazily. */
export function processDeps(exitNow: (code: number) => never): CliDeps {
  const isTTY = Boolean(process.stdout.isTTY);
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    interactive: isTTY && Boolean(process.stdin.isTTY),
    colors: once(() => loadColors(colorLevel(process.env, isTTY))),
    confirm: async (message) => {
      const { confirm } = await import("@inquirer/prompts");
      return confirm({ message, default: false });
    },
    now: () => new Date(),
    progressStream: process.stderr.isTTY ? process.stderr : undefined,
    onSignal: (handler) => {
      const onInt = () => handler("SIGINT");
      const onTerm = () => handler("SIGTERM");
      const onHup = () => {
        // The terminal is gone: writing to it fails (EIO, EPIPE); that must not stop the checkpoint.
        for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});
        handler("SIGHUP");
      };
      process.on("SIGINT", onInt);
      process.on("SIGTERM", onTerm);
      process.on("SIGHUP", onHup);
      return () => {
        process.off("SIGINT", onInt);
        process.off("SIGTERM", onTerm);
        process.off("SIGHUP", onHup);
      };
    },
    exitNow,
  };
}

/** `make`, called the first time only. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
}
