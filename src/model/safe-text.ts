/**
 * Text from an input file, a session file or a server, made safe to print on a terminal: control
 * characters (C0, DEL, C1: ESC sequences, carriage returns, newlines that forge lines), bidi
 * overrides and isolates (U+202A–U+202E, U+2066–U+2069, which reorder what follows), the other
 * invisible direction marks, line/paragraph separators and a byte-order mark are shown escaped
 * (`\x1b`, `\r`, `\n`, `\u202e`), never raw. Backslashes are left alone, so escaping twice changes
 * nothing. Only what is printed is escaped: files keep the original values.
 */

/** A character safeText escapes: C0, DEL, C1, bidi marks, overrides and isolates, separators, BOM. */
export function isUnsafeCode(code: number): boolean {
  if (code < 0x20) return true;
  if (code < 0x7f) return false;
  if (code <= 0x9f) return true;
  if (code < 0x61c) return false;
  return (
    code === 0x61c ||
    code === 0x200e ||
    code === 0x200f ||
    code === 0x2028 ||
    code === 0x2029 ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069) ||
    code === 0xfeff
  );
}

const NAMED: Record<number, string> = { 10: "\\n", 13: "\\r", 9: "\\t" };

function escapeCode(code: number): string {
  const named = NAMED[code];
  if (named) return named;
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** `text` with unsafe characters escaped, except where `keep(i)` gives the length of a run to keep. */
function escapeText(text: string, keep?: (index: number) => number): string {
  let out = "";
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!isUnsafeCode(code)) continue;
    const kept = keep ? keep(i) : 0;
    if (kept > 0) {
      i += kept - 1;
      continue;
    }
    out += text.slice(from, i) + escapeCode(code);
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** One line of text from outside cf, printable: every control and bidi character escaped. */
export function safeText(text: string): string {
  return escapeText(text);
}

/** Text whose newlines cf put there (an error message with details): all else escaped. */
export function safeLines(text: string): string {
  return escapeText(text, (i) => (text.charCodeAt(i) === 0x0a ? 1 : 0));
}

/** The styles colors.ts writes (SGR: dim, red, green, yellow, cyan and their ends). */
const OWN_STYLES = ["2", "22", "31", "32", "33", "36", "39"].map((n) => `\u001b[${n}m`);

/**
 * A line built by cf with its own colours (colors.ts) around parts that may come from outside:
 * those colour codes and newlines stay, every other control or bidi character is escaped.
 */
export function safeStyled(text: string): string {
  return escapeText(text, (i) => {
    if (text.charCodeAt(i) === 0x0a) return 1;
    const style = OWN_STYLES.find((s) => text.startsWith(s, i));
    return style ? style.length : 0;
  });
}

/**
 * JSON text (from JSON.stringify, which escapes C0 controls already) with the characters it leaves
 * raw but a terminal acts on (DEL, C1, bidi, separators, BOM) as `\uXXXX` escapes: the same JSON
 * value, parsed back, and nothing invisible on a terminal. Outside strings JSON is plain ASCII.
 */
export function safeJson(json: string): string {
  let out = "";
  let from = 0;
  for (let i = 0; i < json.length; i++) {
    const code = json.charCodeAt(i);
    if (code < 0x7f || !isUnsafeCode(code)) continue;
    out += `${json.slice(from, i)}\\u${code.toString(16).padStart(4, "0")}`;
    from = i + 1;
  }
  return from === 0 ? json : out + json.slice(from);
}
