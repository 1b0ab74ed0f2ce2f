/**
 * The explicit paper ids of an input, each held as a 64-bit hash with the index of the first paper
 * that has it: a million ids cost about 24 MB instead of the strings and a Map (about 100 MB).
 * A hash says only that two ids may be equal: the caller reads the papers to know (hashes of two
 * different ids are equal about once in 2^64 pairs, and that is handled exactly too).
 */
export class IdHashIndex {
  private high: Uint32Array;
  private low: Uint32Array;
  /** Paper index + 1 per slot; 0 for an empty slot. */
  private firsts: Int32Array;
  private count = 0;

  /** `hash`: tests pass one that collides often, to exercise what a real collision does. */
  constructor(
    private readonly hash: (id: string) => [number, number] = hashId,
    capacity = 1024,
  ) {
    this.high = new Uint32Array(capacity);
    this.low = new Uint32Array(capacity);
    this.firsts = new Int32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /**
   * Note that paper `index` has `id`. Returns the index of the first paper whose id has the same
   * hash (the same id, almost surely), or -1 when none has (then `index` is that first paper).
   */
  add(id: string, index: number): number {
    const [h, l] = this.hash(id);
    const slot = this.find(h, l);
    if (this.firsts[slot]! > 0) return this.firsts[slot]! - 1;
    this.high[slot] = h;
    this.low[slot] = l;
    this.firsts[slot] = index + 1;
    this.count += 1;
    if (this.count * 4 > this.firsts.length * 3) this.grow();
    return -1;
  }

  /** The index of the first paper whose id has the hash of `id`, or -1. */
  first(id: string): number {
    const [h, l] = this.hash(id);
    return this.firsts[this.find(h, l)]! - 1;
  }

  /** The slot holding the hash, or the empty slot where it would go (linear probing). */
  private find(h: number, l: number): number {
    const mask = this.firsts.length - 1;
    let slot = (h ^ Math.imul(l, 0x9e3779b1)) & mask;
    while (this.firsts[slot]! > 0 && (this.high[slot] !== h || this.low[slot] !== l))
      slot = (slot + 1) & mask;
    return slot;
  }

  private grow(): void {
    const { high, low, firsts } = this;
    this.high = new Uint32Array(firsts.length * 2);
    this.low = new Uint32Array(firsts.length * 2);
    this.firsts = new Int32Array(firsts.length * 2);
    for (let old = 0; old < firsts.length; old++) {
      if (firsts[old] === 0) continue;
      const slot = this.find(high[old]!, low[old]!);
      this.high[slot] = high[old]!;
      this.low[slot] = low[old]!;
      this.firsts[slot] = firsts[old]!;
    }
  }
}

/** Two independent 32-bit hashes of a string's UTF-16 code units (FNV-1a and a multiply-rotate). */
export function hashId(id: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x2545f491 ^ id.length;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b = (b << 13) | (b >>> 19);
  }
  b = Math.imul(b ^ (b >>> 15), 0x2c1b3c6d);
  return [a >>> 0, (b ^ (b >>> 12)) >>> 0];
}

/** A list of offsets that grows as it is filled, in a typed array (no boxed numbers beyond 2 GB). */
export class OffsetList {
  private values = new Float64Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  at(index: number): number {
    return this.values[index]!;
  }
}
