import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { partialRatio, ratio, tokenSetRatio, tokenSortRatio } from "../../src/sources/fuzz.js";

describe("ratio", () => {
  it("is 100 · 2·LCS / total length", () => {
    // LCS("abc", "abd") = 2 → 100·2·2/6 = 66.67
    expect(ratio("abc", "abd")).toBeCloseTo(200 / 3, 10);
    // LCS = 14 → 28/29
    expect(ratio("this is a test", "this is a test!")).toBeCloseTo(2800 / 29, 10);
    expect(ratio("abc", "xyz")).toBe(0);
    expect(ratio("same", "same")).toBe(100);
  });

  it("treats two empty strings as identical and one empty string as nothing in common", () => {
    expect(ratio("", "")).toBe(100);
    expect(ratio("abc", "")).toBe(0);
  });

  it("counts code points, not UTF-16 units", () => {
    // 2 code points each, 1 shared → 50 (UTF-16 would see 3 units each with 2 shared and give 66.67)
    expect(ratio("😀a", "😀b")).toBe(50);
    // "😀" and "😁" share a high surrogate but are different characters
    expect(ratio("😀", "😁")).toBe(0);
  });
});

describe("partialRatio", () => {
  it("finds the shorter string inside the longer one", () => {
    expect(partialRatio("abcd", "xxabcdxx")).toBe(100);
    expect(partialRatio("xxabcdxx", "abcd")).toBe(100);
    expect(partialRatio("aaaa", "babaaaab")).toBe(100);
  });

  it("takes the best window, not the first", () => {
    // "real" vs window "rcel": LCS "rel" = 3 → 6/8
    expect(partialRatio("real", "barcelona")).toBe(75);
    // "cetain" vs "certai": LCS 5 → 10/12
    expect(partialRatio("a certain string", "cetain")).toBeCloseTo(250 / 3, 10);
  });

  it("considers windows that hang over the ends of the longer string", () => {
    // full windows give at most "cdxx" (4/8 = 50); the prefix window "cd" gives 4/6
    expect(partialRatio("abcd", "cdxxxx")).toBeCloseTo(200 / 3, 10);
    // symmetric case at the other end: suffix window "ab"
    expect(partialRatio("abcd", "xxxxab")).toBeCloseTo(200 / 3, 10);
  });

  it("tries both directions when the lengths are equal", () => {
    // "aba" vs the prefix window "aa" of "aab": LCS 2 → 2·2/5; the reverse direction also reaches 80
    expect(partialRatio("aba", "aab")).toBe(80);
    expect(partialRatio("aab", "aba")).toBe(80);
  });

  it("handles empty strings like rapidfuzz", () => {
    expect(partialRatio("", "")).toBe(100);
    expect(partialRatio("", "abc")).toBe(0);
  });
});

describe("tokenSortRatio", () => {
  it("ignores word order", () => {
    expect(tokenSortRatio("new york mets", "mets new york")).toBe(100);
  });

  it("compares the sorted, re-joined tokens", () => {
    // "a bear fuzzy was" (16) vs "a bear fuzzy fuzzy was" (22): LCS 16 → 32/38
    expect(tokenSortRatio("fuzzy was a bear", "fuzzy fuzzy was a bear")).toBeCloseTo(3200 / 38, 10);
    expect(tokenSortRatio("  b   a ", "a b")).toBe(100);
  });
});

describe("tokenSetRatio", () => {
  it("is 100 when one token set contains the other", () => {
    expect(tokenSetRatio("fuzzy was a bear", "fuzzy fuzzy was a bear")).toBe(100);
    expect(tokenSetRatio("fuzzy was a bear but not a dog", "fuzzy was a bear")).toBe(100);
  });

  it("takes the best of the three intersection/difference pairs", () => {
    // sect "a bear but fuzzy not was" (24); diffs "dog"/"cat".
    // sect vs "sect dog": distance 4 over 24+28 → 100 − 400/52
    expect(tokenSetRatio("fuzzy was a bear but not a dog", "fuzzy was a bear but not a cat")).toBeCloseTo(
      100 - 400 / 52,
      10,
    );
  });

  it("compares the differences alone when nothing is shared", () => {
    // "a b" vs "c d": LCS " " = 1 → distance 4 over 6
    expect(tokenSetRatio("a b", "c d")).toBeCloseTo(100 - 400 / 6, 10);
  });

  it("returns 0 when a side has no tokens", () => {
    expect(tokenSetRatio("", "abc")).toBe(0);
    expect(tokenSetRatio("   ", "   ")).toBe(0);
  });
});

describe("scorer properties", () => {
  const scorers = { ratio, partialRatio, tokenSortRatio, tokenSetRatio };

  it.each(Object.entries(scorers))("%s is symmetric and within 0..100", (_name, scorer) => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), (a, b) => {
        const score = scorer(a, b);
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(100);
        expect(scorer(b, a)).toBeCloseTo(score, 10);
      }),
    );
  });

  it("scores a non-blank string 100 against itself", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20 }), (s) => {
        expect(ratio(s, s)).toBe(100);
        expect(partialRatio(s, s)).toBe(100);
        expect(tokenSortRatio(s, s)).toBe(100);
      }),
    );
  });
});
