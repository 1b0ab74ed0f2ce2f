import { CommanderError } from "commander";
import { ExitCode } from "../errors.js";
import { type CliDeps, processDeps } from "./deps.js";
import { createProgram } from "./program.js";
import { PLAIN_COLORS } from "./render/colors.js";
import { renderError } from "./render/errors.js";

/**
 * What an entry point passes to `run`: how to leave at once (a second Ctrl-C), and any
 * dependencies to use instead of the real process's (the test entry passes an instrumented fs).
 */
export type RunDeps = Pick<CliDeps, "exitNow"> & Partial<CliDeps>;

/** Map a commander error to an exit code: help and version are success, anything else is usage (2). */
function commanderExitCode(error: CommanderError): number {
  if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return ExitCode.ok;
  return ExitCode.usage;
}

/**
 * Run `cf` with `argv` (as `process.argv`: node, script, then the arguments) and return its exit
 * code. Errors are rendered on stderr here; setting the exit code is the caller's (main.ts).
 */
export async function run(argv: string[], overrides: RunDeps): Promise<number> {
  const { exitNow, ...rest } = overrides;
  const deps: CliDeps = { ...processDeps(exitNow), ...rest };
  const parsed = { verbose: 0 };
  try {
    await createProgram(deps, parsed).parseAsync(argv);
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) return commanderExitCode(error);
    // Styles are a nicety: if they cannot be loaded, the error is still said, plainly.
    const color = await deps.colors().catch(() => PLAIN_COLORS);
    deps.stderr(renderError(error, color, parsed.verbose > 0));
    return typeof (error as { exitCode?: unknown }).exitCode === "number"
      ? (error as { exitCode: number }).exitCode
      : ExitCode.failure;
  }
}
