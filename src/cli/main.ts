import { CommanderError } from "commander";
import { ExitCode } from "../errors.js";
import { processDeps } from "./deps.js";
import { createProgram } from "./program.js";
import { renderError } from "./render/errors.js";

/** Map a commander error to an exit code: help and version are success, anything else is usage (2). */
function commanderExitCode(error: CommanderError): number {
  if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return ExitCode.ok;
  return ExitCode.usage;
}

/** The process boundary: the only place that sets the exit code. */
async function main(argv: string[]): Promise<void> {
  const deps = processDeps((code) => process.exit(code));
  const verbose = argv.includes("-v") || argv.includes("-vv") || argv.includes("--verbose");
  try {
    await createProgram(deps).parseAsync(argv);
    process.exitCode = ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = commanderExitCode(error);
      return;
    }
    deps.stderr(renderError(error, deps.color, verbose));
    process.exitCode =
      typeof (error as { exitCode?: unknown }).exitCode === "number"
        ? (error as { exitCode: number }).exitCode
        : ExitCode.failure;
  }
}

await main(process.argv);
