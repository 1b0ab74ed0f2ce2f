import { isErrnoException } from "../errors.js";

/**
 * Whether a process still runs on this host: a lock or a temp file whose writer is gone may be
 * reclaimed, one whose writer lives may not.
 */

/** Whether a process with this pid exists (EPERM counts as alive). Non-positive pids are never alive. */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return !(isErrnoException(error) && error.code === "ESRCH");
  }
}
