// The instrumented StorageFs of the test entry (test/helpers/spawned/cf-test-entry.mjs): plain JS over the
// compiled storage layer, so a child process can load it without a TypeScript build step.
import { appendFileSync } from "node:fs";
import { nodeStorageFs, withOpHook } from "../../dist/storage/fs.js";

/**
 * The real fs, with kill points and tracing. `killAtOp: N` kills the process with SIGKILL right
 * before its N-th mutating session-file operation (open, write, fsync, truncate, close, rename,
 * unlink, mkdir, dirsync), to test crash recovery; `traceFile` gets one line `<op> <path>` per such
 * operation, appended before the kill, so a killed run's trace ends with the operation it never did.
 * Without either, the real fs itself.
 *
 * @param {{ killAtOp?: number | undefined, traceFile?: string | undefined }} hooks
 * @returns {import("../../dist/storage/fs.js").StorageFs}
 */
export function instrumentedFs({ killAtOp, traceFile }) {
  const kills = killAtOp !== undefined;
  if (kills && !(Number.isInteger(killAtOp) && killAtOp > 0)) {
    throw new Error(`killAtOp must be a positive integer, not ${killAtOp}`);
  }
  if (!kills && !traceFile) return nodeStorageFs;
  let count = 0;
  return withOpHook(nodeStorageFs, (op, path) => {
    count += 1;
    if (traceFile) appendFileSync(traceFile, `${op} ${path}\n`);
    if (kills && count >= killAtOp) process.kill(process.pid, "SIGKILL");
  });
}
