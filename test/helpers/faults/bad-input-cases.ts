/** The table of the bad-input suite: broken input files, each with its message (flags: bad-flag-cases.ts). */

export interface BadCase {
  name: string;
  /** Files written into the empty working directory first (name → content: text as UTF-8, or bytes). */
  files: Record<string, string | Uint8Array>;
  args: string[];
  /** The first line of stderr must contain this (the file or the flag at fault). */
  names: string;
  /** stderr must match this (the problem, with its JSON path for input files). */
  message: RegExp;
  /** Cases of one flag's bad values share a group (the CI tier runs one value per group). */
  group?: string;
}

export const VALID = JSON.stringify([
  { title: "A first paper", venue: "ICML", year: 2020 },
  { title: "A second paper", venue: "NeurIPS", year: 2021, authors: ["Ada Quill"] },
]);

// Unreachable sources, so a case that wrongly got past validation fails fast instead of hanging.
export const OFFLINE = ["--openalex-url", "http://127.0.0.1:9", "--s2-url", "http://127.0.0.1:9"];
export const CONSOLIDATE = ["consolidate", "--input", "in.json", ...OFFLINE];

function input(name: string, content: string | Uint8Array, message: RegExp): BadCase {
  return { name, files: { "in.json": content }, args: CONSOLIDATE, names: "in.json", message };
}

/** A valid paper at index 0, then `fields` (merged into a valid paper) at index 1. */
function paper(name: string, fields: Record<string, unknown>, message: RegExp): BadCase {
  const good = { title: "Fine", venue: "V", year: 2020 };
  const bad = Object.fromEntries(
    Object.entries({ ...good, ...fields }).filter(([, value]) => value !== undefined),
  );
  const raws: string[] = [];
  const text = JSON.stringify({ collection_metadata: {}, papers: [good, bad] }, (_key, value) => {
    if (!(value instanceof RawJson)) return value;
    raws.push(value.text);
    return `@raw${raws.length - 1}@`;
  });
  return input(
    name,
    text.replace(/"@raw(\d+)@"/g, (_, i) => raws[Number(i)]!),
    message,
  );
}

/** JSON text put into a paper as it is (JSON.stringify itself overflows on deep values). */
class RawJson {
  constructor(readonly text: string) {}
}

function rawJson(text: string): RawJson {
  return new RawJson(text);
}

/** A legacy flat paper (earlier collectors' files) at index 0 and 2, `fields` merged into one at index 1. */
function legacyPaper(name: string, fields: Record<string, unknown>, message: RegExp): BadCase {
  const good = {
    title: "Tiny Experts for Meningioma Detection",
    authors: [{ name: "Y. Agafonova", affiliation: "", author_id: "2066328405", email: "" }, "Bo Renner"],
    year: 2020,
    venue: "",
    citations: 73,
    abstract: "We detect things.",
    source: "semantic_scholar",
    paper_id: "",
    mila_domain: "Computer Vision & Medical Imaging",
    collection_timestamp: "2025-06-26T22:05:55.905753",
    venue_score: 0.5,
  };
  const bad = Object.fromEntries(
    Object.entries({ ...good, ...fields }).filter(([, value]) => value !== undefined),
  );
  return input(`legacy: ${name}`, JSON.stringify([good, bad, { ...good, title: "Another" }]), message);
}

const record = (data: unknown) => ({ source: "openalex", timestamp: "2025-01-01T00:00:00", data });

export const INPUT_CASES: BadCase[] = [
  {
    name: "a missing file",
    files: {},
    args: ["consolidate", "--input", "nope.json", ...OFFLINE],
    names: "nope.json",
    message: /nope\.json: no such file/,
  },
  {
    name: "a directory",
    files: { "dir.json/x": "" },
    args: ["consolidate", "--input", "dir.json", ...OFFLINE],
    names: "dir.json",
    message: /dir\.json: not a regular file/,
  },
  input("an empty file", "", /in\.json: the file is empty/),
  input("only whitespace", " \n\t\n", /in\.json: not valid JSON/),
  input("not JSON: a cut object", '{"papers": [{"title": "A"', /in\.json: not valid JSON/),
  input("not JSON: text", "title,venue,year\nA,ICML,2020\n", /in\.json: not valid JSON/),
  input(
    "not JSON: trailing comma",
    '[{"title": "A", "venue": "V", "year": 2020},]',
    /in\.json: not valid JSON/,
  ),
  input("a number", "42", /in\.json: expected a JSON object with "papers" or a JSON list, got a number/),
  input(
    "a string",
    '"papers"',
    /in\.json: expected a JSON object with "papers" or a JSON list, got a string/,
  ),
  input("null", "null", /in\.json: expected a JSON object with "papers" or a JSON list, got null/),
  input("an object without papers", '{"items": []}', /in\.json: the top-level object has no "papers" key/),
  input("papers is an object", '{"papers": {"a": 1}}', /in\.json: "papers" must be an array, got an object/),
  input("papers is null", '{"papers": null}', /in\.json: "papers" must be an array, got null/),
  input("zero papers (list)", "[]", /in\.json: papers is empty: there are no papers to consolidate/),
  input(
    "zero papers (envelope)",
    '{"papers": []}',
    /in\.json: papers is empty: there are no papers to consolidate/,
  ),
  input("a paper that is a number", "[1]", /papers\[0\] must be object, got number 1/),
  input("a paper that is null", "[null]", /papers\[0\] must be object, got null/),
  input("a paper that is a list", "[[]]", /papers\[0\] must be object, got an array/),
  paper("a paper without title", { title: undefined }, /papers\[1\]\.title is required but missing/),
  paper("a paper without year", { year: undefined }, /papers\[1\]\.year is required but missing/),
  paper("a null title", { title: null }, /papers\[1\]\.title must be string, got null/),
  paper("a numeric title", { title: 5 }, /papers\[1\]\.title must be string, got number 5/),
  paper("a blank title", { title: "  " }, /papers\[1\]\.title must not be empty/),
  paper("a list as venue", { venue: [] }, /papers\[1\]\.venue must be string, got an array/),
  paper("a word as year", { year: "soon" }, /papers\[1\]\.year must be number, got "soon"/),
  paper("a fractional year", { year: 2020.5 }, /papers\[1\]\.year must be int, got number 2020\.5/),
  paper("a five-digit year", { year: 99999 }, /papers\[1\]\.year .*99999/),
  paper(
    "authors as a string",
    { authors: "Ada Quill" },
    /papers\[1\]\.authors must be array, got "Ada Quill"/,
  ),
  paper(
    "an author that is a number",
    { authors: [5] },
    /papers\[1\]\.authors\[0\] must be object, got number 5/,
  ),
  paper(
    "an author without name",
    { authors: [{ affiliations: [] }] },
    /papers\[1\]\.authors\[0\]\.name is required but missing/,
  ),
  paper(
    "affiliations as a string",
    { authors: [{ name: "A", affiliations: "Mila" }] },
    /papers\[1\]\.authors\[0\]\.affiliations must be array, got "Mila"/,
  ),
  paper(
    "citations as a word",
    { citations: "many" },
    /papers\[1\]\.citations must be a list of citation records or a whole number of citations .*got "many"/,
  ),
  paper(
    "citations as an object",
    { citations: { count: 3 } },
    /papers\[1\]\.citations must be array, got an object/,
  ),
  paper(
    "a citation without data",
    { citations: [{ source: "openalex", timestamp: "t" }] },
    /papers\[1\]\.citations\[0\]\.data is required but missing/,
  ),
  paper(
    "a negative citation count",
    { citations: [record({ count: -1 })] },
    /papers\[1\]\.citations\[0\]\.data\.count .*-1/,
  ),
  paper(
    "a url record without url",
    { urls: [record({})] },
    /papers\[1\]\.urls\[0\]\.data\.url is required but missing/,
  ),
  paper("a numeric doi", { doi: 10.1 }, /papers\[1\]\.doi must be string, got number 10\.1/),
  paper("a numeric paper_id", { paper_id: 5 }, /papers\[1\]\.paper_id must be string, got number 5/),
  paper("a numeric keyword", { keywords: [1] }, /papers\[1\]\.keywords\[0\] must be string, got number 1/),
  paper(
    "processing_flags as a list",
    { processing_flags: [] },
    /papers\[1\]\.processing_flags must be record, got an array/,
  ),
  paper(
    "a word as venue_confidence",
    { venue_confidence: "high" },
    /papers\[1\]\.venue_confidence must be number, got "high"/,
  ),
  input(
    "many broken papers (ten shown, the rest counted)",
    JSON.stringify(Array.from({ length: 15 }, (_, i) => ({ title: "T", venue: "V", year: `y${i}` }))),
    /in\.json: 15 invalid field\(s\):\n {2}papers\[0\]\.year must be number, got "y0"\n(.*\n){9} {2}… and 5 more\n/,
  ),
  input(
    "conflicting duplicate ids",
    JSON.stringify([
      { title: "A", venue: "V", year: 2020, paper_id: "dup" },
      { title: "B", venue: "V", year: 2020, paper_id: "x" },
      { title: "C", venue: "V", year: 2020, paper_id: "dup" },
    ]),
    /in\.json: papers\[2\]\.paper_id "dup" is also the id of papers\[0\], with different content/,
  ),
  legacyPaper(
    "no title",
    { title: undefined },
    /in\.json: 1 invalid field\(s\):\n {2}papers\[1\]\.title is required but missing/,
  ),
  legacyPaper("a word as year", { year: "abc" }, /papers\[1\]\.year must be number, got "abc"/),
  legacyPaper(
    "a negative citation count",
    { citations: -3 },
    /papers\[1\]\.citations must be a list of citation records or a whole number of citations \(legacy count\), got number -3/,
  ),
  legacyPaper(
    "a fractional citation count",
    { citations: 2.5 },
    /papers\[1\]\.citations must be .*got number 2\.5/,
  ),
  legacyPaper(
    "a number as abstract",
    { abstract: 42 },
    /papers\[1\]\.abstract must be a string \(legacy abstract\), got number 42/,
  ),
  // Nesting: refused at validation (before any session exists), never a stack overflow.
  paper(
    "an unknown field nested 3,000 levels deep",
    { deep: rawJson(`${'{"x":'.repeat(3000)}1${"}".repeat(3000)}`) },
    /in\.json: papers\[1\]\.deep\.x\.x\.x\.x\.x…\.x\.x\.x is nested deeper than 256 levels\n.*at most 256 levels/,
  ),
  paper(
    "lists nested 100,000 levels deep",
    { deep: rawJson(`${"[".repeat(100_000)}1${"]".repeat(100_000)}`) },
    /in\.json: papers\[1\]\.deep\[0\]\[0\]\[0\]\[0\]\[0\]…\[0\]\[0\]\[0\] is nested deeper than 256 levels/,
  ),
  paper(
    "a record's data nested 300 levels deep",
    { citations: [record({ count: 1, extra: nestedValue(300, (v) => ({ "a\u001bb": v })) })] },
    /papers\[1\]\.citations\[0\]\.data\.extra\.a\\x1bb\.a\\x1bb.*…\.a\\x1bb\.a\\x1bb\.a\\x1bb is nested deeper than 256 levels/,
  ),
  // Encodings: UTF-8 only (a UTF-8 byte-order mark is accepted, see test/e2e/input-text.test.ts).
  input(
    "UTF-16 little-endian with a byte-order mark",
    utf16(VALID, "le", true),
    /in\.json: looks like UTF-16 \(little-endian\); save it as UTF-8\n/,
  ),
  input(
    "UTF-16 little-endian without a byte-order mark",
    utf16(VALID, "le", false),
    /in\.json: looks like UTF-16 \(little-endian\); save it as UTF-8\n/,
  ),
  input(
    "UTF-16 big-endian with a byte-order mark",
    utf16(VALID, "be", true),
    /in\.json: looks like UTF-16 \(big-endian\); save it as UTF-8\n/,
  ),
  input(
    "UTF-16 big-endian without a byte-order mark",
    utf16(VALID, "be", false),
    /in\.json: looks like UTF-16 \(big-endian\); save it as UTF-8\n/,
  ),
  input(
    "Latin-1 (an é as the single byte 0xE9)",
    Buffer.from('[\n{"title": "Caf\u00e9 networks", "venue": "V", "year": 2020}]', "latin1"),
    /in\.json: not valid UTF-8 \(byte 0xE9 at offset 16, line 2\); save it as UTF-8\n/,
  ),
  input(
    "a UTF-8 byte-order mark, then invalid JSON",
    `\ufeff${VALID.slice(0, -1)}`,
    /in\.json: not valid JSON \((?!.*\ufeff)/,
  ),
  // Control characters from the file are quoted escaped, never raw.
  paper(
    "an escape sequence in a bad year",
    { year: "\u001b[2J\u001b[31m2020\r" },
    /papers\[1\]\.year must be number, got "\\x1b\[2J\\x1b\[31m2020\\r"/,
  ),
  paper(
    "a newline and a bidi override in a bad number",
    { venue_confidence: "high\nlow\u202e" },
    /papers\[1\]\.venue_confidence must be number, got "high\\nlow\\u202e"/,
  ),
  paper(
    "bidi isolates and C1 controls in a bad title",
    { title: ["\u2066evil\u2069"], year: "\u0085\u009b2020\u202e" },
    /papers\[1\]\.year must be number, got "\\x85\\x9b2020\\u202e"/,
  ),
  input(
    "conflicting duplicate ids with control characters",
    JSON.stringify([
      { title: "A", venue: "V", year: 2020, paper_id: "dup\u001b]0;pwned\u0007\u202e" },
      { title: "B", venue: "V", year: 2020, paper_id: "dup\u001b]0;pwned\u0007\u202e" },
    ]),
    /papers\[1\]\.paper_id "dup\\x1b\]0;pwned\\x07\\u202e" is also the id of papers\[0\]/,
  ),
  input(
    "not JSON: an escape sequence and a bidi override quoted by the parser",
    "[1,\u001b[2J\u202e]",
    /in\.json: not valid JSON \(Unexpected token '\\x1b', "\[1,\\x1b\[2J\\u202e\]" is not valid JSON\)/,
  ),
  {
    name: "a file name with an escape sequence",
    files: {},
    args: ["consolidate", "--input", "in\u001b[2Jx.json", ...OFFLINE],
    names: "in\\x1b[2Jx.json",
    message: /in\\x1b\[2Jx\.json: no such file/,
  },
];

/** `leaf` wrapped `depth` times by `wrap`. */
function nestedValue(depth: number, wrap: (inner: unknown) => unknown): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = wrap(value);
  return value;
}

/** `text` as UTF-16 bytes, optionally with a byte-order mark. */
function utf16(text: string, order: "le" | "be", bom: boolean): Uint8Array {
  const le = Buffer.from(`${bom ? "\ufeff" : ""}${text}`, "utf16le");
  if (order === "le") return le;
  const be = Buffer.alloc(le.length);
  for (let i = 0; i + 1 < le.length; i += 2) {
    be[i] = le[i + 1]!;
    be[i + 1] = le[i]!;
  }
  return be;
}
