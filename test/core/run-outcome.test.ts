import { describe, expect, it } from "vitest";
import type { ConsolidateResult } from "../../src/core/consolidate.js";
import type { SourceStop } from "../../src/core/engine.js";
import { runOutcome, stopsInOrder } from "../../src/core/run-outcome.js";

/** A finished run's result with only what the rules read. */
function result(part: {
  complete?: boolean;
  declined?: boolean;
  interrupted?: boolean;
  stops?: SourceStop[];
}): ConsolidateResult {
  return {
    complete: part.complete ?? false,
    declinedInputChange: part.declined ?? false,
    engine: { interrupted: part.interrupted ?? false, stops: part.stops ?? [] },
  } as unknown as ConsolidateResult;
}

const stop = (source: string, kind: SourceStop["kind"]): SourceStop =>
  ({ source, kind, message: `${source} ${kind}` }) as SourceStop;
const quiet = { signal: undefined, couldAnswer: false };

describe("runOutcome: how a run ended, and its exit code", () => {
  it("a declined input change: 0 when someone chose, 2 when nobody could answer", () => {
    expect(runOutcome(result({ declined: true }), { signal: undefined, couldAnswer: true })).toEqual({
      kind: "declined",
      exitCode: 0,
    });
    expect(runOutcome(result({ declined: true }), quiet).exitCode).toBe(2);
  });

  it("an interruption exits 128 + the signal (SIGINT when none was recorded)", () => {
    expect(
      runOutcome(result({ interrupted: true }), { signal: "SIGTERM", couldAnswer: false }).exitCode,
    ).toBe(143);
    expect(runOutcome(result({ interrupted: true }), { signal: "SIGHUP", couldAnswer: false }).exitCode).toBe(
      129,
    );
    expect(runOutcome(result({ interrupted: true }), quiet).exitCode).toBe(130);
  });

  it("complete is 0 even when a source had stopped earlier and was finished", () => {
    expect(runOutcome(result({ complete: true, stops: [stop("openalex", "auth")] }), quiet)).toEqual({
      kind: "complete",
      exitCode: 0,
    });
  });

  it("each cause alone: unreachable 75, a budget 75, a refused key 1", () => {
    expect(runOutcome(result({ stops: [stop("x", "unreachable")] }), quiet)).toMatchObject({
      kind: "unreachable",
      exitCode: 75,
    });
    expect(
      runOutcome(result({ stops: [stop("semantic_scholar", "budget_exhausted")] }), quiet),
    ).toMatchObject({
      kind: "budget_exhausted",
      exitCode: 75,
      stop: { source: "semantic_scholar" },
    });
    expect(runOutcome(result({ stops: [stop("openalex", "auth")] }), quiet)).toMatchObject({
      kind: "key_refused",
      exitCode: 1,
    });
  });

  it("a refused key is not hidden behind try-later: it comes before unreachable, unreachable before a budget", () => {
    const all = [
      stop("semantic_scholar", "budget_exhausted"),
      stop("x", "unreachable"),
      stop("openalex", "auth"),
    ];
    expect(runOutcome(result({ stops: all }), quiet)).toMatchObject({
      kind: "key_refused",
      exitCode: 1,
      stops: [{ source: "openalex" }],
    });
    const noKey = all.filter((s) => s.kind !== "auth");
    expect(runOutcome(result({ stops: noKey }), quiet)).toMatchObject({ kind: "unreachable", exitCode: 75 });
    expect(runOutcome(result({ stops: [...noKey, stop("y", "error")] }), quiet).exitCode).toBe(75);
  });

  it("every stop is told, the deciding kind first, in the order they came within a kind", () => {
    const stops = [
      stop("a", "error"),
      stop("b", "budget_exhausted"),
      stop("c", "unreachable"),
      stop("d", "auth"),
      stop("e", "unreachable"),
    ];
    expect(stopsInOrder(stops).map((s) => s.source)).toEqual(["d", "c", "e", "b", "a"]);
  });

  it("failed lookups or a source stopped by another error: 1", () => {
    expect(runOutcome(result({}), quiet)).toEqual({ kind: "lookups_failed", exitCode: 1 });
    expect(runOutcome(result({ stops: [stop("openalex", "error")] }), quiet).kind).toBe("lookups_failed");
  });
});
