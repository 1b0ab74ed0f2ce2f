import { type ConsolidateInput, readAdoptionPlan } from "../../core/consolidate.js";
import { planRun } from "../../core/plan.js";
import { type CacheSettings, openPlanCache } from "../../core/run-cache.js";
import { decideSession, type InputIdentity, type SessionDecision } from "../../core/session-choice.js";
import { SessionNotFoundError } from "../../errors.js";
import type { ScannedInput } from "../../model/input-stream.js";
import { describeMigration } from "../../model/legacy-fields.js";
import type { Paper } from "../../model/paper.js";
import type { SourceName } from "../../model/records.js";
import { safeText } from "../../model/safe-text.js";
import type { SourceClient } from "../../sources/types.js";
import { type ConsolidateOptions, sourceRates } from "../consolidate-options.js";
import type { CliDeps } from "../deps.js";
import { adoptionLines } from "../render/adoption.js";
import { renderPlan } from "../render/plan.js";
import { displayPath } from "../render/sessions-table.js";

/**
 * `cf consolidate --dry-run`: the plan of a run, fetching and writing nothing. With `--resume` it
 * first says which session the run would continue; continuing a Python tool's session, what would
 * be taken over and what is left, and the plan counts only the lookups left.
 */

export interface DryRunContext {
  options: ConsolidateOptions;
  /** The input (sha256 undefined when the file is gone). */
  input: ConsolidateInput & InputIdentity;
  /** Reads and checks the input (throws when it is gone or invalid). */
  scan: () => Promise<ScannedInput>;
  clients: readonly SourceClient[];
  cache: CacheSettings | undefined;
  baseDir: string;
  deps: CliDeps;
}

interface Planned {
  /** Read once, one at a time. */
  papers: Iterable<Paper>;
  label: string;
  preface: string[];
  done?: Partial<Record<SourceName, ReadonlySet<string>>>;
  migrated?: string | undefined;
}

export async function dryRun(context: DryRunContext): Promise<void> {
  const { options, deps } = context;
  const planned = options.resume ? await plannedResume(context) : await fromInput(context, []);
  if (!planned) return;
  const planCache = context.cache ? openPlanCache(context.cache, deps.now) : undefined;
  try {
    const plan = planRun(
      planned.papers,
      context.clients,
      sourceRates(options),
      planCache?.read,
      planned.done,
    );
    deps.stdout(
      renderPlan(plan.papers, plan, planned.migrated, {
        input: planned.label,
        checkpointInterval: options.checkpointInterval,
        preface: planned.preface,
      }),
    );
  } finally {
    planCache?.close();
  }
}

async function fromInput(context: DryRunContext, preface: string[]): Promise<Planned> {
  const scanned = await context.scan();
  return {
    papers: scanned.papers(),
    label: inputLabel(context),
    preface,
    migrated: describeMigration(scanned.migrated),
  };
}

function inputLabel(context: DryRunContext): string {
  return context.options.input ?? displayPath(context.input.file, context.deps.cwd);
}

/** The plan of `--resume`: undefined when there is nothing to plan (all said in the preface). */
async function plannedResume(context: DryRunContext): Promise<Planned | undefined> {
  const { deps, input } = context;
  const decision = await decideSession(context.options, input, context.baseDir, deps.cwd);
  if (decision.kind === "adopt") {
    const { python, plan } = await readAdoptionPlan(decision.session.dir, input);
    const done = Object.fromEntries(Object.entries(plan.done).map(([source, ids]) => [source, new Set(ids)]));
    return {
      papers: plan.papers,
      label:
        plan.basis === "session"
          ? `the papers of session ${safeText(python.sessionId)} (${displayPath(python.dir, deps.cwd)})`
          : inputLabel(context),
      preface: [
        `A run would continue the Python tool's session ${safeText(decision.session.session_id)} (${decision.session.status}) in a new cf session; its files stay as they are.`,
        ...adoptionLines(python.sessionId, plan),
      ],
      done,
      migrated: plan.basis === "input" ? describeMigration((await context.scan()).migrated) : undefined,
    };
  }
  if (decision.kind === "resume") {
    const { session } = decision;
    const perSource = Object.entries(session.sources)
      .map(([name, s]) => `${safeText(name)} ${s.papers_done}/${session.total_papers ?? "?"} done`)
      .join(", ");
    const preface = [
      `A run would resume session ${safeText(session.session_id)} (${session.status}; last checkpoint ${safeText(session.last_checkpoint ?? "never")}): ${perSource}.`,
    ];
    if (input.sha256 === undefined) {
      deps.stdout(
        [
          "DRY RUN: nothing is fetched or written.",
          ...preface,
          `The input file ${displayPath(input.file, deps.cwd)} is gone: the session goes on with its own papers.`,
          "",
        ].join("\n"),
      );
      return undefined;
    }
    preface.push("  The estimate below is for the whole input; the session skips the papers it has done.");
    return fromInput(context, preface);
  }
  if (decision.kind === "named-missing") {
    throw new SessionNotFoundError(
      `no session ${decision.sessionId} in ${displayPath(context.baseDir, deps.cwd)}`,
      { hint: "List sessions with `cf consolidate-sessions list --all`." },
    );
  }
  return fromInput(context, [notResumed(decision)]);
}

/** Why `--resume` would not continue a session, in one line. */
function notResumed(decision: SessionDecision): string {
  switch (decision.kind) {
    case "running-elsewhere":
      return `Session ${safeText(decision.session.session_id)} for this input is running elsewhere: a resume now would be refused (exit 75).`;
    case "newest-corrupt":
      return `The newest session for this input (${safeText(decision.session.session_id)}) is corrupt: a resume needs --yes to start a new one.`;
    case "already-completed":
      return `Session ${safeText(decision.session.session_id)} already completed this input: a resume would do nothing.`;
    case "confirm-new":
      return `No resumable session for this input in this checkpoint directory (${decision.others.length} other session(s)): a run would start a new one.`;
    default:
      return "No session to resume for this input: a run would start a new one.";
  }
}
