import { tuneGarbageCollection } from "./gc-tuning.js";
import { run } from "./run.js";

tuneGarbageCollection();

/** How long an unfinished flush of stdout/stderr may hold the exit (a reader that stopped reading). */
const FLUSH_LIMIT_MS = 5000;

/** Resolves once everything written to `stream` so far has been handed to the OS (or it failed). */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) return resolve();
    // A write's callback runs once it, and so every write before it, is flushed.
    stream.write("", () => resolve());
  });
}

/**
 * The process boundary: the only place that sets the exit code or leaves the process. Once the
 * command has returned, its work is done (the session is saved and closed): nothing left in the
 * event loop, such as a connection still being made to a server that never answers, may hold the
 * exit. The output is flushed first, then the process leaves.
 */
const code = await run(process.argv, { exitNow: (exitCode) => process.exit(exitCode) });
process.exitCode = code;
const limit = new Promise<void>((resolve) => setTimeout(resolve, FLUSH_LIMIT_MS).unref());
await Promise.race([Promise.all([flushed(process.stdout), flushed(process.stderr)]), limit]);
process.exit(code);
