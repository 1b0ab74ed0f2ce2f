/**
 * JSON with object keys sorted at every level: equal values always give equal strings.
 *
 * Written without recursion, so any nesting depth works (JSON.stringify and a recursive walk
 * overflow the stack at a few thousand levels). The output is byte-identical to what
 * `JSON.stringify` gave for the value copied with its keys sorted (sessions store hashes of it): own
 * enumerable keys in `Array.prototype.sort` order, except that integer-like keys come first in
 * numeric order (as a JavaScript object enumerates them); a `"__proto__"` key is an ordinary key;
 * `undefined`, functions and symbols left out of objects and `null` in arrays, non-finite numbers
 * `null`. As before, an object's `toJSON` is not called (a Date gives `{}`). A BigInt throws.
 */
export function canonicalJson(value: unknown): string {
  const top = scalar(value);
  if (top !== NESTED) return top as string; // undefined for undefined, as JSON.stringify
  const out = { text: "" };
  // Each frame: a container being written, and where it is.
  const stack: Frame[] = [open(value as object, out)];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.index >= frame.length) {
      out.text += frame.keys === undefined ? "]" : "}";
      stack.pop();
      continue;
    }
    const index = frame.index++;
    let item: unknown;
    if (frame.keys === undefined) {
      if (index > 0) out.text += ",";
      item = (frame.value as unknown[])[index];
      const text = scalar(item);
      if (text === undefined) {
        out.text += "null";
        continue;
      }
      if (text !== NESTED) {
        out.text += text;
        continue;
      }
    } else {
      const key = frame.keys[index]!;
      item = (frame.value as Record<string, unknown>)[key];
      const text = scalar(item);
      if (text === undefined) continue;
      out.text += `${frame.written ? "," : ""}${JSON.stringify(key)}:`;
      frame.written = true;
      if (text !== NESTED) {
        out.text += text;
        continue;
      }
    }
    stack.push(open(item as object, out));
  }
  return out.text;
}

interface Frame {
  value: object;
  /** Sorted keys of an object; undefined for an array. */
  keys: string[] | undefined;
  length: number;
  index: number;
  /** An object member was written (the next one needs a comma). */
  written: boolean;
}

const NESTED = Symbol("nested");

function open(value: object, out: { text: string }): Frame {
  if (Array.isArray(value)) {
    out.text += "[";
    return { value, keys: undefined, length: value.length, index: 0, written: false };
  }
  out.text += "{";
  const keys = keyOrder(Object.keys(value).sort());
  return { value, keys, length: keys.length, index: 0, written: false };
}

/**
 * Sorted keys in the order an object built by inserting them enumerates them (what the recursive
 * implementation stringified): integer-like keys ("0", "12") first, in numeric order.
 */
function keyOrder(sorted: string[]): string[] {
  const digit = (key: string) => key.charCodeAt(0) >= 48 && key.charCodeAt(0) <= 57;
  if (!sorted.some(digit)) return sorted;
  const built: Record<string, true> = Object.create(null);
  for (const key of sorted) built[key] = true;
  return Object.keys(built);
}

/** The JSON of a non-container, NESTED for an object or array, undefined for what JSON leaves out. */
function scalar(value: unknown): string | typeof NESTED | undefined {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return JSON.stringify(value); // throws, as JSON.stringify does
    case "object":
      return NESTED;
    default:
      return undefined;
  }
}
