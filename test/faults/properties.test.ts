import { mkdir, rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeEnrichments } from "../../src/model/merge.js";
import { type Paper, parsePaper } from "../../src/model/paper.js";
import { applyPaperUpdate, inputView } from "../../src/model/paper-update.js";
import { type EnrichmentSet, normalizeSourceLabel, RECORD_KINDS } from "../../src/model/records.js";
import { withChecksum } from "../../src/storage/checksum.js";
import { legacyStatus } from "../../src/storage/legacy-status.js";
import { loadSession } from "../../src/storage/load-session.js";
import { inspectSession } from "../../src/storage/session-catalog.js";
import { SessionState } from "../../src/storage/session-state.js";
import { makePapers } from "../helpers/papers.js";
import { testdir } from "../helpers/testdir.js";
import { enrichmentSet, journalPayload, refetched } from "./support/arbitraries.js";
import { applyOnce, digest, unsyncedFs, writeCrashedSession } from "./support/journal-replay.js";
import {
  cfStatusModel,
  type LockKind,
  pythonSources,
  pythonStatusModel,
  SOURCE_STATUSES,
} from "./support/status-model.js";
import { recordSuite, SEED, size } from "./support/tier.js";

const RUNS = size("property_runs", 1000, 10000);

function newPaper(records: EnrichmentSet = {}): Paper {
  const result = parsePaper(
    { title: "T", venue: "V", year: 2020, authors: ["Ada Quill", "Bo"], ...records },
    0,
  );
  if (!result.ok) throw new Error(`bad fixture: ${JSON.stringify(result.issues)}`);
  return result.paper;
}

/** Deep value identity with key order ignored, written independently of the product's canonicalJson. */
function sameness(value: unknown): unknown {
  if (Array.isArray(value)) return ["[", ...value.map(sameness)];
  if (value === null || typeof value !== "object") return value;
  return [
    "{",
    ...Object.keys(value)
      .sort()
      .map((k) => [k, sameness((value as Record<string, unknown>)[k])]),
  ];
}

const identity = (r: { source: string; data: unknown }) =>
  `${normalizeSourceLabel(r.source)}\u0000${JSON.stringify(sameness(r.data))}`;

/**
 * Per list, the (source, data) identities a merge must end with, sorted: the paper's own records as
 * they are (duplicates in an input are not the merge's business), then each new identity once.
 */
function model(initial: EnrichmentSet, sets: readonly EnrichmentSet[]) {
  const lists: Record<string, string[]> = {};
  for (const kind of RECORD_KINDS) {
    const own = (initial[kind] ?? []).map(identity);
    const seen = new Set(own);
    const added = sets
      .flatMap((set) => (set[kind] ?? []).map(identity))
      .filter((k) => !seen.has(k) && seen.add(k));
    lists[kind] = [...own, ...added].sort();
  }
  return lists;
}

const held = (paper: Paper) =>
  Object.fromEntries(
    RECORD_KINDS.map((kind) => [
      kind,
      (paper[kind] as Array<{ source: string; data: unknown }>).map(identity).sort(),
    ]),
  );

/** Split `items` at the given cut points (any sizes, empty batches included). */
function batches<T>(items: readonly T[], cuts: readonly number[]): T[][] {
  const at = [...new Set(cuts.map((c) => c % (items.length + 1)))].sort((a, b) => a - b);
  return [...at, items.length].map((end, i) => items.slice(i === 0 ? 0 : at[i - 1], end));
}

const flatten = (sets: readonly EnrichmentSet[]) =>
  sets.flatMap((set) =>
    RECORD_KINDS.flatMap((kind) => (set[kind] ?? []).map((record) => ({ kind, record }))),
  );

type Property = {
  name: string;
  property: fc.IAsyncPropertyWithHooks<unknown> | fc.IPropertyWithHooks<unknown>;
};

const properties: Property[] = [
  {
    name: "mergeEnrichments is idempotent (re-fetched copies: other timestamps, original flag, key order)",
    property: fc.property(fc.array(enrichmentSet(true), { maxLength: 4 }), fc.integer(), (sets, seed) => {
      const paper = newPaper();
      for (const set of sets) mergeEnrichments(paper, set);
      const before = JSON.stringify(paper);
      let added = 0;
      for (const { kind, record } of flatten(sets)) {
        added += mergeEnrichments(paper, { [kind]: [record] });
        added += mergeEnrichments(paper, { [kind]: [refetched(record, seed)] });
      }
      expect(added).toBe(0);
      expect(JSON.stringify(paper)).toBe(before);
    }),
  },
  {
    name: "mergeEnrichments ends with the same records whatever the order and batching (and counts them)",
    property: fc.property(
      // The paper's own records went through input parsing (labels normalised, data as zod keeps it).
      enrichmentSet(false, fc.constantFrom("openalex", "semantic_scholar")),
      fc.array(enrichmentSet(true), { minLength: 1, maxLength: 4 }),
      fc.array(fc.nat(), { maxLength: 4 }),
      fc.integer(),
      (initial, sets, cuts, seed) => {
        const expected = model(initial, sets);
        const reference = newPaper(initial);
        let added = 0;
        for (const set of sets) added += mergeEnrichments(reference, set);
        expect(held(reference)).toEqual(expected);
        expect(added).toBe(
          Object.values(expected).flat().length - Object.values(model(initial, [])).flat().length,
        );
        // Any order (a seeded shuffle), re-fetched copies, any cut into batches.
        const items = flatten(sets).map((x, i) => ({ ...x, k: (seed ^ (i * 2654435761)) >>> 0 }));
        items.sort((a, b) => a.k - b.k);
        const other = newPaper(initial);
        for (const batch of batches(items, cuts)) {
          const set: Record<string, unknown[]> = {};
          for (const { kind, record } of batch) set[kind] = [...(set[kind] ?? []), refetched(record, seed)];
          mergeEnrichments(other, set as EnrichmentSet);
        }
        expect(held(other)).toEqual(expected);
        for (const kind of RECORD_KINDS) {
          expect(other[kind].every((r) => r.source !== "semanticscholar")).toBe(true);
        }
      },
    ),
  },
  {
    name: "inputView shows the input form, whatever sources filled in before or after it was taken",
    property: fc.property(fc.array(journalPayload(["P0000"]), { maxLength: 6 }), (entries) => {
      const [paper] = makePapers(1) as [Paper];
      const pristine = JSON.stringify(inputView(structuredClone(paper)));
      const early = inputView(paper);
      for (const entry of entries)
        if (entry.type === "batch") for (const u of entry.updates) applyPaperUpdate(paper, u);
      const lookupFields = (p: Paper) =>
        JSON.stringify([p.doi, p.arxiv_id, p.openalex_id, p.authors.map((a) => a.affiliations)]);
      expect(lookupFields(early)).toBe(lookupFields(JSON.parse(pristine)));
      expect(lookupFields(inputView(paper))).toBe(lookupFields(JSON.parse(pristine)));
    }),
  },
];

describe("fault suite: properties", () => {
  it(`merge, journal replay and status rules hold on ${RUNS} generated cases each`, async () => {
    const dir = await testdir("cf-props-");
    // One directory per property, emptied before each case: 10,000 kept sessions take long to delete.
    const fresh = async (name: string) => {
      const sessionDir = path.join(dir, name);
      await rm(sessionDir, { recursive: true, force: true });
      await mkdir(sessionDir);
      return sessionDir;
    };
    const all: Property[] = [
      ...properties,
      {
        name: "journal replay from any crash point, then replayed again, equals applying the batches once",
        property: fc.asyncProperty(
          fc
            .integer({ min: 1, max: 4 })
            .chain((n) =>
              fc.tuple(
                fc.constant(n),
                fc.array(journalPayload(makePapers(n).map((p) => p.paper_id)), { maxLength: 10 }),
              ),
            ),
          fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat()),
          async ([n, entries], [c, a, b, j]) => {
            const total = entries.length;
            const checkpointSeq = c % (total + 1);
            const point = {
              checkpointSeq,
              papersSeq: checkpointSeq + (a % (total - checkpointSeq + 1)),
              progressSeq: checkpointSeq + (b % (total - checkpointSeq + 1)),
              journalFrom: j % (checkpointSeq + 1),
            };
            const reference = digest(
              applyOnce(new SessionState(makePapers(n), ["openalex", "semantic_scholar"]), entries),
            );
            const sessionDir = await fresh("replayed");
            await writeCrashedSession(sessionDir, () => makePapers(n), entries, point);
            const loaded = await loadSession(unsyncedFs, sessionDir);
            expect(digest(loaded.state), JSON.stringify(point)).toBe(reference);
            expect(loaded.nextSeq).toBe(total + 1);
            // Replaying the records and outcomes again changes nothing (counters are guarded by seq).
            for (const entry of entries) {
              loaded.state.applyToPapers(entry);
              loaded.state.applyToProgress(entry);
            }
            expect(digest(loaded.state)).toBe(reference);
          },
        ),
      },
      {
        name: "cf session status follows README's Status table (checkpoint, completion, lock)",
        property: fc.asyncProperty(
          fc.subarray(["openalex", "semantic_scholar"] as const),
          fc.array(fc.constantFrom(...SOURCE_STATUSES), { minLength: 2, maxLength: 2 }),
          fc.boolean(),
          fc.constantFrom<LockKind>("none", "live", "dead", "other-host"),
          async (names, statuses, completed, lock) => {
            const sessionDir = await fresh("status");
            await writeStatusSession(sessionDir, names, statuses, completed, lock);
            const expected = cfStatusModel(statuses.slice(0, names.length), completed, lock);
            expect((await inspectSession(sessionDir)).status).toBe(expected);
          },
        ),
      },
      {
        name: "Python checkpoints get the reference §5.3 status (B2 fixed)",
        property: fc.property(
          fc.integer({ min: 0, max: 6 }).chain((total) => fc.tuple(fc.constant(total), pythonSources(total))),
          ([total, sources]) => {
            expect(legacyStatus(sources, total)).toBe(pythonStatusModel(sources, total));
          },
        ),
      },
    ];
    const started = performance.now();
    const failures: string[] = [];
    const times: string[] = [];
    for (const { name, property } of all) {
      const t = performance.now();
      const details = await fc.check(property as fc.IAsyncProperty<unknown>, { numRuns: RUNS, seed: SEED });
      if (details.failed) failures.push(`${name}: ${fc.defaultReportMessage(details)}`);
      times.push(`${((performance.now() - t) / 1000).toFixed(1)} s  ${name}`);
    }
    console.log(`properties (${RUNS} runs each, seed ${SEED}):\n  ${times.join("\n  ")}`);
    recordSuite({
      suite: "properties",
      cases: all.length * RUNS,
      failures: failures.length,
      ms: performance.now() - started,
    });
    expect(failures).toEqual([]);
  }, 600_000);
});

async function writeStatusSession(
  dir: string,
  names: readonly string[],
  statuses: readonly string[],
  completed: boolean,
  lock: LockKind,
): Promise<void> {
  const state = (status: string) => ({
    status,
    papers_done: 1,
    papers_enriched: 1,
    papers_not_found: 0,
    papers_failed: 0,
    api_calls: 1,
    last_error: null,
  });
  const ref = { generation: 0, sha256: "0".repeat(64), bytes: 0 };
  const checkpoint = withChecksum({
    format: "cf-checkpoint",
    format_version: 1,
    session_id: path.basename(dir),
    input_file: "/data/input.json",
    total_papers: 1,
    generation: 0,
    journal_seq: 0,
    sources: Object.fromEntries(names.map((name, i) => [name, state(statuses[i]!)])),
    files: { papers: ref, progress: ref },
    completed_at: completed ? "2026-01-01T00:00:00.000Z" : null,
    output_file: completed ? "/data/out.json" : null,
    last_checkpoint_time: "2026-01-01T00:00:00.000Z",
    timestamp: "2026-01-01T00:00:00.000Z",
  });
  await writeFile(path.join(dir, "checkpoint.json"), checkpoint);
  await writeFile(
    path.join(dir, "session.json"),
    JSON.stringify({
      session_id: path.basename(dir),
      created_at: "2026-01-01T00:00:00.000Z",
      cf_version: "0",
    }),
  );
  if (lock === "none") return;
  const holder = {
    live: [process.pid, hostname()],
    dead: [2147483646, hostname()],
    "other-host": [1, "elsewhere.invalid"],
  }[lock];
  const [pid, host] = holder as [number, string];
  const info = { pid, hostname: host, started_at: "2026-01-01T00:00:00.000Z", token: "a".repeat(32) };
  await writeFile(path.join(dir, "lock"), `${JSON.stringify(info)}\n`);
}
