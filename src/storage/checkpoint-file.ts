import path from "node:path";
import { CfError, ExitCode, isErrnoException, SessionCorruptError } from "../errors.js";
import { storageError } from "./atomic-write.js";
import { checksumMatches } from "./checksum.js";
import type { StorageFs } from "./fs.js";
import {
  CHECKPOINT_BACKUP_FILE,
  CHECKPOINT_FILE,
  CHECKPOINT_FORMAT,
  type Checkpoint,
  checkpointSchema,
  type LegacyCheckpoint,
  legacyCheckpointSchema,
} from "./session-files.js";
import { describeZodError } from "./zod-problem.js";

/** Reading `checkpoint.json` with real verification and the `.bak` fallback. */

export type CheckpointRead =
  | { kind: "missing" }
  | { kind: "cf"; checkpoint: Checkpoint; text: string; fromBackup: boolean; problem?: string }
  | { kind: "legacy"; checkpoint: LegacyCheckpoint; fromBackup: boolean; problem?: string }
  | { kind: "corrupt"; problem: string };

type OneRead =
  | { kind: "missing" }
  | { kind: "cf"; checkpoint: Checkpoint; text: string }
  | { kind: "legacy"; checkpoint: LegacyCheckpoint }
  | { kind: "corrupt"; problem: string };

const CF_ONLY_KEYS = ["format", "format_version", "generation", "journal_seq", "files"];

async function readOne(fs: StorageFs, file: string): Promise<OneRead> {
  let text: string;
  try {
    text = (await fs.readFile(file)).toString("utf8");
  } catch (error) {
    if (isErrnoException(error) && error.code === "ENOENT") return { kind: "missing" };
    throw storageError(`reading ${file}`, error);
  }
  const name = path.basename(file);
  if (text.trim() === "") return { kind: "corrupt", problem: `${name} is empty` };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { kind: "corrupt", problem: `${name} is not valid JSON (${(error as Error).message})` };
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return { kind: "corrupt", problem: `${name} is not a JSON object` };
  }
  const record = raw as Record<string, unknown>;
  // Keys only cf writes: a damaged `format` value or key must not pass for the Python tool's checkpoint.
  if (record.format === CHECKPOINT_FORMAT || CF_ONLY_KEYS.some((key) => key in record)) {
    const parsed = checkpointSchema.safeParse(record);
    if (!parsed.success) return { kind: "corrupt", problem: describeZodError(name, parsed.error) };
    if (!checksumMatches(record))
      return { kind: "corrupt", problem: `${name}: checksum does not match its content` };
    return { kind: "cf", checkpoint: parsed.data, text };
  }
  const legacy = legacyCheckpointSchema.safeParse(record);
  if (!legacy.success) return { kind: "corrupt", problem: describeZodError(name, legacy.error) };
  return { kind: "legacy", checkpoint: legacy.data };
}

/**
 * Read the commit record of a session. When `checkpoint.json` is missing or fails verification and
 * `checkpoint.json.bak` verifies, the backup is returned with `fromBackup` and the problem found.
 */
export async function readCheckpoint(fs: StorageFs, sessionDir: string): Promise<CheckpointRead> {
  const current = await readOne(fs, path.join(sessionDir, CHECKPOINT_FILE));
  if (current.kind === "cf" || current.kind === "legacy") return { ...current, fromBackup: false };
  const backup = await readOne(fs, path.join(sessionDir, CHECKPOINT_BACKUP_FILE));
  if (backup.kind === "cf" || backup.kind === "legacy") {
    const problem = current.kind === "missing" ? `${CHECKPOINT_FILE} is missing` : current.problem;
    return { ...backup, fromBackup: true, problem };
  }
  if (current.kind === "missing") {
    return backup.kind === "missing" ? { kind: "missing" } : { kind: "corrupt", problem: backup.problem };
  }
  return { kind: "corrupt", problem: current.problem };
}

/** The error for a session whose checkpoint cannot be used. */
export function checkpointCorruptError(sessionDir: string, problem: string): SessionCorruptError {
  return new SessionCorruptError(
    path.join(sessionDir, CHECKPOINT_FILE),
    `session ${path.basename(sessionDir)}: ${problem}`,
    {
      hint: `Neither ${CHECKPOINT_FILE} nor ${CHECKPOINT_BACKUP_FILE} verifies. Nothing was changed; restore the directory from a backup or remove it with \`cf consolidate-sessions clean --corrupt\`.`,
    },
  );
}

/** The error for opening a session written by the Python tool as a cf one (cf continues it in a new session). */
export function legacySessionError(sessionDir: string): CfError {
  return new CfError(
    "E_SESSION_LEGACY",
    ExitCode.failure,
    `session ${path.basename(sessionDir)} was written by the Python compute-forecast tool; cf continues it in a new session only when it is named (--resume --session-id ${path.basename(sessionDir)})`,
    { hint: "Continue it with: cf consolidate --input <file> --resume --session-id <its id>" },
  );
}
