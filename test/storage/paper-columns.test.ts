import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  InputHashColumn,
  NO_HASH,
  OutcomeColumn,
  type PaperPositions,
} from "../../src/storage/paper-columns.js";
import type { PaperOutcome } from "../../src/storage/session-files.js";

/** Positions over a list of ids that can grow (as a store's does when papers are added). */
function positionsOf(ids: string[]): PaperPositions {
  const index = new Map(ids.map((id, position) => [id, position]));
  return {
    ids: () => ids,
    positionOf: (id) => {
      if (index.size !== ids.length)
        for (const [position, known] of ids.entries()) index.set(known, position);
      return index.get(id);
    },
  };
}

const OUTCOMES: PaperOutcome[] = ["matched", "not_found", "failed"];

type Op =
  | { kind: "set"; id: number; value: number }
  | { kind: "delete"; id: number }
  | { kind: "grow" }
  | { kind: "clear" };

const ops = fc.array(
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({ kind: fc.constant("set" as const), id: fc.nat(40), value: fc.nat(5) }),
    },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("delete" as const), id: fc.nat(40) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("grow" as const) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("clear" as const) }) },
  ),
  { maxLength: 80 },
);

/** Run `ops` on a column and on a Map restricted to the held ids; they must agree after every step. */
function agreeWithMap<V>(
  make: (positions: PaperPositions) => Map<string, V>,
  valueFor: (n: number) => V,
  script: Op[],
): void {
  const ids = Array.from({ length: 10 }, (_, i) => `P${i}`);
  const positions = positionsOf(ids);
  const column = make(positions);
  const model = new Map<string, V>();
  for (const step of script) {
    const id = `P${step.kind === "set" || step.kind === "delete" ? step.id : 0}`;
    if (step.kind === "grow") ids.push(`P${ids.length}`);
    else if (step.kind === "clear") {
      column.clear();
      model.clear();
    } else if (step.kind === "set") {
      column.set(id, valueFor(step.value));
      if (ids.includes(id)) model.set(id, valueFor(step.value)); // a paper the session does not hold is ignored
    } else expect(column.delete(id)).toBe(model.delete(id));
    for (const known of ids) expect(column.get(known)).toEqual(model.get(known));
    expect(column.size).toBe(model.size);
    // Iteration is in paper order.
    const inOrder = ids.filter((known) => model.has(known)).map((known) => [known, model.get(known)]);
    expect([...column]).toEqual(inOrder);
  }
}

describe("OutcomeColumn", () => {
  it("behaves as a Map of the session's papers, in paper order (property)", () => {
    fc.assert(
      fc.property(ops, (script) =>
        agreeWithMap(
          (positions) => new OutcomeColumn(positions),
          (n) => OUTCOMES[n % 3] as PaperOutcome,
          script,
        ),
      ),
    );
  });

  it("counts each outcome as cells change, and reads back what it writes as codes", () => {
    const ids = ["A", "B", "C", "D", "E"];
    const column = new OutcomeColumn(positionsOf(ids));
    column
      .set("A", "matched")
      .set("B", "failed")
      .set("C", "failed")
      .set("C", "not_found")
      .set("Z", "matched");
    column.delete("B");
    expect(column.counts()).toEqual({ matched: 1, not_found: 1, failed: 0 });
    const codes = column.toCodes(ids.length);
    expect(codes).toBe("m.n..");
    const read = OutcomeColumn.fromCodes(positionsOf(ids), codes);
    expect([...read]).toEqual([...column]);
    expect(read.counts()).toEqual(column.counts());
    expect(read.at(2)).toBe("not_found");
  });

  it("refuses a code it does not know, saying where", () => {
    expect(() => OutcomeColumn.fromCodes(positionsOf(["A", "B"]), "mx")).toThrow(/"x" at 1/);
  });
});

describe("InputHashColumn", () => {
  const hex = (n: number) => n.toString(16).padStart(16, "0");

  it("behaves as a Map of the session's papers, for hashes and values of any other form (property)", () => {
    fc.assert(
      fc.property(ops, (script) =>
        agreeWithMap(
          (positions) => new InputHashColumn(positions),
          // Mostly 16 hex digits (8 bytes each); some of another form, kept aside as they are.
          (n) => (n === 4 ? "not a hash" : n === 5 ? "ABCDEF0123456789" : hex(n * 0x1111_1111 + 7)),
          script,
        ),
      ),
    );
  });

  it("writes 16 hex digits per paper (16 dashes for none) and reads them back, with other forms aside", () => {
    const ids = ["A", "B", "C", "D"];
    const column = new InputHashColumn(positionsOf(ids));
    column.set("A", hex(1)).set("C", "odd value").set("D", "0123456789abcdef");
    const { codes, other } = column.toCodes(ids.length);
    expect(codes).toBe(`${hex(1)}${NO_HASH}${NO_HASH}0123456789abcdef`);
    expect(other).toEqual({ C: "odd value" });
    const read = InputHashColumn.fromCodes(positionsOf(ids), codes);
    for (const [id, hash] of Object.entries(other)) read.set(id, hash);
    expect([...read]).toEqual([...column]);
  });

  it("refuses codes of another length or form, saying where", () => {
    const positions = positionsOf(["A", "B"]);
    expect(() => InputHashColumn.fromCodes(positions, "0123")).toThrow(/multiple of 16/);
    expect(() => InputHashColumn.fromCodes(positions, `${hex(1)}0123456789abcdeZ`)).toThrow(
      /at 1 is not a hash/,
    );
  });
});
