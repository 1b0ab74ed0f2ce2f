import { writeFile } from "node:fs/promises";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import { loadInputFile } from "../../src/model/input-file.js";
import { scanInputFile } from "../../src/model/input-stream.js";
import { testdir } from "../helpers/testdir.js";

/**
 * The streamed reader (issue 16) must give what the whole-file reader gives: the same papers, ids,
 * warnings, migrations and hash, and the same messages, whatever the read size (tiny blocks split
 * papers, strings and multi-byte characters between reads).
 */

async function fileWith(content: string | Buffer): Promise<string> {
  const file = path.join(await testdir(), "papers.json");
  await writeFile(file, content);
  return file;
}

const paper = (extra: object = {}) => ({ title: "T", venue: "ICML", year: 2023, ...extra });
const BLOCKS = [1, 2, 3, 7, 64, 4096];

const good: Array<[string, string | Buffer]> = [
  [
    "an envelope, metadata first",
    JSON.stringify({ collection_metadata: { a: [1, { b: "]" }] }, papers: [paper(), paper()] }),
  ],
  [
    "an envelope, metadata last",
    JSON.stringify(
      { papers: [paper({ paper_id: "x" })], collection_metadata: { timestamp: "2020-01-02T03:04:05" } },
      null,
      2,
    ),
  ],
  ["a plain list, indented", JSON.stringify([paper({ paper_id: "a" }), paper({ paper_id: "b" })], null, 4)],
  [
    "other keys around papers",
    '{"x": {"papers": 1}, "papers" : [ {"title":"T","year":2020,"venue":"V"} ] , "y": [[]]}',
  ],
  [
    "strings with brackets, quotes and escapes",
    JSON.stringify([paper({ title: 'a "[x]" {y} \\ \u00e9 \u20ac \ud83d\ude00 ,', abstracts: [] })]),
  ],
  [
    "a byte-order mark",
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify([paper()]))]),
  ],
  ["unicode escapes in keys", '{"pap\\u0065rs": [{"t\\u0069tle": "T", "year": 2021, "venue": "V"}]}'],
  [
    "legacy flat papers, generated ids that collide with given ones",
    JSON.stringify({
      collection_metadata: { timestamp: "2024-05-06T07:08:09" },
      papers: [
        { title: "A", year: 2020, venue: "", paper_id: "", citations: 5, abstract: "text", authors: ["X Y"] },
        { title: "B", year: 2020, venue: "", paper_id: "2020_0000" },
        { title: "C", year: 2020, venue: "V", source: "semanticscholar", citations: 0, abstract: "" },
        { title: "D", year: "2021", venue: "V", extra: { deep: [1, 2, { x: null }] } },
      ],
    }),
  ],
  [
    "exact duplicates collapse",
    JSON.stringify([paper({ paper_id: "d" }), paper({ paper_id: "e" }), paper({ paper_id: "d" })]),
  ],
  ["two identical papers without ids", JSON.stringify([paper(), paper()])],
  [
    "numbers at the edges",
    '[{"title": "T", "venue": "ICML", "year": 2023, "n": 1e400, "m": -0, "k": 12345678901234567890, "f": 0.1e-5}]',
  ],
  [
    "whitespace everywhere",
    ` \n\t[ \r\n ${JSON.stringify(paper())} \n , \n${JSON.stringify(paper({ venue: "W" }))}\n ] \n `,
  ],
];

describe("scanInputFile gives what loadInputFile gives", () => {
  for (const [name, content] of good) {
    it(name, async () => {
      const file = await fileWith(content);
      const whole = await loadInputFile(file);
      for (const blockBytes of BLOCKS) {
        const scanned = await scanInputFile(file, { blockBytes });
        const papers = [...scanned.papers()];
        expect(scanned.read, `block ${blockBytes}`).toBe("stream");
        expect(papers, `block ${blockBytes}`).toEqual(whole.papers);
        expect(JSON.stringify(papers)).toBe(JSON.stringify(whole.papers)); // key order too
        expect(scanned.count).toBe(whole.papers.length);
        expect(scanned.sha256).toBe(whole.sha256);
        expect(scanned.warnings).toEqual(whole.warnings);
        expect(scanned.migrated).toEqual(whole.migrated);
        expect(scanned.collectionMetadata).toEqual(whole.collectionMetadata);
        expect([...scanned.papers()]).toEqual(papers); // read again, the same
      }
    });
  }
});

const bad: Array<[string, string | Buffer]> = [
  ["not JSON", "{papers: ["],
  ["truncated", JSON.stringify([paper(), paper()]).slice(0, -3)],
  ["trailing garbage", `${JSON.stringify([paper()])} x`],
  ["a second value", `${JSON.stringify([paper()])} []`],
  ["a number", "42"],
  ["no papers key", JSON.stringify({ items: [] })],
  ["papers not a list", JSON.stringify({ papers: {} })],
  ["zero papers", JSON.stringify({ papers: [] })],
  ["an empty list", "[]"],
  ["invalid fields", JSON.stringify([paper(), { venue: "V", year: "soon" }, 7, null])],
  ["many invalid fields", JSON.stringify(Array.from({ length: 30 }, () => ({ year: "x" })))],
  ["one id, two contents", JSON.stringify([paper({ paper_id: "d" }), paper({ paper_id: "d", title: "U" })])],
  ["UTF-16", Buffer.from(`\ufeff${JSON.stringify([paper()])}`, "utf16le")],
  [
    "invalid UTF-8",
    Buffer.concat([
      Buffer.from('[{"title":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('","year":2020,"venue":"V"}]'),
    ]),
  ],
  ["too deep", `[${"[".repeat(300)}${"]".repeat(300)}]`],
  ["only whitespace", "   \n "],
];

describe("scanInputFile refuses what loadInputFile refuses, in the same words", () => {
  for (const [name, content] of bad) {
    it(name, async () => {
      const file = await fileWith(content);
      const expected = await loadInputFile(file).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(expected).toBeInstanceOf(InputError);
      for (const blockBytes of [1, 5, 4096]) {
        const error = await scanInputFile(file, { blockBytes }).then(
          (scanned) => [...scanned.papers()],
          (e: unknown) => e,
        );
        expect(error, `block ${blockBytes}`).toBeInstanceOf(InputError);
        expect((error as InputError).message).toBe((expected as InputError).message);
      }
    });
  }
});

describe("scanInputFile and a file that changes", () => {
  it("refuses to read papers again from a file changed since it was validated", async () => {
    const file = await fileWith(JSON.stringify([paper({ paper_id: "a" })]));
    const scanned = await scanInputFile(file);
    await writeFile(file, JSON.stringify([paper({ paper_id: "b" }), paper({ paper_id: "c" })]));
    expect(() => [...scanned.papers()]).toThrow(/changed since it was validated/);
  });

  it("reports progress by bytes", async () => {
    const content = JSON.stringify(Array.from({ length: 50 }, (_, i) => paper({ paper_id: `p${i}` })));
    const file = await fileWith(content);
    const seen: number[] = [];
    await scanInputFile(file, { blockBytes: 256, onProgress: (read, size) => seen.push(read / size) });
    expect(seen.length).toBe(Math.ceil(content.length / 256));
    expect(seen.at(-1)).toBe(1);
  });
});

describe("scanInputFile against loadInputFile on generated and damaged files", () => {
  const text = fc.string({ unit: "grapheme", maxLength: 12 });
  const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small" },
      text,
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie("value"), { maxLength: 3 }),
      fc.dictionary(text, tie("value"), { maxKeys: 3 }),
    ),
  })).value;
  const paperArb = fc.record(
    {
      paper_id: fc.oneof(fc.constant(""), fc.constantFrom("a", "b", "c"), text),
      title: text,
      year: fc.oneof(fc.integer({ min: 1990, max: 2030 }), fc.constantFrom("2020", "x")),
      venue: fc.constantFrom("", "ICML", "NeurIPS"),
      citations: fc.oneof(fc.nat(50), fc.constant([])),
      abstract: fc.oneof(fc.constant(""), text),
      extra: json,
    },
    { requiredKeys: ["title", "year"] },
  );
  const fileArb = fc.record({
    papers: fc.array(paperArb, { maxLength: 6 }),
    envelope: fc.boolean(),
    metadata: fc.option(json),
    indent: fc.constantFrom(undefined, 1, 2),
    block: fc.integer({ min: 1, max: 64 }),
  });

  const outcome = async <T>(promise: Promise<T>) =>
    promise.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({
        ok: false as const,
        message: error instanceof InputError ? error.message : String(error),
      }),
    );

  // Ids that share a hash in threes: duplicates and generated ids must still be told apart exactly.
  const colliding = (id: string): [number, number] => [id.length % 3, 7];

  it("agree on every generated file, whatever the read size and however ids hash", async () => {
    const file = path.join(await testdir(), "papers.json");
    await fc.assert(
      fc.asyncProperty(
        fileArb,
        fc.boolean(),
        async ({ papers, envelope, metadata, indent, block }, collide) => {
          const data = envelope ? { collection_metadata: metadata ?? undefined, papers } : papers;
          await writeFile(file, JSON.stringify(data, null, indent));
          const whole = await outcome(loadInputFile(file));
          const streamed = await outcome(
            scanInputFile(file, { blockBytes: block, ...(collide ? { idHash: colliding } : {}) }).then(
              (s) => ({
                s,
                papers: [...s.papers()],
              }),
            ),
          );
          expect(streamed.ok).toBe(whole.ok);
          if (!whole.ok || !streamed.ok) {
            expect(streamed.ok ? "" : streamed.message).toBe(whole.ok ? "" : whole.message);
            return;
          }
          const loaded = whole.value as Awaited<ReturnType<typeof loadInputFile>>;
          expect(JSON.stringify(streamed.value.papers)).toBe(JSON.stringify(loaded.papers));
          expect(streamed.value.s.warnings).toEqual(loaded.warnings);
          expect(streamed.value.s.migrated).toEqual(loaded.migrated);
          expect(streamed.value.s.count).toBe(loaded.papers.length);
          expect(streamed.value.s.read).toBe("stream");
        },
      ),
      { numRuns: Number(process.env.CF_FUZZ_RUNS ?? 300) },
    );
  });

  it("agree on files with a byte cut, changed or inserted", async () => {
    const file = path.join(await testdir(), "papers.json");
    const bases = [
      JSON.stringify(
        { collection_metadata: { t: "x" }, papers: [paper({ paper_id: "a" }), paper({ venue: "é€" })] },
        null,
        1,
      ),
      JSON.stringify([paper({ paper_id: "a", n: [1, { b: null }] }), paper({ title: "x,y" })]),
      JSON.stringify({ x: [true, 1.5e3], papers: [paper()], y: "s" }),
    ].map((text) => Buffer.from(text));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...bases),
        fc.nat(200),
        fc.constantFrom("cut", "set", "insert"),
        fc.constantFrom(...Buffer.from('{}[],:"\\ 0a-e\n').values(), 0x80, 0xc3, 0xff),
        fc.integer({ min: 1, max: 16 }),
        async (base, far, how, byte, block) => {
          const at = far % base.length;
          const bytes =
            how === "cut"
              ? Buffer.concat([base.subarray(0, at), base.subarray(at + 1)])
              : how === "set"
                ? Buffer.concat([base.subarray(0, at), Buffer.from([byte]), base.subarray(at + 1)])
                : Buffer.concat([base.subarray(0, at), Buffer.from([byte]), base.subarray(at)]);
          await writeFile(file, bytes);
          const whole = await outcome(loadInputFile(file));
          const streamed = await outcome(
            scanInputFile(file, { blockBytes: block }).then((s) => [...s.papers()]),
          );
          expect(streamed.ok).toBe(whole.ok);
          if (!whole.ok || !streamed.ok)
            expect(streamed.ok ? "" : streamed.message).toBe(whole.ok ? "" : whole.message);
          else
            expect(JSON.stringify(streamed.value)).toBe(
              JSON.stringify((whole.value as { papers: unknown }).papers),
            );
        },
      ),
      { numRuns: Number(process.env.CF_FUZZ_RUNS ?? 400) },
    );
  });
});

describe("exact duplicates of legacy papers", () => {
  it("count once in what was migrated and in the papers without a venue", async () => {
    const legacy = { title: "A", year: 2020, venue: "", paper_id: "x", citations: 3, abstract: "t" };
    const file = await fileWith(
      JSON.stringify({
        collection_metadata: { timestamp: "2024-05-06T07:08:09" },
        papers: [legacy, legacy, legacy],
      }),
    );
    for (const read of [loadInputFile(file), scanInputFile(file)]) {
      const { migrated, warnings } = await read;
      expect(migrated).toEqual({ citations: 1, abstracts: 1 });
      expect(warnings.join("\n")).toMatch(/2 exact duplicate paper\(s\)/);
      expect(warnings.join("\n")).toMatch(/1 paper has no venue/);
    }
  });
});
