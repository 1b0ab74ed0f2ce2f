import { CfError, InternalError } from "../../errors.js";
import { safeLines } from "../../model/safe-text.js";
import type { Colors } from "./colors.js";

/**
 * The lines shown for an error: `cf: <message>` and, when known, a hint; the cause's stack only
 * under -v. An InternalError (a broken invariant) and any error cf did not raise are bugs: said so,
 * with their own stack under -v.
 * Messages quote input and server text: control and bidi characters are shown escaped (safeLines).
 */
export function renderError(error: unknown, color: Colors, verbose = false): string {
  if (error instanceof CfError && !(error instanceof InternalError)) {
    if (error.message === "") return ""; // already reported (ExitError)
    const lines = [`${color.red("cf:")} ${safeLines(error.message)}`];
    if (error.hint) lines.push(`${color.dim("hint:")} ${safeLines(error.hint)}`);
    if (verbose && error.cause instanceof Error && error.cause.stack)
      lines.push(color.dim(error.cause.stack));
    return `${lines.join("\n")}\n`;
  }
  const detail = safeLines(
    error instanceof Error ? (verbose ? (error.stack ?? error.message) : error.message) : String(error),
  );
  return `${color.red("cf: unexpected error:")} ${detail}\n${color.dim("This is a bug in cf; please report it with the command you ran (add -v for a stack trace).")}\n`;
}
