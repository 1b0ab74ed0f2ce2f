import { Tokenizer } from "@streamparser/json";

/**
 * Finds where each paper of an input file lies, block by block, with a streaming JSON tokenizer
 * (@streamparser/json): the file is never held whole. The papers are the elements of a top-level
 * list or of the envelope's `"papers"` list; each is handed over as its own bytes, to be parsed
 * alone. Every other value of the envelope is handed over the same way (`collection_metadata` is
 * kept). The tokenizer only reads tokens: the grammar of the levels around the values (commas,
 * colons, brackets) is checked here, and that of each value by JSON.parse of its bytes, so that a
 * file JSON.parse refuses is refused. Anything wrong with the file's shape (not JSON, no `papers`,
 * nested too deep) is a SplitProblem: the caller words the message.
 */

// The tokenizer's token kinds (its TokenType enum is a type-only export).
const LEFT_BRACE = 0;
const RIGHT_BRACE = 1;
const LEFT_BRACKET = 2;
const RIGHT_BRACKET = 3;
const COLON = 4;
const COMMA = 5;
const STRING = 9;

export class SplitProblem extends Error {}

export interface SplitValue {
  /** The paper's index in its list; -1 for another value of the envelope. */
  index: number;
  /** The envelope's key for the value (`papers` for a paper); undefined in a plain list. */
  key: string | undefined;
  /** Byte offsets in the file: [start, end). */
  start: number;
  end: number;
  bytes: Buffer;
}

/** Where a list or object around the values stands: what may come next. */
type LevelState = "first" | "key" | "colon" | "value" | "inside" | "after";

/** A list or object whose values are handed over (the top-level list, the envelope, its papers list). */
interface Level {
  kind: "list" | "object";
  /** The depth of its values' first tokens. */
  depth: number;
  state: LevelState;
  key: string | undefined;
  valueStart: number;
}

export class PaperSplitter {
  /** `list`: the file is a list of papers; `envelope`: `{"papers": [...]}`. */
  shape: "list" | "envelope" | undefined;
  papersSeen = 0;
  /** Times the envelope had a `papers` list. */
  papersLists = 0;
  // separator "": a second value after the first is tokenized, so that it can be refused.
  private readonly tokenizer = new Tokenizer({ separator: "" });
  private depth = 0;
  private rootClosed = false;
  /** The levels open, outermost first (at most the envelope and its papers list). */
  private readonly levels: Level[] = [];
  /** Blocks kept from the start of the value being read. */
  private kept: Array<{ at: number; bytes: Buffer }> = [];
  /** Bytes before the tokenizer's offset 0 (a byte-order mark it never sees). */
  private base = 0;
  /** Where the last token began: a token not emitted yet (a long string) starts after it. */
  private lastTokenAt = 0;
  private pending: Error | undefined;

  constructor(
    private readonly onValue: (value: SplitValue) => void,
    private readonly maxDepth: number,
  ) {
    this.tokenizer.onToken = ({ token, value, offset }) => this.token(token, value, this.base + offset);
    this.tokenizer.onError = (error) => {
      this.pending ??= new SplitProblem(error.message);
    };
  }

  /** The file's first `bytes` are not JSON (a byte-order mark): never tokenized. Before any write. */
  skipStart(bytes: number): void {
    this.base = bytes;
  }

  /** Feed the next block, which starts at byte `at` of the file. */
  write(block: Buffer, at: number): void {
    this.kept.push({ at, bytes: block });
    // The tokenizer counts its offsets over everything written to it: from byte `base` of the file.
    const skip = Math.min(block.length, Math.max(0, this.base - at));
    if (skip < block.length) this.tokenizer.write(skip > 0 ? block.subarray(skip) : block);
    this.raise();
    this.forget();
  }

  /** The file is over: a truncated value, or a file without papers, is a SplitProblem. */
  end(): void {
    if (!this.tokenizer.isEnded) this.tokenizer.end();
    this.raise();
    if (this.shape === undefined) throw new SplitProblem("the file holds no JSON value");
    if (!this.rootClosed) throw new SplitProblem("the file ends before its JSON value does");
    if (this.shape === "envelope" && this.papersLists === 0) throw new SplitProblem("no papers key");
  }

  private raise(): void {
    const problem = this.pending;
    if (problem) throw problem instanceof SplitProblem ? problem : new SplitProblem(String(problem));
  }

  private token(token: number, value: unknown, at: number): void {
    if (this.pending) return;
    this.lastTokenAt = at;
    try {
      this.step(token, value, at);
    } catch (error) {
      this.pending = error instanceof Error ? error : new SplitProblem(String(error));
    }
  }

  private step(token: number, value: unknown, at: number): void {
    if (this.rootClosed) throw new SplitProblem("more than one JSON value");
    const opens = token === LEFT_BRACE || token === LEFT_BRACKET;
    const closes = token === RIGHT_BRACE || token === RIGHT_BRACKET;
    // The depth a token sits at: the containers around it (a closer sits where its opener did).
    if (closes) this.depth -= 1;
    const depth = this.depth;
    if (opens && ++this.depth > this.maxDepth) throw new SplitProblem("nested too deep");
    if (depth < 0) throw new SplitProblem("a bracket closes nothing");
    if (this.shape === undefined) {
      this.root(token);
      return;
    }
    const level = this.levels.at(-1);
    if (!level) throw new SplitProblem("a value after the top-level one");
    if (depth === level.depth - 1) {
      // The level's own closing bracket.
      if (!closes || token !== (level.kind === "list" ? RIGHT_BRACKET : RIGHT_BRACE))
        throw new SplitProblem("unexpected token");
      if (level.state !== "first" && level.state !== "after")
        throw new SplitProblem("unexpected end of a list");
      this.endValue(level, at);
      this.levels.pop();
      if (depth === 0) this.rootClosed = true;
      else this.levelAbove(depth)!.state = "after";
      return;
    }
    if (depth !== level.depth) return; // inside a value: JSON.parse of its bytes checks it
    if (token === COMMA) {
      if (level.state !== "after") throw new SplitProblem("unexpected comma");
      this.endValue(level, at);
      level.state = level.kind === "list" ? "value" : "key";
      return;
    }
    if (level.kind === "object" && token === STRING && (level.state === "first" || level.state === "key")) {
      level.key = String(value);
      level.state = "colon";
      return;
    }
    if (level.kind === "object" && token === COLON) {
      if (level.state !== "colon") throw new SplitProblem("unexpected colon");
      level.state = "value";
      return;
    }
    if (closes) {
      // The end of a list or object value of this level.
      if (level.state !== "inside") throw new SplitProblem("unexpected token");
      level.state = "after";
      return;
    }
    const expecting =
      level.kind === "list" ? level.state === "first" || level.state === "value" : level.state === "value";
    if (!expecting || token === COLON) throw new SplitProblem("unexpected token");
    if (this.shape === "envelope" && level.depth === 1 && level.key === "papers") {
      if (token !== LEFT_BRACKET) throw new SplitProblem("papers is not a list");
      // JSON.parse keeps the last of two "papers" keys: a stream cannot, having handed the first over.
      if (this.papersLists++ > 0) throw new SplitProblem("papers appears twice");
      level.state = "inside";
      this.levels.push({ kind: "list", depth: 2, state: "first", key: "papers", valueStart: -1 });
      return;
    }
    level.valueStart = at;
    level.state = opens ? "inside" : "after";
  }

  private root(token: number): void {
    if (token === LEFT_BRACKET) this.shape = "list";
    else if (token === LEFT_BRACE) this.shape = "envelope";
    else throw new SplitProblem("not a list or an object");
    this.levels.push({
      kind: this.shape === "list" ? "list" : "object",
      depth: 1,
      state: "first",
      key: undefined,
      valueStart: -1,
    });
  }

  private levelAbove(depth: number): Level | undefined {
    return this.levels.find((level) => level.depth === depth);
  }

  private endValue(level: Level, at: number): void {
    if (level.valueStart < 0) return; // papers list: its papers were handed over one by one
    const start = level.valueStart;
    level.valueStart = -1;
    const isPaper = this.shape === "list" || level.depth === 2;
    const index = isPaper ? this.papersSeen++ : -1;
    this.onValue({
      index,
      key: this.shape === "list" ? undefined : level.key,
      start,
      end: at,
      bytes: this.slice(start, at),
    });
  }

  /** Bytes [start, end) of the file, from the kept blocks. */
  private slice(start: number, end: number): Buffer {
    const parts: Buffer[] = [];
    for (const { at, bytes } of this.kept) {
      const from = Math.max(start, at);
      const to = Math.min(end, at + bytes.length);
      if (from < to) parts.push(bytes.subarray(from - at, to - at));
    }
    // One part is a view into a block: copied, so that a small paper does not keep its block alive.
    return parts.length === 1 ? Buffer.from(parts[0]!) : Buffer.concat(parts);
  }

  /**
   * Let go of the blocks before what is still being read: the value open, or else the last token
   * (one still being tokenized, such as a long string, began after it).
   */
  private forget(): void {
    let keepFrom = this.lastTokenAt;
    for (const level of this.levels)
      if (level.valueStart >= 0) keepFrom = Math.min(keepFrom, level.valueStart);
    while (this.kept.length > 1 && this.kept[0]!.at + this.kept[0]!.bytes.length <= keepFrom)
      this.kept.shift();
  }
}
