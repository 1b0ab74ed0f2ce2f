import { describe, expect, it } from "vitest";
import {
  type AdoptionInput,
  planAdoption,
  pythonInputForm,
  sameAdoptedInput,
} from "../../src/core/adopt-python.js";
import { type Paper, parsePaper } from "../../src/model/paper.js";
import { donePerSource, type PythonSession } from "../../src/storage/python-session.js";
import { inputHash, SessionState } from "../../src/storage/session-state.js";

/** Issue 15, next step: planning how a Python session becomes a cf session (pure, no files). */

const fetched = (source: string, count: number) => ({
  source,
  timestamp: "2025-07-19T20:15:01.123456",
  original: false,
  data: { count },
});

function paper(id: string, extra: Record<string, unknown> = {}): Paper {
  const result = parsePaper({ paper_id: id, title: `Paper ${id}`, venue: "ICML", year: 2021, ...extra }, 0);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.paper;
}

/** The input file's papers P1..Pn, and the Python session's copies: P1 by both, P2 by OpenAlex. */
function fixture(n = 4) {
  const input = Array.from({ length: n }, (_, i) => paper(`P${i + 1}`));
  const enriched = input.map((p) => {
    if (p.paper_id === "P1")
      return paper("P1", { citations: [fetched("openalex", 5), fetched("semanticscholar", 6)] });
    if (p.paper_id === "P2") return paper("P2", { citations: [fetched("openalex", 7)] });
    return p;
  });
  const python: PythonSession = {
    sessionId: "consolidate_20250719_201418_d9bb5987",
    dir: "/sessions/consolidate_20250719_201418_d9bb5987",
    inputFile: "data/collected/papers.json",
    totalPapers: n,
    status: "interrupted",
    papers: enriched,
    done: donePerSource(enriched),
    processed: { openalex: 3, semantic_scholar: 1 },
    notes: [],
  };
  const asInput = (papers: Paper[]): AdoptionInput => ({
    file: "/data/papers.json",
    sha256: "a".repeat(64),
    papers,
  });
  return { input, enriched, python, asInput };
}

describe("planAdoption", () => {
  it("estimates per source the papers the Python tool looked up and found nothing for (counted, not recorded)", () => {
    const { input, python, asInput } = fixture();
    const plan = planAdoption(python, asInput(input));
    // OpenAlex counted 3 processed and 2 papers hold its records: 1 found nothing, looked up again.
    expect(plan.foundNothing).toEqual({ openalex: 1, semantic_scholar: 0 });
    // Never more than the papers left for the source.
    const inflated = planAdoption({ ...python, processed: { openalex: 1_000 } }, asInput(input));
    expect(inflated.foundNothing.openalex).toBe(input.length - plan.done.openalex.length);
  });

  it("keeps every fetched record and marks those papers done per source; the input form is the input file's", () => {
    const { input, python, asInput } = fixture();
    const plan = planAdoption(python, asInput(input));
    expect(plan.basis).toBe("input");
    expect(plan.papers.map((p) => p.citations.length)).toEqual([2, 1, 0, 0]);
    expect(plan.done).toEqual({ openalex: ["P1", "P2"], semantic_scholar: ["P1"] });
    expect(plan.inputHashes).toEqual(Object.fromEntries(input.map((p) => [p.paper_id, inputHash(p)])));
    expect(plan.changes).toEqual({ added: 0, removed: 0, changed: 0 });
    expect(plan.notes).toEqual([]);
    // A later run on the same input reconciles to no change: nothing fetched is lost.
    const state = new SessionState(plan.papers, ["openalex"], plan.inputHashes);
    expect(state.previewReconcile(input)).toEqual({ added: [], removed: [], changed: [] });
  });

  it("takes ids the Python tool filled in (unmarked) for fills, not input changes: the paper stays done", () => {
    const { input, python, asInput } = fixture();
    const doi = "10.5555/filled.1";
    const idRecord = (source: string, type: string, value: string) => ({
      source,
      timestamp: "2025-07-19T20:15:01",
      original: false,
      data: { identifier_type: type, identifier_value: value },
    });
    // P1: both sources hold the DOI (the higher-ranked one is named); P2: only OpenAlex's records carry its ids.
    const p1 = python.papers![0]!;
    const p2 = python.papers![1]!;
    const filled = [
      {
        ...p1,
        doi,
        identifiers: [
          idRecord("semanticscholar", "doi", doi),
          idRecord("openalex", "doi", `https://doi.org/${doi}`),
        ],
      },
      {
        ...p2,
        doi: "10.5555/other.2",
        openalex_id: "https://openalex.org/W2",
        identifiers: [
          idRecord("openalex", "openalex", "https://openalex.org/W2"),
          idRecord("openalex", "doi", "https://doi.org/10.5555/other.2"),
        ],
      },
      ...python.papers!.slice(2),
    ];
    const plan = planAdoption({ ...python, papers: filled, done: donePerSource(filled) }, asInput(input));
    expect(plan.changes).toEqual({ added: 0, removed: 0, changed: 0 });
    expect(plan.done.openalex).toEqual(["P1", "P2"]);
    expect(plan.papers[0]).toMatchObject({ doi, processing_flags: { field_sources: { doi: "openalex" } } });
    expect(plan.papers[1]?.processing_flags.field_sources).toEqual({
      doi: "openalex",
      openalex_id: "openalex",
    });
    // An id on a paper nothing was fetched for is the input's: a change, looked up again.
    const edited = [
      python.papers![0]!,
      python.papers![1]!,
      { ...python.papers![2]!, doi },
      python.papers![3]!,
    ];
    const again = planAdoption({ ...python, papers: edited, done: donePerSource(edited) }, asInput(input));
    expect(again.changes.changed).toBe(1);
  });

  it("reconciles a changed input: added papers join, removed ones leave, changed ones start over", () => {
    const { input, python, asInput } = fixture();
    const changedP2 = paper("P2", { title: "A corrected title" });
    const plan = planAdoption(python, asInput([input[0]!, changedP2, input[2]!, paper("P9")]));
    expect(plan.papers.map((p) => p.paper_id)).toEqual(["P1", "P2", "P3", "P9"]);
    // A changed paper is the input's version, looked up again, keeping the records fetched for it.
    expect(plan.papers[1]).toMatchObject({ title: "A corrected title", citations: [fetched("openalex", 7)] });
    expect(plan.changes).toEqual({ added: 1, removed: 1, changed: 1 });
    expect(plan.done).toEqual({ openalex: ["P1"], semantic_scholar: ["P1"] });
    expect(plan.notes.join()).toContain("1 paper(s) added, 1 removed, 1 changed");
  });

  it("takes the session's own papers when the input file is gone", () => {
    const { enriched, python } = fixture();
    const plan = planAdoption(python, undefined);
    expect(plan.basis).toBe("session");
    expect(plan.papers).toEqual(enriched);
    expect(plan.done).toEqual({ openalex: ["P1", "P2"], semantic_scholar: ["P1"] });
    // Their input form: without the records the Python tool fetched.
    expect(plan.inputHashes.P1).toBe(inputHash(paper("P1")));
    expect(plan.notes.join()).toMatch(/input file is gone/);
  });

  it("refuses an input file that is another collection, and a session with neither papers nor input", () => {
    const { python, asInput } = fixture();
    expect(() => planAdoption(python, asInput([paper("X1"), paper("X2"), paper("P1")]))).toThrow(
      /holds 1 of the 4 papers of the Python tool's session .*: it is not that session's input/,
    );
    expect(() => planAdoption({ ...python, papers: undefined, done: donePerSource([]) }, undefined)).toThrow(
      /saved no papers and its input file data\/collected\/papers.json is gone/,
    );
  });

  it("an id on the session's paper that no fetched record carries is the input's: removing it is a change", () => {
    const { input, python, asInput } = fixture();
    // P2 holds an OpenAlex citation and a DOI no record carries (the user's, since removed).
    const withDoi = python.papers!.map((p) => (p.paper_id === "P2" ? { ...p, doi: "10.9999/wrong" } : p));
    const plan = planAdoption({ ...python, papers: withDoi, done: donePerSource(withDoi) }, asInput(input));
    expect(plan.changes.changed).toBe(1);
    expect(plan.done.openalex).toEqual(["P1"]);
    expect(plan.papers[1]?.doi).toBe("");
  });

  it("a session adopted without its input: the returning input's papers differing only by filled ids are the same", () => {
    const { input, python } = fixture();
    const doi = "10.5555/filled.2";
    const p2 = python.papers![1]!;
    const saved = {
      ...p2,
      doi,
      identifiers: [
        {
          source: "openalex",
          timestamp: "2025-07-19T20:15:01",
          original: false,
          data: { identifier_type: "doi", identifier_value: doi },
        },
      ],
    } as Paper;
    const kept = sameAdoptedInput(saved, input[1]!);
    expect(kept?.processing_flags.field_sources).toEqual({ doi: "openalex" });
    expect(sameAdoptedInput(saved, { ...input[1]!, title: "A corrected title" })).toBeUndefined();
    // Through the session state: stored hashes of the session's papers, reconciled with the input.
    const plan = planAdoption(
      { ...python, papers: [python.papers![0]!, saved, ...python.papers!.slice(2)] },
      undefined,
    );
    const state = new SessionState(plan.papers, ["openalex"], plan.inputHashes);
    expect(state.previewReconcile(input).changed).toEqual(["P2"]);
    expect(state.previewReconcile(input, sameAdoptedInput)).toEqual({ added: [], removed: [], changed: [] });
    state.reconcile(input, sameAdoptedInput);
    expect(state.paper("P2")?.processing_flags.field_sources).toEqual({ doi: "openalex" });
    expect(state.previewReconcile(input)).toEqual({ added: [], removed: [], changed: [] });
  });

  it("adopts the input as it is when the Python session saved no papers", () => {
    const { input, python, asInput } = fixture();
    const plan = planAdoption(
      { ...python, papers: undefined, done: donePerSource([]), notes: ["no papers"] },
      asInput(input),
    );
    expect(plan.basis).toBe("input");
    expect(plan.papers).toEqual(input);
    expect(plan.done).toEqual({ openalex: [], semantic_scholar: [] });
    expect(plan.changes).toEqual({ added: 0, removed: 0, changed: 0 });
    expect(plan.notes).toEqual(["no papers"]);
  });

  it("tells an enriched paper from a changed one: filled ids and their flags are not a change", () => {
    const { input, python, asInput } = fixture();
    const filled = {
      ...python.papers![0]!,
      doi: "10.1/filled",
      processing_flags: { field_sources: { doi: "openalex" } },
    };
    const plan = planAdoption({ ...python, papers: [filled, ...python.papers!.slice(1)] }, asInput(input));
    expect(plan.changes).toEqual({ added: 0, removed: 0, changed: 0 });
    expect(plan.papers[0]).toBe(filled);
  });

  it("pythonInputForm drops fetched records and keeps the collector's", () => {
    const original = { ...fetched("semantic_scholar", 3), original: true };
    const p = paper("P1", { citations: [original, fetched("openalex", 9)] });
    expect(pythonInputForm(p).citations).toEqual([original]);
    expect(p.citations).toHaveLength(2);
  });
});
