/**
 * The one error hierarchy of `cf`. Every error carries a stable `code` and its exit code, which
 * src/cli/run.ts returns and src/cli/main.ts (the only place that sets it) sets.
 */

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  tryLater: 75,
  sighup: 129,
  sigint: 130,
  sigterm: 143,
} as const;

/** The signals cf stops on after a checkpoint (SIGHUP: the terminal was closed). */
export type StopSignal = "SIGINT" | "SIGTERM" | "SIGHUP";

/** 128 + the signal's number, as shells report a process ended by it. */
export function exitCodeForSignal(signal: StopSignal): number {
  return signal === "SIGINT" ? ExitCode.sigint : signal === "SIGHUP" ? ExitCode.sighup : ExitCode.sigterm;
}

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface CfErrorOptions {
  /** A second line telling the user how to fix it. */
  hint?: string;
  cause?: unknown;
}

/** Base class: a message meant for the user, a stable code, and an exit code. */
export class CfError extends Error {
  readonly code: string;
  readonly exitCode: number;
  readonly hint: string | undefined;

  constructor(code: string, exitCode: number, message: string, options: CfErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
    this.hint = options.hint;
  }
}

/** Bad flags or arguments (exit 2). */
export class UsageError extends CfError {
  constructor(message: string, options: CfErrorOptions = {}) {
    super("E_USAGE", ExitCode.usage, message, options);
  }
}

/** A bad input file: missing, not JSON, wrong shape (exit 2). Names the file and the JSON path. */
export class InputError extends CfError {
  constructor(message: string, options: CfErrorOptions = {}) {
    super("E_INPUT", ExitCode.usage, message, options);
  }
}

/** The input file does not exist (a resume may go on from the session's own papers). */
export class InputFileMissingError extends InputError {}

/** A session file failed validation. Names the file and what is wrong (exit 1). */
export class SessionCorruptError extends CfError {
  readonly file: string;
  constructor(file: string, message: string, options: CfErrorOptions = {}) {
    super("E_SESSION_CORRUPT", ExitCode.failure, message, options);
    this.file = file;
  }
}

/** No session with that id (exit 2: the user named something that is not there). */
export class SessionNotFoundError extends CfError {
  constructor(message: string, options: CfErrorOptions = {}) {
    super("E_SESSION_NOT_FOUND", ExitCode.usage, message, options);
  }
}

/** Another live process holds the session lock (exit 75: try later). */
export class SessionLockedError extends CfError {
  constructor(message: string, options: CfErrorOptions = {}) {
    super("E_SESSION_LOCKED", ExitCode.tryLater, message, options);
  }
}

/** A disk operation failed (ENOSPC, EIO, ...). The previous generation stays intact (exit 1). */
export class StorageError extends CfError {
  constructor(message: string, options: CfErrorOptions = {}) {
    super("E_STORAGE", ExitCode.failure, message, options);
  }
}

/** A broken invariant inside cf (a bug, not the user's doing): exit 1, reported as unexpected. */
export class InternalError extends CfError {
  constructor(message: string, options: CfErrorOptions = {}) {
    super("E_INTERNAL", ExitCode.failure, message, options);
  }
}

/** Narrow an unknown thrown value to a Node system error with a `code`. */
export function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  // CfErrors carry a string code too (E_…), but they are cf's own, not the system's.
  return (
    error instanceof Error &&
    !(error instanceof CfError) &&
    typeof (error as NodeJS.ErrnoException).code === "string"
  );
}

/** The outcome was already reported to the user: only the exit code remains to be set. */
export class ExitError extends CfError {
  constructor(exitCode: number) {
    super("E_EXIT", exitCode, "");
  }
}
