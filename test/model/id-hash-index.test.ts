import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hashId, IdHashIndex, OffsetList } from "../../src/model/id-hash-index.js";

describe("IdHashIndex", () => {
  it("answers as a Map of first indexes would, through growth, with the real hash and a colliding one", () => {
    const colliding = (id: string): [number, number] => [id.length % 3, 0];
    for (const hash of [hashId, colliding]) {
      fc.assert(
        fc.property(fc.array(fc.string({ maxLength: 6 }), { maxLength: 3000 }), (ids) => {
          const index = new IdHashIndex(hash, 4);
          const firstOfHash = new Map<string, number>();
          ids.forEach((id, i) => {
            const key = hash(id).join(",");
            const expected = firstOfHash.get(key) ?? -1;
            expect(index.add(id, i)).toBe(expected);
            if (expected < 0) firstOfHash.set(key, i);
          });
          expect(index.size).toBe(firstOfHash.size);
          for (const id of ids) expect(index.first(id)).toBe(firstOfHash.get(hash(id).join(",")));
          expect(index.first("\u0000never")).toBe(firstOfHash.get(hash("\u0000never").join(",")) ?? -1);
        }),
        { numRuns: 30 },
      );
    }
  });

  it("spreads a million similar ids: no two share a 64-bit hash", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1_000_000; i++) seen.add(hashId(`B${String(i).padStart(7, "0")}`).join(","));
    expect(seen.size).toBe(1_000_000);
  });
});

describe("OffsetList", () => {
  it("keeps offsets beyond 32 bits exactly, through growth", () => {
    const list = new OffsetList();
    const values = Array.from({ length: 5000 }, (_, i) => i * 3_000_017 + 2 ** 33);
    for (const value of values) list.push(value);
    expect(list.length).toBe(values.length);
    expect(values.every((value, i) => list.at(i) === value)).toBe(true);
  });
});
