import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OutputBytes } from "../../src/core/output-bytes.js";
import { withStableRecordOrder } from "../../src/core/output-file.js";
import { printStoredPaper } from "../../src/core/stored-paper-text.js";
import type { Paper } from "../../src/model/paper.js";
import { makePapers } from "../helpers/papers.js";

/** A stored line printed into the output without parsing it: the same bytes as parsing and printing it. */

/** How the output printed a paper before (parsed, stable record order, indented by a second pass). */
function reference(paper: Paper): string {
  return JSON.stringify(withStableRecordOrder(paper), null, 2).replace(/\n/g, "\n    ");
}

/** What printStoredPaper prints after `before` (undefined when it refuses, checking it wrote nothing). */
function printed(line: string | Buffer, paperId: string, out = new OutputBytes(64)): string | undefined {
  out.writeString("before");
  const ok = printStoredPaper(typeof line === "string" ? Buffer.from(line, "utf8") : line, paperId, out);
  const text = out.take().toString("utf8");
  if (!ok) {
    expect(text).toBe("before");
    return undefined;
  }
  expect(text.startsWith("before")).toBe(true);
  return text.slice("before".length);
}

/** Strings JSON escapes or a printer could mistake for structure. */
const nasty = fc
  .array(
    fc.oneof(
      fc.string({ unit: "binary" }),
      fc.constantFrom(
        '"',
        "\\",
        "/",
        "\\u0075",
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        " ",
        "\n",
        "\t",
        "\b",
        "\f",
        "\r",
        "\u0000",
        "\u001f",
        "\u007f",
        "\u2028",
        "é",
        "日本",
        "\ud83d\ude00",
        "\ud800",
        "\udc00",
        "\udbff\udbff",
        "true",
        "null",
        "-0",
        '"source":"openalex"',
        '"paper_id":"P9999"',
      ),
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(""));

/** Any JSON value, with nasty strings and numbers of every kind (-0, fractions, exponents). */
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    nasty,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.constantFrom(0, -0, 1e21, 1e-7, 123456789012345680000, 2 ** 53 + 2, 0.1, -1.5e-300),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(nasty, tie("value"), { maxKeys: 3 }),
  ),
})).value;

const source = fc.constantFrom(
  "openalex",
  "semantic_scholar",
  "pmlr",
  "",
  'open"alex',
  "open\\alex",
  "semantic\u0000scholar",
  "\ud800",
);

/** A record: usually of the usual shape, sometimes missing its source, or with any value as source. */
const record = fc.oneof(
  fc.record({ source, timestamp: nasty, original: fc.boolean(), data: value }),
  fc.record({ timestamp: nasty, data: value }),
  fc.record({ source: value, data: value }),
  fc.constant({}),
);

const paper: fc.Arbitrary<Paper> = fc
  .record({
    base: fc.nat(30),
    id: fc.oneof(
      fc.constantFrom("P0001", "W1"),
      nasty.filter((s) => s !== ""),
    ),
    title: nasty,
    extras: fc.dictionary(nasty, value, { maxKeys: 4 }),
    citations: fc.array(record, { maxLength: 5 }),
    abstracts: fc.array(record, { maxLength: 3 }),
    urls: fc.array(record, { maxLength: 3 }),
    identifiers: fc.array(record, { maxLength: 4 }),
    flags: fc.dictionary(nasty, value, { maxKeys: 2 }),
    year: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
  })
  .map(({ base, id, title, extras, citations, abstracts, urls, identifiers, flags, year }) => {
    const made = makePapers(base + 1)[base] as Paper;
    return {
      ...extras,
      ...made,
      paper_id: id,
      title,
      year,
      citations,
      abstracts,
      urls,
      identifiers,
      processing_flags: flags,
    } as unknown as Paper;
  });

describe("printStoredPaper", () => {
  it("prints a stored line as the paper parsed, in stable record order, pretty-printed (property)", () => {
    fc.assert(
      fc.property(paper, (p) => {
        const line = JSON.stringify(p);
        expect(printed(line, p.paper_id)).toBe(reference(JSON.parse(line) as Paper));
      }),
      { numRuns: 2000 },
    );
  });

  it("puts records out of source order in order, the input's first, keeping the order among equals", () => {
    const rec = (source: string, n: number) => ({ source, timestamp: "t", original: false, data: { n } });
    const p = {
      ...(makePapers(1)[0] as Paper),
      citations: [rec("semantic_scholar", 1), rec("pmlr", 2), rec("openalex", 3), rec("pmlr", 4)],
      urls: [rec("openalex", 1), {}, rec("semantic_scholar", 2), rec("openalex", 3)],
    } as unknown as Paper;
    const text = printed(JSON.stringify(p), p.paper_id) as string;
    expect(text).toBe(reference(p));
    const citations = (JSON.parse(text) as Paper).citations.map(
      (r) => `${r.source}${(r.data as unknown as { n: number }).n}`,
    );
    expect(citations).toEqual(["pmlr2", "pmlr4", "openalex3", "semantic_scholar1"]);
  });

  it("grows its buffer for a paper larger than a block", () => {
    const p = { ...(makePapers(1)[0] as Paper), title: "x".repeat(10_000) };
    const out = new OutputBytes(16);
    expect(printed(JSON.stringify(p), p.paper_id, out)).toBe(reference(p));
  });

  const good = JSON.stringify(makePapers(1)[0]);
  const refused: Array<[string, string | Buffer]> = [
    ["another paper's line", good.replace('"P0000"', '"P0001"')],
    ["a missing field", good.replace('"venue":"ICML",', "")],
    ["a field of another type", good.replace('"year":2023', '"year":"2023"')],
    ["processing_flags null", good.replace('"processing_flags":{}', '"processing_flags":null')],
    ["a record list that is not a list", good.replace('"urls":[]', '"urls":{}')],
    ["a record that is not an object", good.replace('"urls":[]', '"urls":[null]')],
    ["a record that is a string", good.replace('"urls":[]', '"urls":["openalex"]')],
    ["a field twice", good.replace('"venue":"ICML",', '"venue":"ICML","venue":"NeurIPS",')],
    ["the paper id twice", good.replace("{", '{"paper_id":"P0000",')],
    ["a truncated line", good.slice(0, -1)],
    ["bytes after the paper", `${good},`],
    ["a space between tokens", good.replace('"year":2023', '"year": 2023')],
    ["a list, not an object", `[${good}]`],
    ["an empty object", "{}"],
    ["an unclosed string", good.replace('"ICML"', '"ICML')],
    ["a mismatched bracket", good.replace('"urls":[]', '"urls":[}')],
    ["a missing comma", good.replace('"ICML",', '"ICML"')],
    ["a key in a list", good.replace('"urls":[]', '"urls":["a":1]')],
    ["a value where a key goes", good.replace('"venue":"ICML",', '"venue","ICML",')],
    ["an escape JSON.stringify does not write", good.replace('"Paper number 0"', '"Paper n\\u0075mber 0"')],
    ["an escaped slash", good.replace('"Paper number 0"', '"Paper\\/0"')],
    ["uppercase hex", good.replace('"Paper number 0"', '"Paper\\u001F"')],
    ["a short escape written long", good.replace('"Paper number 0"', '"Paper\\u000a"')],
    ["an escaped surrogate pair", good.replace('"Paper number 0"', '"\\ud83d\\ude00"')],
    ["an unknown escape", good.replace('"Paper number 0"', '"Paper\\x"')],
    ["a raw control character next to an escape", good.replace('"Paper number 0"', '"\\n\u0001"')],
    ["a number JSON.stringify writes otherwise", good.replace('"year":2023', '"year":2023.0')],
    ["an exponent", good.replace('"year":2023', '"year":2e3')],
    ["minus zero", good.replace('"year":2023', '"year":-0')],
    ["a leading zero", good.replace('"year":2023', '"year":02023')],
    ["a misspelt literal", good.replace("null", "nul")],
    ["two literals", good.replace("null", "nullnull")],
    // JSON.parse puts array-index keys first: {"b":1,"0":2} reads back as {"0":2,"b":1}.
    [
      "a key of digits after another key",
      good.replace('"processing_flags":{}', '"processing_flags":{"b":1,"0":2}'),
    ],
    ["a key of digits first", good.replace('"processing_flags":{}', '"processing_flags":{"10":1}')],
    [
      "bytes that are not UTF-8",
      Buffer.concat([Buffer.from(good.slice(0, 20)), Buffer.from([0xff]), Buffer.from(good.slice(20))]),
    ],
  ];
  it.each(refused)("refuses %s (writing nothing, for the caller to parse it)", (_, line) => {
    expect(printed(good, "P0000")).toBe(reference(JSON.parse(good) as Paper));
    expect(printed(line, "P0000")).toBeUndefined();
  });

  it("prints a damaged line only as the paper JSON.parse reads from it (property)", () => {
    const bytes = [
      0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x20, 0x30, 0x2d, 0x2e, 0x65, 0x75, 0x6e, 0xff, 0xc3,
    ];
    fc.assert(
      fc.property(
        paper,
        fc.nat(),
        fc.constantFrom(...bytes),
        fc.constantFrom("replace", "insert", "delete"),
        (p, at, byte, how) => {
          const good = Buffer.from(JSON.stringify(p), "utf8");
          const k = at % good.length;
          const damaged = Buffer.concat([
            good.subarray(0, k),
            how === "delete" ? Buffer.alloc(0) : Buffer.from([byte]),
            good.subarray(how === "insert" ? k : k + 1),
          ]);
          const text = printed(damaged, p.paper_id);
          if (text === undefined) return;
          // Not asked of the printer (JSON.stringify never writes one; it prints only lines cf wrote).
          if (hasRepeatedKey(damaged.toString("utf8"))) return;
          const parsed = JSON.parse(damaged.toString("utf8")) as Paper;
          expect(JSON.stringify(parsed)).toBe(damaged.toString("utf8"));
          expect(text).toBe(reference(parsed));
        },
      ),
      { numRuns: 3000 },
    );
  });
});

/** Whether valid JSON text has an object holding a key twice (JSON.parse keeps the last one). */
function hasRepeatedKey(text: string): boolean {
  const keys: Array<Set<string> | undefined> = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "{") keys.push(new Set());
    else if (c === "[") keys.push(undefined);
    else if (c === "}" || c === "]") keys.pop();
    else if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      const object = keys[keys.length - 1];
      if (text[end + 1] === ":" && object) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (object.has(key)) return true;
        object.add(key);
      }
      i = end;
    }
  }
  return false;
}
