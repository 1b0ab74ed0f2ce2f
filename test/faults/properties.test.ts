import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeEnrichments } from "../../src/model/merge.js";
import type { Paper } from "../../src/model/paper.js";
import { applyPaperUpdate, inputView } from "../../src/model/paper-update.js";
import { type EnrichmentSet, RECORD_KINDS } from "../../src/model/records.js";
import { legacyStatus } from "../../src/storage/legacy-status.js";
import { loadSession } from "../../src/storage/load-session.js";
import { inspectSession } from "../../src/storage/session-catalog.js";
import { SessionState } from "../../src/storage/session-state.js";
import { enrichmentSet, journalPayload, refetched } from "../helpers/faults/arbitraries.js";
import { applyOnce, digest, unsyncedFs, writeCrashedSession } from "../helpers/faults/journal-replay.js";
import { batches, flatten, held, model, newPaper } from "../helpers/faults/merge-model.js";
import {
  cfStatusModel,
  type LockKind,
  pythonSources,
  pythonStatusModel,
  SOURCE_STATUSES,
  writeStatusSession,
} from "../helpers/faults/status-model.js";
import { recordSuite, SEED, size } from "../helpers/faults/tier.js";
import { makePapers } from "../helpers/papers.js";
import { testdir } from "../helpers/testdir.js";

const RUNS = size("property_runs", 1000, 10000);

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
            try {
              expect(digest(loaded.state), JSON.stringify(point)).toBe(reference);
              expect(loaded.nextSeq).toBe(total + 1);
              // Replaying the records and outcomes again changes nothing (counters are guarded by seq).
              for (const entry of entries) {
                loaded.state.applyToPapers(entry);
                loaded.state.applyToProgress(entry);
              }
              expect(digest(loaded.state)).toBe(reference);
            } finally {
              loaded.state.close(); // the snapshot and scratch descriptors (10,000 cases: no leak)
            }
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
