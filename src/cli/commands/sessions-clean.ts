import { z } from "zod";
import { StorageError, UsageError } from "../../errors.js";
import { findSessions, type SessionStatus } from "../../storage/session-catalog.js";
import { directorySize, planClean, removeSession, sweepLeftovers } from "../../storage/session-cleaner.js";
import { resolveCheckpointDir } from "../../storage/session-id.js";
import { confirmRemoval } from "../confirm-removal.js";
import type { CliDeps } from "../deps.js";
import { formatBytes, parseDuration } from "../duration.js";
import { checkpointDirOption, parseOptions } from "../options.js";
import { colorStatus, displayPath } from "../render/sessions-table.js";

const cleanOptions = z.object({
  completed: z.boolean().default(false),
  failed: z.boolean().default(false),
  interrupted: z.boolean().default(false),
  pending: z.boolean().default(false),
  corrupt: z.boolean().default(false),
  all: z.boolean().default(false),
  olderThan: z.string().optional(),
  dryRun: z.boolean().default(false),
  yes: z.boolean().default(false),
  ...checkpointDirOption,
});

const NOT_RUNNING = [
  "completed",
  "failed",
  "interrupted",
  "pending",
  "corrupt",
] as const satisfies readonly SessionStatus[];

/** `cf consolidate-sessions clean`. */
export async function cleanSessionsCommand(raw: Record<string, unknown>, deps: CliDeps): Promise<void> {
  const options = parseOptions(cleanOptions, raw);
  const olderThanMs =
    options.olderThan === undefined ? undefined : parseDuration(options.olderThan, "--older-than");
  const picked = NOT_RUNNING.filter((status) => options[status]);
  if (!options.all && picked.length === 0 && olderThanMs === undefined) {
    throw new UsageError("nothing selected to clean", {
      hint: "Pass --completed, --failed, --interrupted, --pending, --corrupt, --all and/or --older-than 7d.",
    });
  }
  // --older-than alone selects every status; running sessions are filtered out by planClean anyway.
  const statuses = new Set<SessionStatus>(
    options.all || picked.length === 0 ? [...NOT_RUNNING, "running"] : [...picked, "running"],
  );
  const baseDir = resolveCheckpointDir(options.checkpointDir, deps.env, deps.cwd);
  const sessions = await findSessions(baseDir);
  const color = await deps.colors();
  if (sessions.length === 0) {
    deps.stdout(`No sessions to clean in ${displayPath(baseDir, deps.cwd)}.\n`);
    return;
  }
  const plan = planClean(
    sessions,
    { statuses, ...(olderThanMs === undefined ? {} : { olderThanMs }) },
    deps.now(),
  );
  for (const session of plan.running) {
    const holder = session.holder ? ` by pid ${session.holder.pid} on ${session.holder.hostname}` : "";
    deps.stdout(`${color.yellow("Skipping")} ${session.session_id}: running${holder}.\n`);
  }
  const kept = sessions.filter((s) => !plan.remove.includes(s));
  if (plan.remove.length === 0) {
    deps.stdout("No sessions match the criteria.\n");
    if (!options.dryRun) await reportSweep(kept, deps);
    return;
  }
  const sizes = await Promise.all(plan.remove.map((s) => directorySize(s.dir)));
  const total = sizes.reduce((a, b) => a + b, 0);
  deps.stdout(`Will remove ${plan.remove.length} session(s), ${formatBytes(total)} in all:\n`);
  plan.remove.forEach((session, i) => {
    deps.stdout(
      `  ${color.cyan(session.session_id)}  ${colorStatus(session.status, color)}  ${displayPath(session.input_file, deps.cwd)}  ${formatBytes(sizes[i] ?? 0)}\n`,
    );
  });
  if (!(await confirmRemoval(options, `Remove these ${plan.remove.length} session(s)?`, deps, color))) return;
  let removed = 0;
  let freed = 0;
  const failures: string[] = [];
  for (const [i, session] of plan.remove.entries()) {
    try {
      await removeSession(baseDir, session);
      removed += 1;
      freed += sizes[i] ?? 0;
    } catch (error) {
      failures.push(`${session.session_id}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  deps.stdout(color.green(`Removed ${removed} session(s), freed ${formatBytes(freed)}.\n`));
  await reportSweep(kept, deps);
  if (failures.length > 0) {
    // A failed removal is a failure of the operation (exit 1), not of the command line.
    throw new StorageError(`could not remove ${failures.length} session(s):\n  ${failures.join("\n  ")}`);
  }
}

async function reportSweep(kept: Parameters<typeof sweepLeftovers>[0][], deps: CliDeps): Promise<void> {
  let swept = 0;
  for (const session of kept) swept += await sweepLeftovers(session);
  if (swept > 0) deps.stdout(`Removed ${swept} leftover temp file(s) of interrupted writes.\n`);
}
