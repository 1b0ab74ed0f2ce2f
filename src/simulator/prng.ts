/** Small deterministic random helpers for the simulator: same seed, same numbers, on every platform. */

/** A random source: each call returns a float in [0, 1). */
export type Random = () => number;

/** The mulberry32 generator seeded with a 32-bit integer. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit hash of integers and strings (FNV-1a over their text), for per-item seeds. */
export function hashOf(...parts: ReadonlyArray<number | string>): number {
  let h = 0x811c9dc5;
  for (const char of parts.join("\u0001")) {
    h ^= char.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A float in [0, 1) fixed by `parts` alone (no generator state). */
export function unitOf(...parts: ReadonlyArray<number | string>): number {
  return mulberry32(hashOf(...parts))();
}

/** An integer in [min, max]. */
export function intIn(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** One element of a non-empty list. */
export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new RangeError("pick from an empty list");
  return item;
}

/** `count` lowercase hex digits. */
export function hex(random: Random, count: number): string {
  let out = "";
  for (let i = 0; i < count; i++) out += Math.floor(random() * 16).toString(16);
  return out;
}

/** A copy of `items` in a random order (Fisher–Yates). */
export function shuffle<T>(random: Random, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
