import { tuneGarbageCollection } from "./gc-tuning.js";
import { run } from "./run.js";

tuneGarbageCollection();
/** The process boundary: the only place that sets the exit code or leaves the process. */
process.exitCode = await run(process.argv, { exitNow: (code) => process.exit(code) });
