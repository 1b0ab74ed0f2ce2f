import { describe, expect, it } from "vitest";
import { SessionState } from "../../src/storage/session-state.js";
import { makePapers, updateFor } from "../helpers/papers.js";

/** A state of 5 papers where openalex matched P0000 and failed P0001 and P0003. */
function stateWithWork(): SessionState {
  const state = new SessionState(makePapers(5), ["openalex"]);
  const entry = {
    type: "batch" as const,
    source: "openalex" as const,
    at: "2026-01-01T00:00:00.000Z",
    api_calls: 1,
    outcomes: { P0000: "matched" as const, P0001: "failed" as const, P0003: "failed" as const },
    errors: { P0001: "HTTP 503 after 5 attempts" },
    updates: [updateFor("P0000", "openalex")],
  };
  state.applyToProgress(entry);
  state.applyToCounters(entry);
  state.applyToPapers(entry);
  return state;
}

/** The input of the next run: P0001 removed, P0002 changed, P0005 added, the rest as before. */
function nextInput() {
  const [p0, , p2, p3, p4] = makePapers(5);
  const [, , , , , p5] = makePapers(6);
  return [p5!, p0!, { ...p2!, title: "Paper number 2, revised" }, p3!, p4!];
}

/** Everything reconcile may change. */
function fingerprint(state: SessionState): string {
  const outcomes = [...state.outcomes.get("openalex")!];
  return JSON.stringify({ papers: state.readAllPapers(), outcomes, hashes: [...state.inputHashes] });
}

describe("SessionState input changes", () => {
  it("previews exactly what reconcile then does, changing nothing", () => {
    const state = stateWithWork();
    const before = fingerprint(state);
    const preview = state.previewReconcile(nextInput());
    expect(preview).toEqual({ added: ["P0005"], removed: ["P0001"], changed: ["P0002"] });
    expect(fingerprint(state)).toBe(before);
    expect(state.reconcile(nextInput())).toEqual(preview);
    expect(state.readAllPapers().map((p) => p.paper_id)).toEqual([
      "P0005",
      "P0000",
      "P0002",
      "P0003",
      "P0004",
    ]);
    expect(state.readAllPapers()[1]?.citations).toHaveLength(1); // unchanged: keeps what it gained
    expect(state.previewReconcile(nextInput())).toEqual({ added: [], removed: [], changed: [] });
  });

  it("lists the failed papers of a source in input order with their last error", () => {
    const state = stateWithWork();
    expect(state.failedPapers("openalex")).toEqual([
      { paper_id: "P0001", error: "HTTP 503 after 5 attempts" },
      { paper_id: "P0003", error: "unknown error" },
    ]);
    expect(state.failedPapers("semantic_scholar")).toEqual([]);
  });
});
