import { SessionCorruptError } from "../errors.js";
import type { Paper } from "../model/paper.js";
import { addTally, emptyTally, type PaperTally, tallyOf } from "../model/paper-tally.js";
import { type LineFile, ReadAhead, type Scratch } from "./line-files.js";

/**
 * A session's papers at rest as text (issue 16): each paper is its JSON line, either in the
 * committed snapshot (papers_enriched.json) or, once changed, in a scratch file; memory holds only
 * an index (paper id → where its line is) and running totals. A paper is parsed when a result for it
 * must be merged (then written back as a new line) or when it is read; a snapshot copies the lines of
 * unchanged papers as bytes. Memory stays flat whatever the session's size.
 */

/** Where each line of the committed snapshot is, in file order. */
export interface SnapshotLines {
  file: LineFile & { readonly file: string };
  ids: readonly string[];
  offsets: readonly number[];
  lengths: readonly number[];
  /**
   * True when the checkpoint vouches for the file's sha256: its lines were written from validated
   * papers and get a shape check when read. Otherwise each is validated before it is used.
   */
  trusted: boolean;
}

const IN_SNAPSHOT = 0;
const IN_SCRATCH = 1;

export class PaperStore {
  private order: string[] = [];
  private readonly position = new Map<string, number>();
  private where: number[] = [];
  private offsets: number[] = [];
  private lengths: number[] = [];
  private snapshot: SnapshotLines["file"] | undefined;
  private trusted = true;
  readonly tally: PaperTally = emptyTally();

  constructor(
    private readonly scratch: Scratch,
    /** Checks a line read from an untrusted snapshot, returning the paper (throws if invalid). */
    private readonly validate: (raw: unknown, paperId: string) => Paper = (raw) => raw as Paper,
  ) {}

  /** A store holding `papers`, in that order (each written to the scratch). */
  static fromPapers(papers: Iterable<Paper>, scratch: Scratch): PaperStore {
    const store = new PaperStore(scratch);
    for (const paper of papers) store.put(paper);
    return store;
  }

  /**
   * A store reading the committed snapshot, taking `lines`' lists as its own; `tally` is its totals
   * (computed by reading every paper when unknown).
   */
  static fromSnapshot(
    lines: SnapshotLines,
    tally: PaperTally | undefined,
    scratch: Scratch,
    validate: (raw: unknown, paperId: string) => Paper,
  ): PaperStore {
    const store = new PaperStore(scratch, validate);
    store.snapshot = lines.file;
    store.trusted = lines.trusted;
    // The lists are the caller's, made for this store (a million entries are not copied).
    store.order = lines.ids as string[];
    store.offsets = lines.offsets as number[];
    store.lengths = lines.lengths as number[];
    store.where = new Array(lines.ids.length).fill(IN_SNAPSHOT);
    for (let index = 0; index < store.order.length; index++)
      store.position.set(store.order[index] as string, index);
    if (tally) Object.assign(store.tally, tally);
    else for (const paper of store.papers()) addTally(store.tally, tallyOf(paper));
    return store;
  }

  get size(): number {
    return this.order.length;
  }

  has(paperId: string): boolean {
    return this.position.has(paperId);
  }

  /** The paper's position in session order, or undefined. */
  positionOf(paperId: string): number | undefined {
    return this.position.get(paperId);
  }

  /** Paper ids in session order. */
  ids(): readonly string[] {
    return this.order;
  }

  /** The paper (parsed from its line: a new object each call), or undefined. */
  get(paperId: string): Paper | undefined {
    const index = this.position.get(paperId);
    return index === undefined ? undefined : this.parse(index, this.line(index));
  }

  /** Change a paper in place (parsed, changed by `change`, written back); false when there is none. */
  update(paperId: string, change: (paper: Paper) => void): boolean {
    const paper = this.get(paperId);
    if (!paper) return false;
    const before = tallyOf(paper);
    addTally(this.tally, before, -1);
    try {
      change(paper);
      this.write(paper);
    } catch (error) {
      addTally(this.tally, before); // nothing changed
      throw error;
    }
    return true;
  }

  /** Add a paper at the end, or replace the one with its id where it is. */
  put(paper: Paper): void {
    const old = this.get(paper.paper_id);
    if (old) addTally(this.tally, tallyOf(old), -1);
    try {
      this.write(paper);
    } catch (error) {
      if (old) addTally(this.tally, tallyOf(old));
      throw error;
    }
  }

  /** Write the paper's line to the scratch and point its index entry there (its old version is already out of the totals). */
  private write(paper: Paper): void {
    const line = Buffer.from(JSON.stringify(paper), "utf8");
    const offset = this.scratch.append(line);
    let index = this.position.get(paper.paper_id);
    if (index === undefined) {
      index = this.order.length;
      this.order.push(paper.paper_id);
      this.position.set(paper.paper_id, index);
    }
    this.where[index] = IN_SCRATCH;
    this.offsets[index] = offset;
    this.lengths[index] = line.length;
    addTally(this.tally, tallyOf(paper));
  }

  /**
   * Keep only the papers `ids` names, in that order; `replacements` are new versions (or new
   * papers) to put in their place. Every id must be in the store or in `replacements`.
   */
  reorder(ids: readonly string[], replacements: ReadonlyMap<string, Paper>): void {
    const keep = new Set(ids);
    for (const id of this.order) {
      if (!keep.has(id) || replacements.has(id)) {
        const old = this.get(id);
        if (old) addTally(this.tally, tallyOf(old), -1);
      }
    }
    const where: number[] = [];
    const offsets: number[] = [];
    const lengths: number[] = [];
    for (const id of ids) {
      const index = this.position.get(id);
      if (index === undefined || replacements.has(id)) {
        where.push(IN_SNAPSHOT);
        offsets.push(0);
        lengths.push(0);
        continue;
      }
      where.push(this.where[index] as number);
      offsets.push(this.offsets[index] as number);
      lengths.push(this.lengths[index] as number);
    }
    this.order = [...ids];
    this.where = where;
    this.offsets = offsets;
    this.lengths = lengths;
    this.position.clear();
    for (const [index, id] of this.order.entries()) this.position.set(id, index);
    for (const id of ids) {
      const paper = replacements.get(id);
      if (paper) this.write(paper);
    }
  }

  /** Every paper's line, in order (unchanged ones straight from the snapshot's bytes). */
  *lines(): Generator<Buffer> {
    for (const [index, line] of this.storedLines()) {
      // An unvouched snapshot's line is written as the paper its validation gives.
      const fromSnapshot = this.where[index] !== IN_SCRATCH;
      yield fromSnapshot && !this.trusted
        ? Buffer.from(JSON.stringify(this.parse(index, line)), "utf8")
        : line;
    }
  }

  /** Every paper, parsed one at a time, in order. */
  *papers(): Generator<Paper> {
    for (const [index, line] of this.storedLines()) yield this.parse(index, line);
  }

  /**
   * Every paper in order, to be printed: as its stored line when that line is JSON.stringify's text
   * of the very paper `papers()` gives (a line cf wrote: the scratch's, a vouched snapshot's), so
   * that it can be printed without parsing it; else parsed (and validated) as `papers()` gives it.
   * A StoredLine is valid only until the next paper is asked for (the snapshot's blocks are read
   * into one reused buffer).
   */
  *printable(): Generator<StoredLine | Paper> {
    for (const [index, line] of this.storedLines(true)) {
      const exact = this.trusted || this.where[index] === IN_SCRATCH;
      yield exact
        ? new StoredLine(line, this.order[index] as string, () => this.parse(index, line))
        : this.parse(index, line);
    }
  }

  /**
   * Each paper's stored line with its index, in order; the snapshot is read ahead in large blocks
   * (into one reused buffer with `reuse`: a line is then valid only until the next is asked for).
   */
  private *storedLines(reuse = false): Generator<[number, Buffer]> {
    const snapshot = this.snapshot ? new ReadAhead(this.snapshot, undefined, reuse) : undefined;
    for (let index = 0; index < this.order.length; index++) {
      const offset = this.offsets[index] as number;
      const length = this.lengths[index] as number;
      const inScratch = this.where[index] === IN_SCRATCH;
      yield [
        index,
        inScratch ? this.scratch.read(offset, length) : (snapshot as ReadAhead).read(offset, length),
      ];
    }
  }

  /**
   * A new snapshot holds every paper (`offsets[i]`, `lengths[i]` for the i-th, in order): read from
   * it from now on, and empty the scratch.
   */
  rebase(file: SnapshotLines["file"], offsets: readonly number[], lengths: readonly number[]): void {
    if (offsets.length !== this.order.length) throw new Error("a snapshot must hold every paper");
    this.snapshot?.close();
    this.snapshot = file;
    this.trusted = true;
    this.offsets = [...offsets];
    this.lengths = [...lengths];
    this.where = new Array(this.order.length).fill(IN_SNAPSHOT);
    this.scratch.reset();
  }

  close(): void {
    this.snapshot?.close();
    this.snapshot = undefined;
    this.scratch.close();
  }

  private line(index: number): Buffer {
    const offset = this.offsets[index] as number;
    const length = this.lengths[index] as number;
    if (this.where[index] === IN_SCRATCH) return this.scratch.read(offset, length);
    if (!this.snapshot) throw new Error("no snapshot to read from");
    return this.snapshot.read(offset, length);
  }

  private parse(index: number, line: Buffer): Paper {
    const id = this.order[index] as string;
    if (this.where[index] === IN_SCRATCH) return JSON.parse(line.toString("utf8")) as Paper;
    const file = this.snapshot?.file ?? "the papers snapshot";
    const corrupt = (what: string) =>
      new SessionCorruptError(
        file,
        `${file}: paper ${JSON.stringify(id)} (byte ${this.offsets[index]}): ${what}`,
        {
          hint: "The session's papers snapshot is damaged; restore it from a backup or start a new session.",
        },
      );
    let raw: unknown;
    try {
      raw = JSON.parse(line.toString("utf8"));
    } catch {
      throw corrupt("invalid JSON");
    }
    const paper = this.trusted ? checkStoredPaper(raw) : this.validate(raw, id);
    if (!paper) throw corrupt("invalid paper");
    if (paper.paper_id !== id) throw corrupt(`holds paper ${JSON.stringify(paper.paper_id)} instead`);
    return paper;
  }
}

/** A paper as its stored line (JSON.stringify's text of it), parsed only if `paper()` is called. */
export class StoredLine {
  constructor(
    readonly line: Buffer,
    readonly paperId: string,
    /** The paper, parsed and checked as `PaperStore.papers()` gives it (throws if the line is damaged). */
    readonly paper: () => Paper,
  ) {}
}

/** The shape every stored paper has (a cheap check for lines whose file the checkpoint vouches for). */
export function checkStoredPaper(raw: unknown): Paper | undefined {
  const p = raw as Record<string, unknown> | null;
  const ok =
    p !== null &&
    typeof p === "object" &&
    typeof p.paper_id === "string" &&
    typeof p.title === "string" &&
    typeof p.venue === "string" &&
    typeof p.year === "number" &&
    Array.isArray(p.authors) &&
    Array.isArray(p.citations) &&
    Array.isArray(p.abstracts) &&
    Array.isArray(p.urls) &&
    Array.isArray(p.identifiers) &&
    p.processing_flags !== null &&
    typeof p.processing_flags === "object";
  return ok ? (raw as Paper) : undefined;
}
