import { ExitCode, exitCodeForSignal, type StopSignal } from "../errors.js";
import type { ConsolidateResult } from "./consolidate.js";
import type { SourceStop } from "./engine.js";

/**
 * How a consolidation run ended and the exit code that says so: the rules, kept apart from their
 * wording (the CLI renders each kind). Checked in this order: a declined input change, an
 * interruption, completion, then why it is not complete: a refused key is a failure (1) that
 * trying later cannot fix, so it comes first, even when another source is unreachable or out of
 * budget; then an API that cannot be reached or a spent budget can be tried later (75, nothing is
 * lost); failed lookups (or a source stopped by another error) are failures (1). Whatever the
 * outcome, every source that stopped is told ({@link stopsInOrder}).
 */
export type RunOutcome =
  | { kind: "declined"; exitCode: number }
  | { kind: "interrupted"; exitCode: number }
  | { kind: "complete"; exitCode: 0 }
  | { kind: "unreachable"; stops: SourceStop[]; exitCode: 75 }
  | { kind: "budget_exhausted"; stop: SourceStop; exitCode: 75 }
  | { kind: "key_refused"; stops: SourceStop[]; exitCode: 1 }
  | { kind: "lookups_failed"; exitCode: 1 };

export interface OutcomeContext {
  /** The signal that interrupted the run, if one did. */
  signal: StopSignal | undefined;
  /**
   * Someone could answer the input-change question (a terminal or --yes): declining it is then a
   * choice (exit 0); without one the run could not proceed (exit 2, usage).
   */
  couldAnswer: boolean;
}

export function runOutcome(result: ConsolidateResult, context: OutcomeContext): RunOutcome {
  if (result.declinedInputChange) {
    return { kind: "declined", exitCode: context.couldAnswer ? ExitCode.ok : ExitCode.usage };
  }
  if (result.engine.interrupted) {
    return { kind: "interrupted", exitCode: exitCodeForSignal(context.signal ?? "SIGINT") };
  }
  if (result.complete) return { kind: "complete", exitCode: ExitCode.ok };
  const { stops } = result.engine;
  const refused = stops.filter((s) => s.kind === "auth");
  if (refused.length > 0) return { kind: "key_refused", stops: refused, exitCode: ExitCode.failure };
  const unreachable = stops.filter((s) => s.kind === "unreachable");
  if (unreachable.length > 0) return { kind: "unreachable", stops: unreachable, exitCode: ExitCode.tryLater };
  const budget = stops.find((s) => s.kind === "budget_exhausted");
  if (budget) return { kind: "budget_exhausted", stop: budget, exitCode: ExitCode.tryLater };
  return { kind: "lookups_failed", exitCode: ExitCode.failure };
}

/** The order stops are told in: as {@link runOutcome} weighs them, in the order they came within a kind. */
const STOP_ORDER: readonly SourceStop["kind"][] = ["auth", "unreachable", "budget_exhausted", "error"];

/** Every stop of a run, the one that decided the outcome first. */
export function stopsInOrder(stops: readonly SourceStop[]): SourceStop[] {
  return STOP_ORDER.flatMap((kind) => stops.filter((stop) => stop.kind === kind));
}
