import { constants } from "node:fs";
import * as fsp from "node:fs/promises";
import path from "node:path";
import { isErrnoException, StorageError, UsageError } from "../errors.js";
import { tempPathFor } from "../storage/atomic-write.js";
import { displayPath } from "./render/sessions-table.js";

/**
 * Checks of `cf consolidate`'s output and checkpoint directory made before the first request, so
 * that a path that cannot work is refused at once (exit 2) instead of after hours of fetching.
 * Paths are compared by their real paths: `./a.json`, `a.json` and a symlink to it are one file.
 */

/** Errors that mean "this path cannot be used": the user must choose another (exit 2). */
const PATH_PROBLEMS = new Set([
  "ENOTDIR",
  "EEXIST",
  "EISDIR",
  "EACCES",
  "EPERM",
  "EROFS",
  "ENOENT",
  "ENAMETOOLONG",
  "ELOOP",
]);

const WORDS: Record<string, string> = {
  ENOTDIR: "not a directory",
  EEXIST: "a file is in the way",
  EISDIR: "is a directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOENT: "no such file or directory",
  ENAMETOOLONG: "name too long",
  ELOOP: "too many symbolic links",
  ENOSPC: "disk full",
  EDQUOT: "disk quota exceeded",
  EIO: "I/O error",
};

/** An errno in words, with its code: "permission denied (EACCES)". */
export function errnoInWords(error: unknown): string {
  const code = isErrnoException(error) ? error.code : undefined;
  if (code && WORDS[code]) return `${WORDS[code]} (${code})`;
  return error instanceof Error ? error.message : String(error);
}

function errnoCode(error: unknown): string | undefined {
  return isErrnoException(error) ? error.code : undefined;
}

function fsError(code: string, message: string): NodeJS.ErrnoException {
  const error = new Error(message) as NodeJS.ErrnoException;
  error.code = code;
  return error;
}

/** The deepest existing ancestor of `target` (itself included), and the names below it. */
async function nearestExisting(target: string): Promise<{ existing: string; rest: string[] }> {
  const rest: string[] = [];
  let current = path.resolve(target);
  for (;;) {
    try {
      await fsp.lstat(current);
      return { existing: current, rest };
    } catch (error) {
      const parent = path.dirname(current);
      const code = errnoCode(error);
      if ((code !== "ENOENT" && code !== "ENOTDIR") || parent === current) return { existing: current, rest };
      rest.unshift(path.basename(current));
      current = parent;
    }
  }
}

/** The real path `file` names, whether or not it (or its directory) exists yet. */
export async function realTarget(file: string): Promise<string> {
  const { existing, rest } = await nearestExisting(file);
  const real = await fsp.realpath(existing).catch(() => existing);
  return path.join(real, ...rest);
}

export interface OutputPaths {
  cwd: string;
  /** Absolute path of the input file (it exists: it was read). */
  inputFile: string;
  /** Absolute path of the output file. */
  outputFile: string;
  /** Absolute checkpoint directory in use. */
  baseDir: string;
}

/** Refuse an output that is the input, or that lies inside the checkpoint directory (exit 2). */
export async function checkOutputPath(paths: OutputPaths): Promise<void> {
  const show = (file: string) => displayPath(file, paths.cwd);
  const realInput = await fsp.realpath(paths.inputFile).catch(() => path.resolve(paths.inputFile));
  const realOutput = await realTarget(paths.outputFile);
  // An output that is a symlink to the input: writing it would not touch the input, but it is
  // certainly not what was meant.
  const linkedOutput = await fsp.realpath(paths.outputFile).catch(() => undefined);
  if (realOutput === realInput || linkedOutput === realInput) {
    const same = show(paths.outputFile) === show(paths.inputFile) ? "" : ` (both are ${show(realInput)})`;
    throw new UsageError(
      `--output ${show(paths.outputFile)} is the input file ${show(paths.inputFile)}${same}: the result would replace the input`,
      { hint: "Choose another --output; nothing was fetched or written." },
    );
  }
  const realBase = await realTarget(paths.baseDir);
  const relative = path.relative(realBase, realOutput);
  if (relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative))) {
    throw new UsageError(
      `--output ${show(paths.outputFile)} is inside the checkpoint directory ${show(paths.baseDir)}: the session's files would overwrite or remove it`,
      {
        hint: `Choose another --output, outside ${show(paths.baseDir)}; nothing was fetched or written.`,
      },
    );
  }
}

/**
 * The nearest existing ancestor of `dir` (or `dir` itself) and the names below it; it must be a
 * directory (ENOTDIR, or EEXIST when `dir` itself is a file), with `path` set on the error.
 */
async function existingDirectoryOf(dir: string): Promise<{ existing: string; rest: string[] }> {
  const { existing, rest } = await nearestExisting(dir);
  const info = await fsp.stat(existing).catch((error: unknown) => {
    throw Object.assign(error as object, { path: existing });
  });
  if (!info.isDirectory()) {
    throw Object.assign(fsError(rest.length > 0 ? "ENOTDIR" : "EEXIST", `${existing} is not a directory`), {
      path: existing,
    });
  }
  return { existing, rest };
}

/**
 * Create the missing directories of `dir` one level at a time. (fs.mkdir's recursive mode loops
 * forever under /proc, where mkdir answers ENOENT.) Throws the errno of the level that failed,
 * with `path` set to it.
 */
async function makeDirs(dir: string): Promise<void> {
  const { existing, rest } = await existingDirectoryOf(dir);
  let current = existing;
  for (const name of rest) {
    current = path.join(current, name);
    try {
      await fsp.mkdir(current);
    } catch (error) {
      if (errnoCode(error) === "EEXIST" && (await fsp.stat(current).catch(() => undefined))?.isDirectory())
        continue;
      throw Object.assign(error as object, { path: current });
    }
  }
}

/** Check, creating nothing, that a directory could be created or written at `dir` (W_OK, not a file). */
async function probeDir(dir: string): Promise<void> {
  const { existing } = await existingDirectoryOf(dir);
  await fsp.access(existing, constants.W_OK).catch((error: unknown) => {
    throw Object.assign(error as object, { path: existing });
  });
}

function culprit(error: unknown, fallback: string): string {
  const at = (error as { path?: unknown } | null)?.path;
  return typeof at === "string" ? at : fallback;
}

/**
 * Check that the output can be written: its directory is created if missing (as the final write
 * would), then a temp file is created beside it and removed. With `create: false` (a dry run)
 * nothing is created: the nearest existing ancestor must be a writable directory.
 */
export async function checkOutputWritable(outputFile: string, cwd: string, create: boolean): Promise<void> {
  const show = (file: string) => displayPath(file, cwd);
  const dir = path.dirname(outputFile);
  const refuse = (error: unknown, where: string): never => {
    const code = errnoCode(error);
    const at = culprit(error, where);
    const place = at === outputFile ? "" : ` at ${show(at)}`;
    const message = `--output ${show(outputFile)} cannot be written: ${errnoInWords(error)}${place}`;
    const hint = `Choose another --output, or fix ${show(at)} (its permissions or what is in its place); nothing was fetched or written.`;
    if (code && PATH_PROBLEMS.has(code)) throw new UsageError(message, { cause: error, hint });
    throw new StorageError(message, { cause: error, hint });
  };
  const existing = await fsp.lstat(outputFile).catch(() => undefined);
  if (existing?.isDirectory()) {
    throw new UsageError(`--output ${show(outputFile)} is a directory (EISDIR): the output must be a file`, {
      hint: `Choose another --output, such as ${show(path.join(outputFile, "papers.json"))}; nothing was fetched or written.`,
    });
  }
  if (!create) {
    await probeDir(dir).catch((error: unknown) => refuse(error, dir));
    return;
  }
  await makeDirs(dir).catch((error: unknown) => refuse(error, dir));
  const temp = tempPathFor(outputFile);
  try {
    const handle = await fsp.open(temp, "wx", 0o644);
    await handle.close();
  } catch (error) {
    refuse(error, dir);
  }
  await fsp.unlink(temp).catch((error: unknown) => refuse(error, temp));
}

/** The error for a checkpoint directory that cannot be used: exit 2 for a path problem, else 1. */
export function checkpointDirError(baseDir: string, cwd: string, error: unknown): UsageError | StorageError {
  const show = (file: string) => displayPath(file, cwd);
  const at = culprit(error, baseDir);
  const place = at === baseDir ? "" : ` at ${show(at)}`;
  const message = `cannot create the checkpoint directory ${show(baseDir)}: ${errnoInWords(error)}${place}`;
  const hint = `Choose another --checkpoint-dir or fix the permissions of ${show(at)} (or what is in its place); no session was created.`;
  const code = errnoCode(error);
  if (code && PATH_PROBLEMS.has(code)) return new UsageError(message, { cause: error, hint });
  return new StorageError(message, { cause: error, hint });
}

/**
 * Check the checkpoint directory before any session is looked for: it must be a directory, or be
 * creatable. With `create`, the missing directories are made (a new session is about to be).
 */
export async function checkCheckpointDir(baseDir: string, cwd: string, create: boolean): Promise<void> {
  try {
    if (create) await makeDirs(baseDir);
    // An existing directory is enough to look for sessions (resuming one writes inside it).
    else if (!(await fsp.stat(baseDir).catch(() => undefined))?.isDirectory()) await probeDir(baseDir);
  } catch (error) {
    throw checkpointDirError(baseDir, cwd, error);
  }
}

/**
 * A disk error before any session existed (creating the session failed): the message stays, but
 * the hint must not send the user to a resume; exit 2 when the path itself is the problem.
 */
export function beforeSessionError(error: StorageError): UsageError | StorageError {
  const code = errnoCode(error.cause);
  const hint =
    "No session was created, so there is nothing to resume: choose another --checkpoint-dir, or fix the permissions or free some space, then run the same command again.";
  const options = { cause: error.cause ?? error, hint };
  return code && PATH_PROBLEMS.has(code)
    ? new UsageError(error.message, options)
    : new StorageError(error.message, options);
}
