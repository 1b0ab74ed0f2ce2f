import type { PaperOutcome } from "./session-files.js";

/**
 * Per-paper state of a session held by paper position, one small fixed-size cell per paper, instead
 * of a Map with an entry per paper (issue 16: a million-entry Map costs a second to build on resume
 * and keeps the garbage collector busy all run). Each column reads like a Map keyed by paper id.
 */

/** Where a session's papers are (their order in the store). */
export interface PaperPositions {
  /** The paper's position, or undefined when the session does not hold it. */
  positionOf(paperId: string): number | undefined;
  /** Paper ids in position order. */
  ids(): readonly string[];
}

const NONE = 0;
const OUTCOME_CODES: Readonly<Record<PaperOutcome, number>> = { matched: 1, not_found: 2, failed: 3 };
const OUTCOMES: readonly (PaperOutcome | undefined)[] = [undefined, "matched", "not_found", "failed"];

/** The characters of an outcome code string (progress.json `outcome_codes`), by code. */
export const OUTCOME_CHARS = ".mnf";

/** A byte array by position that grows as papers are added. */
function grown(cells: Uint8Array, needed: number): Uint8Array {
  if (needed <= cells.length) return cells;
  const next = new Uint8Array(Math.max(needed, cells.length * 2, 1024));
  next.set(cells);
  return next;
}

/** What a column derives from its entries to read as a Map. */
abstract class PaperColumn<V> implements Map<string, V> {
  abstract readonly size: number;
  abstract get(paperId: string): V | undefined;
  abstract has(paperId: string): boolean;
  abstract set(paperId: string, value: V): this;
  abstract delete(paperId: string): boolean;
  abstract clear(): void;
  /** Every entry, in paper order. */
  abstract entries(): MapIterator<[string, V]>;

  *keys(): MapIterator<string> {
    for (const [id] of this.entries()) yield id;
  }

  *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  forEach(callback: (value: V, key: string, map: Map<string, V>) => void): void {
    for (const [id, value] of this.entries()) callback(value, id, this);
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return this.constructor.name;
  }
}

/**
 * A source's outcome per paper: one byte each. Entries exist only for papers the session holds (a
 * `set` for another id is ignored, as the session forgets papers it no longer holds); iteration is
 * in paper order.
 */
export class OutcomeColumn extends PaperColumn<PaperOutcome> {
  private codes: Uint8Array = new Uint8Array(0);
  private count = 0;
  /** How many papers have each code (kept as cells change: a source's counts are read often). */
  private byCode = [0, 0, 0, 0];

  constructor(private readonly positions: PaperPositions) {
    super();
  }

  /** A column read from an outcome code string (one character of OUTCOME_CHARS per paper, in order). */
  static fromCodes(positions: PaperPositions, text: string): OutcomeColumn {
    const column = new OutcomeColumn(positions);
    const codes = new Uint8Array(text.length);
    for (let index = 0; index < text.length; index++) {
      const code = OUTCOME_CHARS.indexOf(text[index] as string);
      if (code < 0) throw new Error(`unknown outcome code ${JSON.stringify(text[index])} at ${index}`);
      codes[index] = code;
      column.byCode[code] = (column.byCode[code] as number) + 1;
    }
    column.codes = codes;
    column.count = text.length - (column.byCode[NONE] as number);
    column.byCode[NONE] = 0;
    return column;
  }

  /** The column as a string of one character per paper (OUTCOME_CHARS), in paper order. */
  toCodes(size: number): string {
    const chars = Buffer.alloc(size, OUTCOME_CHARS.charCodeAt(NONE));
    const end = Math.min(size, this.codes.length);
    for (let index = 0; index < end; index++)
      chars[index] = OUTCOME_CHARS.charCodeAt(this.codes[index] as number);
    return chars.toString("latin1");
  }

  /** How many papers have each outcome. */
  counts(): Record<PaperOutcome, number> {
    const [, matched, notFound, failed] = this.byCode as [number, number, number, number];
    return { matched, not_found: notFound, failed };
  }

  /** The outcome of the paper at `index` (for loops over positions: no id lookup). */
  at(index: number): PaperOutcome | undefined {
    return OUTCOMES[this.codes[index] ?? NONE];
  }

  get size(): number {
    return this.count;
  }

  get(paperId: string): PaperOutcome | undefined {
    const index = this.positions.positionOf(paperId);
    return index === undefined ? undefined : this.at(index);
  }

  has(paperId: string): boolean {
    return this.get(paperId) !== undefined;
  }

  set(paperId: string, outcome: PaperOutcome): this {
    const index = this.positions.positionOf(paperId);
    const code = OUTCOME_CODES[outcome];
    if (index === undefined || code === undefined) return this;
    this.codes = grown(this.codes, index + 1);
    const old = this.codes[index] as number;
    if (old === NONE) this.count += 1;
    else this.byCode[old] = (this.byCode[old] as number) - 1;
    this.byCode[code] = (this.byCode[code] as number) + 1;
    this.codes[index] = code;
    return this;
  }

  delete(paperId: string): boolean {
    const index = this.positions.positionOf(paperId);
    const old = index === undefined ? NONE : (this.codes[index] ?? NONE);
    if (index === undefined || old === NONE) return false;
    this.codes[index] = NONE;
    this.byCode[old] = (this.byCode[old] as number) - 1;
    this.count -= 1;
    return true;
  }

  clear(): void {
    this.codes = new Uint8Array(0);
    this.count = 0;
    this.byCode = [0, 0, 0, 0];
  }

  *entries(): MapIterator<[string, PaperOutcome]> {
    const ids = this.positions.ids();
    const end = Math.min(ids.length, this.codes.length);
    for (let index = 0; index < end; index++) {
      const outcome = OUTCOMES[this.codes[index] as number];
      if (outcome !== undefined) yield [ids[index] as string, outcome];
    }
  }
}

const HASH_BYTES = 8;
const HASH_HEX = /^[0-9a-f]{16}$/;
/** How a paper without an input hash is written in `input_hash_codes`. */
export const NO_HASH = "-".repeat(HASH_BYTES * 2);

/**
 * Each paper's input hash (16 hex digits, see `inputHash`): 8 bytes per paper. A value of another
 * form (only a hand-edited or very old file has one) is kept aside, as it is.
 */
export class InputHashColumn extends PaperColumn<string> {
  private bytes: Uint8Array = new Uint8Array(0);
  private present: Uint8Array = new Uint8Array(0);
  private readonly other = new Map<string, string>();
  private count = 0;

  constructor(private readonly positions: PaperPositions) {
    super();
  }

  /**
   * A column read from `input_hash_codes` (16 hex digits per paper, in order, NO_HASH for none);
   * throws when the text is not of that form.
   */
  static fromCodes(positions: PaperPositions, text: string): InputHashColumn {
    const width = HASH_BYTES * 2;
    if (text.length % width !== 0) throw new Error(`its length is not a multiple of ${width}`);
    const column = new InputHashColumn(positions);
    const size = text.length / width;
    const bytes = Buffer.from(text, "hex");
    // Buffer.from stops at the first non-hex pair: what follows is read cell by cell.
    const clean = Math.floor(bytes.length / HASH_BYTES);
    column.bytes = new Uint8Array(size * HASH_BYTES);
    column.bytes.set(bytes.subarray(0, clean * HASH_BYTES));
    column.present = new Uint8Array(size).fill(1, 0, clean);
    column.count = clean;
    for (let index = clean; index < size; index++) {
      const cell = text.slice(index * width, (index + 1) * width);
      if (cell === NO_HASH) continue;
      if (!HASH_HEX.test(cell)) throw new Error(`${JSON.stringify(cell)} at ${index} is not a hash`);
      column.bytes.set(Buffer.from(cell, "hex"), index * HASH_BYTES);
      column.present[index] = 1;
      column.count += 1;
    }
    return column;
  }

  /**
   * The column as `input_hash_codes` (16 hex digits per paper in paper order, NO_HASH for none)
   * and the values of another form, by paper id.
   */
  toCodes(size: number): { codes: string; other: Record<string, string> } {
    const cells = Buffer.alloc(size * HASH_BYTES);
    cells.set(this.bytes.subarray(0, cells.length));
    const hex = cells.toString("hex");
    const width = HASH_BYTES * 2;
    const parts: string[] = [];
    let from = 0; // the start of the hex not yet in `parts`
    for (let index = 0; index < size; index++) {
      if (this.present[index] === 1) continue;
      parts.push(hex.slice(from * width, index * width), NO_HASH);
      from = index + 1;
    }
    parts.push(hex.slice(from * width));
    return { codes: parts.join(""), other: Object.fromEntries(this.other) };
  }

  get size(): number {
    return this.count + this.other.size;
  }

  get(paperId: string): string | undefined {
    const index = this.positions.positionOf(paperId);
    if (index === undefined) return undefined;
    const other = this.other.get(paperId);
    if (other !== undefined) return other;
    if (this.present[index] !== 1) return undefined;
    const start = index * HASH_BYTES;
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + start, HASH_BYTES).toString("hex");
  }

  has(paperId: string): boolean {
    return this.get(paperId) !== undefined;
  }

  set(paperId: string, hash: string): this {
    const index = this.positions.positionOf(paperId);
    if (index === undefined) return this;
    this.delete(paperId);
    if (!HASH_HEX.test(hash)) {
      this.other.set(paperId, hash);
      return this;
    }
    this.present = grown(this.present, index + 1);
    this.bytes = grown(this.bytes, (index + 1) * HASH_BYTES);
    this.bytes.set(Buffer.from(hash, "hex"), index * HASH_BYTES);
    this.present[index] = 1;
    this.count += 1;
    return this;
  }

  delete(paperId: string): boolean {
    if (this.other.delete(paperId)) return true;
    const index = this.positions.positionOf(paperId);
    if (index === undefined || this.present[index] !== 1) return false;
    this.present[index] = 0;
    this.count -= 1;
    return true;
  }

  clear(): void {
    this.bytes = new Uint8Array(0);
    this.present = new Uint8Array(0);
    this.other.clear();
    this.count = 0;
  }

  *entries(): MapIterator<[string, string]> {
    const ids = this.positions.ids();
    for (let index = 0; index < ids.length; index++) {
      const id = ids[index] as string;
      const hash = this.get(id);
      if (hash !== undefined) yield [id, hash];
    }
  }
}
