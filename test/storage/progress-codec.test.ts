import { describe, expect, it } from "vitest";
import { SessionCorruptError } from "../../src/errors.js";
import type { PaperPositions } from "../../src/storage/paper-columns.js";
import { columnsOf, failedPaperIds, progressFileOf } from "../../src/storage/progress-codec.js";
import {
  type ProgressFile,
  progressFileSchema,
  trustedProgressFileSchema,
} from "../../src/storage/session-files.js";
import { SessionState } from "../../src/storage/session-state.js";
import { makePapers } from "../helpers/papers.js";

/** A state of 6 papers with outcomes of every kind for two sources, errors and an odd input hash. */
function stateWithWork(): SessionState {
  const state = new SessionState(makePapers(6), ["openalex", "semantic_scholar"]);
  state.outcomes.get("openalex")!.set("P0000", "matched").set("P0002", "failed").set("P0005", "not_found");
  state.outcomes.get("semantic_scholar")!.set("P0001", "failed").set("P0002", "matched");
  state.errors.get("openalex")!.set("P0002", "HTTP 503 after 5 attempts");
  state.inputHashes.set("P0003", "hash of another form");
  return state;
}

function positionsOf(ids: readonly string[]): PaperPositions {
  const index = new Map(ids.map((id, position) => [id, position]));
  return { ids: () => ids, positionOf: (id) => index.get(id) };
}

/** progress.json as cf writes it (through JSON and the schema, as a resume reads it). */
function written(state: SessionState): ProgressFile {
  const file = progressFileOf(
    {
      outcomes: state.outcomes,
      inputHashes: state.inputHashes,
      errors: state.errors,
      paperIds: state.paperIds(),
      lineLengths: state.paperIds().map((_, i) => 100 + i),
    },
    3,
    42,
  );
  return progressFileSchema.parse(JSON.parse(JSON.stringify(file)));
}

/** The same content in the form of earlier versions (objects keyed by paper id). */
function earlierForm(state: SessionState): ProgressFile {
  return progressFileSchema.parse({
    generation: 3,
    journal_seq: 42,
    sources: Object.fromEntries([...state.outcomes].map(([s, column]) => [s, Object.fromEntries(column)])),
    errors: Object.fromEntries([...state.errors].map(([s, map]) => [s, Object.fromEntries(map)])),
    input_hashes: Object.fromEntries(state.inputHashes),
  });
}

function entriesOf(columns: ReturnType<typeof columnsOf>) {
  return {
    outcomes: [...columns.outcomes].map(([s, column]) => [s, [...column]]),
    hashes: [...columns.inputHashes],
  };
}

describe("progress.json codes", () => {
  it("writes one code per paper and reads back every outcome and input hash", () => {
    const state = stateWithWork();
    const file = written(state);
    expect(file.outcome_codes).toEqual({ openalex: "m.f..n", semantic_scholar: ".fm..." });
    expect(file.input_hash_codes).toHaveLength(6 * 16);
    expect(file.input_hashes).toEqual({ P0003: "hash of another form" });
    expect(file.sources).toBeUndefined();
    const read = columnsOf(file, positionsOf(state.paperIds()), "progress.json");
    expect(entriesOf(read)).toEqual(entriesOf({ outcomes: state.outcomes, inputHashes: state.inputHashes }));
  });

  it("reads the form of earlier versions (objects keyed by paper id) to the same columns", () => {
    const state = stateWithWork();
    const positions = positionsOf(state.paperIds());
    expect(entriesOf(columnsOf(earlierForm(state), positions, "progress.json"))).toEqual(
      entriesOf(columnsOf(written(state), positions, "progress.json")),
    );
  });

  it("reads codes by paper id when the session's papers are in another order than paper_ids", () => {
    const state = stateWithWork();
    const shuffled = positionsOf(["P0005", "P0003", "P0001", "P0000", "P0004", "P0002"]);
    const read = columnsOf(written(state), shuffled, "progress.json");
    expect(read.outcomes.get("openalex")?.get("P0002")).toBe("failed");
    expect(read.outcomes.get("openalex")?.get("P0005")).toBe("not_found");
    expect(read.outcomes.get("semantic_scholar")?.get("P0001")).toBe("failed");
    for (const id of state.paperIds()) expect(read.inputHashes.get(id)).toBe(state.inputHashes.get(id));
  });

  it("lists the failed papers per source in either form", () => {
    const state = stateWithWork();
    const expected = new Map([
      ["openalex", ["P0002"]],
      ["semantic_scholar", ["P0001"]],
    ]);
    expect(failedPaperIds(written(state))).toEqual(expected);
    expect(failedPaperIds(earlierForm(state))).toEqual(expected);
  });

  it("refuses a damaged code naming the file and key", () => {
    const file = written(stateWithWork());
    const damaged = { ...file, outcome_codes: { ...file.outcome_codes, openalex: "m.f.?n" } };
    expect(() => columnsOf(damaged, positionsOf(stateWithWork().paperIds()), "/s/progress.json")).toThrow(
      SessionCorruptError,
    );
    expect(() => columnsOf(damaged, positionsOf(stateWithWork().paperIds()), "/s/progress.json")).toThrow(
      /\/s\/progress\.json: outcome_codes\.openalex: unknown outcome code "\?" at 4/,
    );
    const badHash = {
      ...file,
      input_hash_codes: `${"z".repeat(16)}${(file.input_hash_codes ?? "").slice(16)}`,
    };
    expect(() => columnsOf(badHash, positionsOf(stateWithWork().paperIds()), "/s/progress.json")).toThrow(
      /input_hash_codes: "z{16}" at 0 is not a hash/,
    );
  });

  it("refuses codes that do not have one code per paper of paper_ids, trusted or not", () => {
    const file = JSON.parse(JSON.stringify(written(stateWithWork())));
    for (const schema of [progressFileSchema, trustedProgressFileSchema]) {
      const short = schema.safeParse({ ...file, outcome_codes: { openalex: "m.f" } });
      expect(short.success).toBe(false);
      expect(JSON.stringify(short.error?.issues)).toMatch(/outcome_codes.*openalex.*found 3/);
      const noIds = schema.safeParse({ ...file, paper_ids: undefined });
      expect(noIds.success).toBe(false);
      const hashes = schema.safeParse({ ...file, input_hash_codes: "0123" });
      expect(JSON.stringify(hashes.error?.issues)).toMatch(/input_hash_codes/);
    }
  });
});
