import { UsageError } from "../errors.js";
import type { CliDeps } from "./deps.js";
import type { Colors } from "./render/colors.js";

/**
 * The last step before a command removes what it listed (`consolidate-sessions clean`, `cache
 * clear`): a dry run stops here; without `--yes` a terminal is asked (default No) and no terminal
 * is a usage error. True when the removal may go ahead (what stopped it is already said).
 */
export async function confirmRemoval(
  options: { dryRun: boolean; yes: boolean },
  question: string,
  deps: CliDeps,
  color: Colors,
): Promise<boolean> {
  if (options.dryRun) {
    deps.stdout(color.dim("Dry run: nothing removed.\n"));
    return false;
  }
  if (options.yes) return true;
  if (!deps.interactive) {
    throw new UsageError("not removing anything without confirmation: this is not a terminal", {
      hint: "Pass --yes to confirm, or --dry-run to only look.",
    });
  }
  if (await deps.confirm(question)) return true;
  deps.stdout("Nothing removed.\n");
  return false;
}
