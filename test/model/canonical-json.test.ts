import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/model/canonical-json.js";

/** The recursive implementation canonicalJson replaced: its output must not change (hashes of it are stored). */
function recursiveCanonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = Object.create(null);
    for (const key of Object.keys(value).sort()) {
      out[key] = sortKeys((value as Record<string, unknown>)[key]);
    }
    return out;
  }
  return value;
}

/** `[1, <hole>, 3]`. */
function holes(): number[] {
  const list: number[] = [];
  list[0] = 1;
  list[2] = 3;
  return list;
}

/** Nest `leaf` `depth` levels deep: `{"x": {"x": … leaf}}`, alternating with lists. */
function nested(depth: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? { x: value } : [value];
  return value;
}

describe("canonicalJson", () => {
  it("gives the same bytes as the recursive implementation for any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(recursiveCanonicalJson(value));
      }),
      { numRuns: 2000 },
    );
  });

  it("gives the same bytes for JavaScript values JSON leaves out or rewrites", () => {
    const odd = fc.oneof(
      fc.constant(undefined),
      fc.constant(Number.NaN),
      fc.constant(Number.POSITIVE_INFINITY),
      fc.constant(-0),
      fc.constant(() => 1),
      fc.constant(Symbol("s")),
      fc.constant(new Date(0)),
      fc.constant(new String("ab")),
      fc.constant(holes()),
      fc.constant(JSON.parse('{"__proto__": {"a": 1}, "b": 2}')),
      fc.double(),
      fc.string({ unit: "binary" }),
    );
    const values = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: "small" }, odd, tie("array"), tie("object")),
      array: fc.array(tie("value"), { maxLength: 4 }),
      object: fc.dictionary(fc.string({ unit: "binary" }), tie("value"), { maxKeys: 4 }),
    })).value;
    fc.assert(
      fc.property(values, (value) => {
        expect(canonicalJson(value)).toBe(recursiveCanonicalJson(value));
      }),
      { numRuns: 2000 },
    );
  });

  it("sorts keys at every level", () => {
    expect(canonicalJson({ b: [{ d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[{"c":2,"d":1}]}');
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson([])).toBe("[]");
    expect(canonicalJson({})).toBe("{}");
    // Integer-like keys come first in numeric order, as the object the old code built enumerated them.
    const keys = { b: 1, "10": 2, "2": 3, "01": 4, "4294967295": 5, "4294967294": 6, "-1": 7, "": 8 };
    expect(canonicalJson(keys)).toBe(recursiveCanonicalJson(keys));
    expect(canonicalJson(keys)).toBe('{"2":3,"10":2,"4294967294":6,"":8,"-1":7,"01":4,"4294967295":5,"b":1}');
  });

  it("handles any depth without a stack overflow", () => {
    const depth = 200_000;
    const text = canonicalJson(nested(depth));
    expect(text).toBe(`${'[{"x":'.repeat(depth / 2)}1${"}]".repeat(depth / 2)}`);
    expect(() => recursiveCanonicalJson(nested(depth))).toThrow(RangeError);
  });
});
