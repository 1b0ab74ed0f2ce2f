import { createHash } from "node:crypto";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { intIn, pick, type Random } from "../../../src/simulator/prng.js";
import { frameJournalLine } from "../../../src/storage/journal.js";

/** One damage to one session file, generated from a seed and applied to a copy of a session. */

export const DAMAGED_FILES = [
  "session.json",
  "checkpoint.json",
  "checkpoint.json.bak",
  "papers_enriched.json",
  "progress.json",
  "journal.jsonl",
  "lock",
] as const;
export type DamagedFile = (typeof DAMAGED_FILES)[number];

export const DAMAGE_KINDS = ["truncate", "flip", "wrong-type", "empty", "delete"] as const;
export type DamageKind = (typeof DAMAGE_KINDS)[number];

export interface Damage {
  file: DamagedFile;
  kind: DamageKind;
  /** truncate: new length; flip: the byte. */
  offset?: number;
  /** flip: XOR mask (1..255). */
  mask?: number;
  /** wrong-type: line (line-oriented files) and JSON path of the value replaced. */
  line?: number;
  path?: Array<string | number>;
  value?: unknown;
}

/** Files written one JSON value per line: a wrong type stays on its line (the journal re-framed). */
const LINE_FILES: readonly string[] = ["papers_enriched.json", "journal.jsonl"];
const WRONG_VALUES: unknown[] = [0, -1, 1.5, "x", "", true, null, [], {}, [1], { x: 1 }];

function typeOf(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}

/** Every JSON path in a value, the root included. */
function paths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out = [prefix];
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) out.push(...paths(v, [...prefix, i]));
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  }
  return out;
}

function getAt(value: unknown, at: Array<string | number>): unknown {
  return at.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)?.[k], value);
}

function setAt(value: unknown, at: Array<string | number>, replacement: unknown): unknown {
  if (at.length === 0) return replacement;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of at.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  parent[at.at(-1) as string | number] = replacement;
  return copy;
}

/** A JSON line of a line-oriented file: the JSON text and what surrounds it, or undefined. */
function splitLine(file: string, line: string): { head: string; json: string; tail: string } | undefined {
  if (file === "journal.jsonl") return line === "" ? undefined : { head: "", json: line, tail: "" };
  if (line.startsWith('{"metadata":')) return { head: '{"metadata":', json: line.slice(12, -1), tail: "," };
  if (!line.startsWith("{")) return undefined;
  return line.endsWith(",")
    ? { head: "", json: line.slice(0, -1), tail: "," }
    : { head: "", json: line, tail: "" };
}

function planWrongType(random: Random, file: DamagedFile, content: Buffer): Damage {
  const text = content.toString("utf8");
  let doc: unknown;
  let line: number | undefined;
  if (LINE_FILES.includes(file)) {
    const lines = text.split("\n");
    const candidates = lines.map((l, i) => (splitLine(file, l) ? i : -1)).filter((i) => i >= 0);
    line = pick(random, candidates);
    const parts = splitLine(file, lines[line] ?? "")!;
    doc = JSON.parse(parts.json);
    if (file === "journal.jsonl") doc = (doc as { p: unknown }).p;
  } else doc = JSON.parse(text);
  const at = pick(random, paths(doc));
  const current = typeOf(getAt(doc, at));
  const value = pick(
    random,
    WRONG_VALUES.filter((v) => typeOf(v) !== current),
  );
  return { file, kind: "wrong-type", path: at, value, ...(line === undefined ? {} : { line }) };
}

/** One damage of `kind` to `file`, its parameters drawn against the file's pristine content. */
export function planDamage(random: Random, file: DamagedFile, kind: DamageKind, content: Buffer): Damage {
  const size = content.length;
  if (kind === "truncate") {
    // Line ends and the last bytes are where torn writes and trailing-newline edge cases live.
    const newlines = [...content.entries()].filter(([, b]) => b === 0x0a).map(([i]) => i);
    const special = [1, size - 1, ...newlines, ...newlines.map((i) => i + 1)].filter(
      (o) => o > 0 && o < size,
    );
    const offset = random() < 0.3 && special.length > 0 ? pick(random, special) : intIn(random, 1, size - 1);
    return { file, kind, offset };
  }
  if (kind === "flip") return { file, kind, offset: intIn(random, 0, size - 1), mask: intIn(random, 1, 255) };
  if (kind === "wrong-type") return planWrongType(random, file, content);
  return { file, kind };
}

/**
 * `count` damages (at least one of every file × kind), with parameters drawn from `random` against the
 * pristine `contents` of each file.
 */
export function planDamages(
  random: Random,
  contents: Record<DamagedFile, Buffer>,
  count: number,
  files: readonly DamagedFile[] = DAMAGED_FILES,
): Damage[] {
  const damages: Damage[] = [];
  for (const file of files)
    for (const kind of DAMAGE_KINDS) damages.push(planDamage(random, file, kind, contents[file]));
  while (damages.length < count) {
    const file = pick(random, files);
    const r = random();
    const kind: DamageKind =
      r < 0.36 ? "truncate" : r < 0.72 ? "flip" : r < 0.9 ? "wrong-type" : r < 0.95 ? "empty" : "delete";
    damages.push(planDamage(random, file, kind, contents[file]));
  }
  return damages.slice(0, Math.max(count, 0));
}

export interface Applied {
  /** The damaged bytes parse to the same JSON as before (e.g. whitespace only): nothing to detect. */
  noop: boolean;
  /** Line-oriented files: index of the first line whose bytes changed (or that is gone). */
  firstLine: number;
  /** Truncation exactly at a line boundary (or empty/deleted): whole records gone, none torn. */
  atLineBoundary: boolean;
}

function sameJson(a: Buffer, b: Buffer): boolean {
  try {
    return isDeepStrictEqual(JSON.parse(a.toString("utf8")), JSON.parse(b.toString("utf8")));
  } catch {
    return false;
  }
}

function damagedBytes(damage: Damage, before: Buffer): Buffer {
  switch (damage.kind) {
    case "truncate":
      return before.subarray(0, damage.offset);
    case "flip": {
      const after = Buffer.from(before);
      after[damage.offset ?? 0] = (after[damage.offset ?? 0] ?? 0) ^ (damage.mask ?? 1);
      return after;
    }
    case "empty":
      return Buffer.alloc(0);
    case "wrong-type": {
      const text = before.toString("utf8");
      if (damage.line === undefined) {
        const indent = text.includes("\n  ") ? 2 : undefined;
        return Buffer.from(
          `${JSON.stringify(setAt(JSON.parse(text), damage.path ?? [], damage.value), null, indent)}\n`,
        );
      }
      const lines = text.split("\n");
      const parts = splitLine(damage.file, lines[damage.line] ?? "")!;
      if (damage.file === "journal.jsonl") {
        const framed = JSON.parse(parts.json) as { seq: number; p: unknown };
        lines[damage.line] = frameJournalLine(
          framed.seq,
          setAt(framed.p, damage.path ?? [], damage.value),
        ).trimEnd();
      } else {
        const value = setAt(JSON.parse(parts.json), damage.path ?? [], damage.value);
        lines[damage.line] = `${parts.head}${JSON.stringify(value)}${parts.tail}`;
      }
      return Buffer.from(lines.join("\n"));
    }
    case "delete":
      return Buffer.alloc(0);
  }
}

/** Apply `damage` inside `sessionDir`. */
export async function applyDamage(sessionDir: string, damage: Damage): Promise<Applied> {
  const file = path.join(sessionDir, damage.file);
  const before = await readFile(file);
  const after = damagedBytes(damage, before);
  if (damage.kind === "delete") await rm(file);
  else await writeFile(file, after);
  let first = 0;
  while (first < before.length && first < after.length && before[first] === after[first]) first += 1;
  const firstLine = before.subarray(0, first).filter((b) => b === 0x0a).length;
  const atLineBoundary =
    damage.kind === "delete" ||
    after.length === 0 ||
    (damage.kind === "truncate" && before[after.length - 1] === 0x0a);
  const noop = damage.kind !== "delete" && (before.equals(after) || sameJson(before, after));
  return { noop, firstLine, atLineBoundary };
}

/**
 * sha256 of every file in a directory (names included), to prove a refusal changed nothing. With
 * `staleLock`, the lock file is left out: a dead holder's lock must be taken over before anything can
 * be verified, and a refusal then releases it, so only its absence may differ.
 */
export async function dirDigest(dir: string, staleLock = false): Promise<string> {
  const parts: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    if (staleLock && name === "lock") continue;
    parts.push(
      `${name}:${createHash("sha256")
        .update(await readFile(path.join(dir, name)))
        .digest("hex")}`,
    );
  }
  return parts.join("\n");
}

/** A short label for failure messages. */
export function describeDamage(d: Damage): string {
  const where =
    d.kind === "truncate"
      ? ` to ${d.offset} bytes`
      : d.kind === "flip"
        ? ` byte ${d.offset} ^ 0x${(d.mask ?? 0).toString(16)}`
        : d.kind === "wrong-type"
          ? ` ${d.line === undefined ? "" : `line ${d.line} `}${JSON.stringify(d.path)} = ${JSON.stringify(d.value)}`
          : "";
  return `${d.kind} ${d.file}${where}`;
}
