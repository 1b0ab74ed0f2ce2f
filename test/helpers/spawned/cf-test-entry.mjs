// The test entry point: `cf` as bin/cf.js runs it (same program, same argv), but with the storage
// seams instrumented from test-only environment variables, which cf itself never reads. Imports
// the compiled CLI (run `npm run build` first; `npm test` does).
//   CF_TEST_KILL_AT_OP=N        SIGKILL the process right before its N-th mutating session-file
//                               operation (see test/helpers/instrumented-fs.mjs)
//   CF_TEST_TRACE_OPS=<file>    append one line `<op> <path>` per such operation to <file>
//   CF_TEST_JOURNAL_COMMIT=each journal each batch on its own instead of in groups, so that two runs
//                               perform the same operations in the same order
// Suites spawn it through spawnCli's `hooks` option (test/helpers/run-cli.ts).
import { run } from "../../../dist/cli/run.js";
import { instrumentedFs } from "../instrumented-fs.mjs";

const env = process.env;

/** @returns {number | undefined} */
function killAtOp() {
  const value = env.CF_TEST_KILL_AT_OP;
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!(Number.isInteger(n) && n > 0))
    throw new Error(`CF_TEST_KILL_AT_OP must be a positive integer: ${value}`);
  return n;
}

/** @returns {import("../../../dist/storage/group-commit.js").JournalCommitPolicy | undefined} */
function journalCommit() {
  const value = env.CF_TEST_JOURNAL_COMMIT;
  if (value === undefined || value === "") return undefined; // the normal group commit
  if (value === "each") return { delayMs: 0, maxGroup: 1 };
  throw new Error(`CF_TEST_JOURNAL_COMMIT must be "each": ${value}`);
}

const commit = journalCommit();
process.exitCode = await run(process.argv, {
  exitNow: (code) => process.exit(code),
  fs: instrumentedFs({ killAtOp: killAtOp(), traceFile: env.CF_TEST_TRACE_OPS || undefined }),
  ...(commit ? { journalCommit: commit } : {}),
});
