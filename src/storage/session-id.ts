import { randomBytes } from "node:crypto";
import path from "node:path";
import { UsageError } from "../errors.js";

const ID_PATTERN = /^[A-Za-z0-9_.-]{1,128}$/;

/** `consolidate_YYYYMMDD_HHMMSS_<8 hex>` in local time, as the Python tool named sessions. */
export function generateSessionId(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  const date = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}`;
  const time = `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  return `consolidate_${date}_${time}_${randomBytes(4).toString("hex")}`;
}

/** Reject ids that could escape the checkpoint directory (`..`, `/`, empty, too long). */
export function validateSessionId(id: string): string {
  if (!ID_PATTERN.test(id) || id === "." || id === "..") {
    throw new UsageError(`invalid session id "${id}": use 1-128 letters, digits, "_", "." or "-"`, {
      hint: "List sessions with `cf consolidate-sessions list --all`.",
    });
  }
  return id;
}

export const DEFAULT_CHECKPOINT_DIR = path.join(".cf_state", "consolidate");

/** The checkpoint directory: the flag, else CF_CHECKPOINT_DIR, else `.cf_state/consolidate` in the cwd. */
export function resolveCheckpointDir(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  const chosen = flag ?? (env.CF_CHECKPOINT_DIR || undefined) ?? DEFAULT_CHECKPOINT_DIR;
  return path.resolve(cwd, chosen);
}
