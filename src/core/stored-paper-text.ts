import { isUtf8 } from "node:buffer";
import { RECORD_KINDS } from "../model/records.js";
import { sourceRank } from "../sources/registry.js";
import type { OutputBytes } from "./output-bytes.js";

/**
 * A stored paper's line printed into the output as it is (issue 16): re-indented byte by byte,
 * without parsing it and printing the paper again, which took most of the time of writing the output
 * from the store. The line being JSON.stringify's text of the paper, the bytes are those of the
 * paper parsed, put in stable record order (withStableRecordOrder) and pretty-printed two levels
 * deep; a record list out of order is reordered here, as whole printed records.
 *
 * Whatever the line does not show to be such a text is refused (false), for the caller to parse it
 * instead: JSON that is not well formed or not UTF-8, escapes, numbers and literals written otherwise
 * than JSON.stringify writes them, whitespace between tokens, a paper that fails the checks of a
 * stored paper (checkStoredPaper: the type of each required field) or holds another paper id, a
 * record that is not an object, a key starting with a digit (JSON.parse puts array-index keys first).
 * Not looked for (JSON.stringify never writes them): a key twice in an object other than the
 * paper's checked fields, raw control characters in strings without escapes.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const OPEN_LIST = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_LIST = 0x5d;
const NEWLINE = 0x0a;
const SPACE = 0x20;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

/** A paper's own lines are indented by 4 in the output (it is nested in `papers` in the document). */
const BASE_INDENT = 4;
/** Strings at least this long are searched and copied natively; a native call costs more than a short JS loop. */
const NATIVE_COPY = 64;

/** What the parser expects next. */
const KEY = 0;
const VALUE = 1;
const NEXT = 2; // a comma or the container's end

/** Top-level fields checked as checkStoredPaper checks them (by the first byte of their value). */
const STRING = 0;
const NUMBER = 1;
const LIST = 2;
const OBJECT = 3;
const CHECKED: ReadonlyArray<readonly [string, number]> = [
  ["paper_id", STRING],
  ["title", STRING],
  ["venue", STRING],
  ["year", NUMBER],
  ["authors", LIST],
  ...RECORD_KINDS.map((kind) => [kind, LIST] as const),
  ["processing_flags", OBJECT],
];
const CHECKED_NAMES = CHECKED.map(([name]) => Buffer.from(JSON.stringify(name)));
const CHECKED_KINDS = CHECKED.map(([, kind]) => kind);
const IS_RECORD_LIST = CHECKED.map(([name]) => (RECORD_KINDS as readonly string[]).includes(name));
const ID_FIELD = 0;
const ALL_CHECKED = (1 << CHECKED.length) - 1;
const SOURCE = Buffer.from('"source"');

const NUMBER_BYTES = new Uint8Array(256);
for (const c of "0123456789-+.eE") NUMBER_BYTES[c.charCodeAt(0)] = 1;
const LITERALS = ["true", "false", "null"].map((word) => Buffer.from(word));

// The records of the list being printed (reused: printing is synchronous).
const recordStarts: number[] = [];
const recordEnds: number[] = [];
const recordRanks: number[] = [];
const opened: number[] = [];

/** Print `line` (paper `paperId`'s stored JSON) into `out`; false, with `out` unchanged, when it cannot. */
export function printStoredPaper(line: Buffer, paperId: string, out: OutputBytes): boolean {
  const start = out.length;
  if (print(line, paperId, out)) return true;
  out.length = start;
  return false;
}

function print(src: Buffer, paperId: string, out: OutputBytes): boolean {
  const len = src.length;
  if (src[0] !== OPEN_OBJECT || !isUtf8(src)) return false;
  let buf = out.buffer;
  let o = out.length;
  let i = 0;
  let depth = 0;
  let expect = VALUE;
  let seen = 0;
  // Escapes are rare: strings before the next backslash are copied without looking inside.
  let nextEscape = src.indexOf(BACKSLASH);
  if (nextEscape < 0) nextEscape = len;
  // The record list being printed, and the record in it.
  let recordListNext = false;
  let inRecords = false;
  let records = 0;
  let unordered = false;
  let recordStart = 0;
  let rank = 0;
  let hasSource = false;
  while (i < len) {
    // Room for this token's indentation and everything after it copied as is.
    if (o + (len - i) + 8 + 2 * depth > buf.length) {
      out.length = o;
      buf = out.reserve(len - i + 8 + 2 * depth);
    }
    const c = src[i] as number;
    if (c === QUOTE) {
      // Short strings are copied while looking for their end; long ones natively.
      const from = o;
      let end = i + 1;
      const limit = Math.min(len, end + NATIVE_COPY);
      buf[o++] = QUOTE;
      for (let d = src[end] as number; end < limit && d !== QUOTE; d = src[++end] as number) buf[o++] = d;
      if (end < limit) {
        buf[o++] = QUOTE;
        end++;
      } else {
        const close = src.indexOf(QUOTE, end);
        if (close < 0) return false;
        o += src.copy(buf, o, end, close + 1);
        end = close + 1;
      }
      if (nextEscape < end) {
        // It holds an escape, maybe of a quote: its end is found again, looking at each escape.
        end = escapedStringEnd(src, i);
        if (end < 0) return false;
        o = from + src.copy(buf, from, i, end);
        nextEscape = src.indexOf(BACKSLASH, end);
        if (nextEscape < 0) nextEscape = len;
      }
      const isKey = src[end] === COLON;
      if (expect === KEY) {
        if (!isKey) return false;
        // A key of digits may be an array index, which JSON.parse moves first: printed as parsed.
        if ((src[i + 1] as number) >= ZERO && (src[i + 1] as number) <= NINE) return false;
        if (depth === 1) {
          const field = checkedField(src, i, end);
          if (field >= 0) {
            if (seen & (1 << field) || !startsKind(src[end + 1], CHECKED_KINDS[field] as number))
              return false;
            if (field === ID_FIELD && stringValue(src, end + 1) !== paperId) return false;
            seen |= 1 << field;
            recordListNext = IS_RECORD_LIST[field] as boolean;
          }
        } else if (inRecords && depth === 3 && sameBytes(src, i, end, SOURCE)) {
          if (hasSource) return false;
          hasSource = true;
          // withStableRecordOrder ranks by `record.source`: any other value ranks as no source.
          rank = src[end + 1] === QUOTE ? sourceRank(stringValue(src, end + 1) as string) : 0;
        }
      } else if (expect !== VALUE || isKey) return false;
      i = end;
      if (isKey) {
        buf[o++] = COLON;
        buf[o++] = SPACE;
        i++;
        expect = VALUE;
      } else expect = NEXT;
    } else if (c === COMMA) {
      if (expect !== NEXT) return false;
      buf[o++] = COMMA;
      o = newline(buf, o, depth);
      i++;
      expect = opened[depth] === OPEN_OBJECT ? KEY : VALUE;
      if (inRecords && depth === 2 && src[i] !== OPEN_OBJECT) return false;
    } else if (c === OPEN_OBJECT || c === OPEN_LIST) {
      if (expect !== VALUE) return false;
      const isRecord = inRecords && depth === 2;
      const startsRecords = recordListNext && depth === 1;
      recordListNext = false;
      if (isRecord) {
        recordStart = o;
        rank = 0;
        hasSource = false;
      }
      if (src[i + 1] === c + 2) {
        // `{}` and `[]` stay on one line.
        if (depth === 0) return false; // a paper has fields
        buf[o++] = c;
        buf[o++] = c + 2;
        i += 2;
        if (isRecord) unordered = addRecord(records++, recordStart, o, 0) || unordered;
        expect = NEXT;
      } else {
        buf[o++] = c;
        opened[++depth] = c;
        o = newline(buf, o, depth);
        i++;
        expect = c === OPEN_OBJECT ? KEY : VALUE;
        if (startsRecords) {
          if (src[i] !== OPEN_OBJECT) return false;
          inRecords = true;
          records = 0;
          unordered = false;
        }
      }
    } else if (c === CLOSE_OBJECT || c === CLOSE_LIST) {
      if (expect !== NEXT || opened[depth] !== c - 2) return false;
      depth--;
      o = newline(buf, o, depth);
      buf[o++] = c;
      i++;
      if (inRecords && depth === 2) unordered = addRecord(records++, recordStart, o, rank) || unordered;
      else if (inRecords && depth === 1) {
        if (unordered) reorderRecords(buf, records);
        inRecords = false;
      }
      if (depth === 0) break;
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      if (expect !== VALUE) return false;
      let end = i + 1;
      while (end < len && NUMBER_BYTES[src[end] as number]) end++;
      if (!canonicalNumber(src, i, end)) return false;
      while (i < end) buf[o++] = src[i++] as number;
      expect = NEXT;
    } else {
      const literal = literalAt(src, i);
      if (expect !== VALUE || !literal) return false;
      for (let k = 0; k < literal.length; k++) buf[o++] = literal[k] as number;
      i += literal.length;
      expect = NEXT;
    }
  }
  if (depth !== 0 || i !== len || seen !== ALL_CHECKED) return false;
  out.length = o;
  return true;
}

/** A newline and the indentation of `depth`. */
function newline(buf: Buffer, at: number, depth: number): number {
  let o = at;
  buf[o++] = NEWLINE;
  for (let k = BASE_INDENT + 2 * depth; k > 0; k--) buf[o++] = SPACE;
  return o;
}

/** Note the printed record; true when it ranks before the one printed before it (the list needs reordering). */
function addRecord(index: number, start: number, end: number, rank: number): boolean {
  recordStarts[index] = start;
  recordEnds[index] = end;
  recordRanks[index] = rank;
  return index > 0 && rank < (recordRanks[index - 1] as number);
}

/** Put the `count` printed records in stable source order (the separators between them are all alike). */
function reorderRecords(buf: Buffer, count: number): void {
  const order = Array.from({ length: count }, (_, k) => k).sort(
    (a, b) => (recordRanks[a] as number) - (recordRanks[b] as number) || a - b,
  );
  const base = recordStarts[0] as number;
  const printed = Buffer.from(buf.subarray(base, recordEnds[count - 1]));
  const separator = printed.subarray((recordEnds[0] as number) - base, (recordStarts[1] as number) - base);
  let o = base;
  for (const [n, k] of order.entries()) {
    if (n > 0) o += separator.copy(buf, o);
    o += printed.copy(buf, o, (recordStarts[k] as number) - base, (recordEnds[k] as number) - base);
  }
}

function sameBytes(src: Buffer, start: number, end: number, bytes: Buffer): boolean {
  if (end - start !== bytes.length) return false;
  for (let k = 0; k < bytes.length; k++) if (src[start + k] !== bytes[k]) return false;
  return true;
}

/** The literal (true, false, null) at `at`, if any. */
function literalAt(src: Buffer, at: number): Buffer | undefined {
  for (const word of LITERALS) if (sameBytes(src, at, at + word.length, word)) return word;
  return undefined;
}

/** Which checked field the key `src[start, end)` (quoted) names, or -1. */
function checkedField(src: Buffer, start: number, end: number): number {
  for (let field = 0; field < CHECKED_NAMES.length; field++)
    if (sameBytes(src, start, end, CHECKED_NAMES[field] as Buffer)) return field;
  return -1;
}

function startsKind(first: number | undefined, kind: number): boolean {
  if (kind === STRING) return first === QUOTE;
  if (kind === NUMBER) return first === MINUS || (first !== undefined && first >= ZERO && first <= NINE);
  return first === (kind === LIST ? OPEN_LIST : OPEN_OBJECT);
}

/** The string whose opening quote is at `at` (undefined if it does not end or is not valid JSON). */
function stringValue(src: Buffer, at: number): string | undefined {
  let end = at + 1;
  let escaped = false;
  for (;;) {
    const c = src[end];
    if (c === undefined) return undefined;
    if (c === QUOTE) break;
    if (c === BACKSLASH) {
      escaped = true;
      end++;
    }
    end++;
  }
  if (!escaped) return src.toString("utf8", at + 1, end);
  try {
    return JSON.parse(src.toString("utf8", at, end + 1)) as string;
  } catch {
    return undefined;
  }
}

/**
 * Just after the closing quote of the string opening at `start`, or -1 when it holds anything
 * JSON.stringify would have written otherwise: an escape other than its own (`\"`, `\\`, `\b`, `\f`,
 * `\n`, `\r`, `\t`, `\u00xx` for other control characters, lowercase `\udxxx` for a lone surrogate),
 * or a raw control character.
 */
function escapedStringEnd(src: Buffer, start: number): number {
  let i = start + 1;
  while (i < src.length) {
    const c = src[i] as number;
    if (c === QUOTE) return i + 1;
    if (c < SPACE) return -1;
    if (c !== BACKSLASH) {
      i++;
      continue;
    }
    const escaped = src[i + 1];
    // " \ b f n r t
    if (escaped === 0x22 || escaped === 0x5c || escaped === 0x62 || escaped === 0x66 || escaped === 0x6e)
      i += 2;
    else if (escaped === 0x72 || escaped === 0x74) i += 2;
    else if (escaped === 0x75) {
      const code = lowercaseHex4(src, i + 2);
      if (code < 0) return -1;
      if (code < SPACE) {
        // Those with a short escape are written short.
        if (code === 0x08 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d) return -1;
      } else if (code >= 0xd800 && code <= 0xdbff) {
        // A high surrogate written escaped is lone: not followed by an (escaped) low one.
        const next = src[i + 6] === BACKSLASH && src[i + 7] === 0x75 ? lowercaseHex4(src, i + 8) : -1;
        if (next >= 0xdc00 && next <= 0xdfff) return -1;
      } else if (code < 0xdc00 || code > 0xdfff) return -1;
      i += 6;
    } else return -1;
  }
  return -1;
}

/** The value of four lowercase hex digits at `at`, or -1. */
function lowercaseHex4(src: Buffer, at: number): number {
  let value = 0;
  for (let k = at; k < at + 4; k++) {
    const c = src[k];
    if (c !== undefined && c >= ZERO && c <= NINE) value = value * 16 + c - ZERO;
    else if (c !== undefined && c >= 0x61 && c <= 0x66) value = value * 16 + c - 0x61 + 10;
    else return -1;
  }
  return value;
}

/** True when the number `src[start, end)` is written as JSON.stringify writes its value. */
function canonicalNumber(src: Buffer, start: number, end: number): boolean {
  const first = src[start] === MINUS ? start + 1 : start;
  const digits = end - first;
  // Integers of up to 15 digits are exact: written as they are, but for a leading zero and -0.
  let plain = digits >= 1 && digits <= 15;
  for (let k = first; plain && k < end; k++) plain = (src[k] as number) >= ZERO && (src[k] as number) <= NINE;
  if (plain) return src[first] !== ZERO || (digits === 1 && first === start);
  const text = src.toString("latin1", start, end);
  return String(Number(text)) === text;
}
