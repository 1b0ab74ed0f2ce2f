import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { promisify } from "node:util";
import type BetterSqlite3 from "better-sqlite3";
import { describe, expect, it } from "vitest";
import {
  CACHE_SCHEMA_VERSION,
  type CacheEntry,
  NOT_FOUND_MAX_AGE_MS,
  ResponseCache,
} from "../../src/storage/response-cache.js";
import { testdir } from "../helpers/testdir.js";

/** Text that does not compress (payloads are stored deflated): sizes on disk follow its length. */
const noise = (length: number) => randomBytes(length).toString("base64").slice(0, length);

const Database = createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3;
const WRITER = path.resolve(import.meta.dirname, "../helpers/spawned/cache-writer.mjs");
const DAY = 24 * 3600 * 1000;
const NOW = new Date("2026-06-01T00:00:00Z");

function entry(
  key: string,
  status: CacheEntry["status"],
  daysOld: number,
  payload: unknown = { id: key },
): CacheEntry {
  return {
    source: "openalex",
    key,
    status,
    payload: status === "found" ? payload : null,
    fetchedAt: new Date(NOW.getTime() - daysOld * DAY),
  };
}

async function openIn(dir: string, warnings: string[] = []) {
  return ResponseCache.open(path.join(dir, "cache.sqlite"), {
    onWarning: (m) => warnings.push(m),
    now: () => NOW,
  });
}

/** Another process drops the table under an open cache (a stand-in for damage met mid-run). */
function dropTableUnder(dir: string): void {
  const other = new Database(path.join(dir, "cache.sqlite"));
  other.exec("DROP TABLE answers");
  other.close();
}

function integrity(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma("integrity_check", { simple: true }) as string;
  } finally {
    db.close();
  }
}

describe("ResponseCache: answers by source and key, with freshness", () => {
  it("stores payloads deflated; reads plain-JSON rows too; a row that does not decode is a miss, not a broken cache", async () => {
    const dir = await testdir();
    const warnings: string[] = [];
    const cache = await openIn(dir, warnings);
    const big = { id: "W1", abstract_inverted_index: { word: Array.from({ length: 500 }, (_, i) => i) } };
    cache.putMany([entry("doi:big", "found", 1, big)]);
    cache.close();
    const db = new Database(path.join(dir, "cache.sqlite"));
    const row = db.prepare("SELECT payload FROM answers WHERE key = 'doi:big'").get() as { payload: unknown };
    expect(Buffer.isBuffer(row.payload)).toBe(true);
    expect((row.payload as Buffer).length).toBeLessThan(JSON.stringify(big).length / 2);
    const insert = db.prepare(
      "INSERT INTO answers (source, key, status, payload, fetched_at) VALUES ('openalex', ?, 'found', ?, ?)",
    );
    insert.run("doi:text", JSON.stringify({ id: "W2" }), NOW.getTime());
    insert.run("doi:garbage", Buffer.from("not deflate at all"), NOW.getTime());
    db.close();
    const again = await openIn(dir, warnings);
    const got = again.getMany("openalex", ["doi:big", "doi:text", "doi:garbage"], 30 * DAY, NOW);
    expect(got.get("doi:big")?.payload).toEqual(big);
    expect(got.get("doi:text")?.payload).toEqual({ id: "W2" });
    expect(got.has("doi:garbage")).toBe(false);
    // The cache goes on working after the bad row.
    again.putMany([entry("doi:after", "not_found", 0)]);
    expect(again.getMany("openalex", ["doi:after"], 30 * DAY, NOW).size).toBe(1);
    expect(warnings).toEqual([]);
    again.close();
  });

  it("keeps the API's object and the fetch time; a later answer replaces the earlier one", async () => {
    const cache = await openIn(await testdir());
    cache.putMany([
      entry("doi:a", "found", 1, { id: "W1", nested: { x: [1, 2] } }),
      entry("doi:b", "not_found", 1),
    ]);
    cache.putMany([entry("doi:a", "found", 0, { id: "W2" })]);
    const got = cache.getMany("openalex", ["doi:a", "doi:b", "doi:c"], 30 * DAY, NOW);
    expect([...got.keys()].sort()).toEqual(["doi:a", "doi:b"]);
    expect(got.get("doi:a")).toEqual(entry("doi:a", "found", 0, { id: "W2" }));
    expect(got.get("doi:b")).toMatchObject({ status: "not_found", payload: null });
    expect(cache.getMany("semantic_scholar", ["doi:a"], 30 * DAY, NOW).size).toBe(0);
    cache.close();
  });

  it("found answers live max-age; not-found ones min(7 days, max-age)", async () => {
    const cache = await openIn(await testdir());
    cache.putMany([
      entry("found-29d", "found", 29),
      entry("found-31d", "found", 31),
      entry("miss-6d", "not_found", 6),
      entry("miss-8d", "not_found", 8),
      entry("miss-2d", "not_found", 2),
    ]);
    const keys = ["found-29d", "found-31d", "miss-6d", "miss-8d", "miss-2d"];
    expect([...cache.getMany("openalex", keys, 30 * DAY, NOW).keys()].sort()).toEqual([
      "found-29d",
      "miss-2d",
      "miss-6d",
    ]);
    expect(NOT_FOUND_MAX_AGE_MS).toBe(7 * DAY);
    // A max-age below 7 days bounds not-found answers too.
    expect([...cache.getMany("openalex", keys, 3 * DAY, NOW).keys()]).toEqual(["miss-2d"]);
    cache.close();
  });

  it("stats per source and status, and clear by source or age", async () => {
    const cache = await openIn(await testdir());
    cache.putMany([entry("a", "found", 10), entry("b", "found", 1), entry("c", "not_found", 3)]);
    cache.putMany([{ ...entry("a", "found", 2), source: "semantic_scholar" }]);
    const stats = cache.stats();
    expect(stats.schemaVersion).toBe(CACHE_SCHEMA_VERSION);
    expect(stats.bytes).toBeGreaterThan(0);
    expect(stats.sources.map((s) => [s.source, s.status, s.entries])).toEqual([
      ["openalex", "found", 2],
      ["openalex", "not_found", 1],
      ["semantic_scholar", "found", 1],
    ]);
    expect(stats.sources[0]!.oldest).toEqual(new Date(NOW.getTime() - 10 * DAY));
    expect(stats.sources[0]!.newest).toEqual(new Date(NOW.getTime() - 1 * DAY));
    expect(cache.clear({ fetchedBefore: new Date(NOW.getTime() - 5 * DAY) })).toBe(1);
    expect(cache.clear({ source: "semantic_scholar" })).toBe(1);
    expect(cache.stats().sources.reduce((n, s) => n + s.entries, 0)).toBe(2);
    expect(cache.clear()).toBe(2);
    cache.close();
  });
});

describe("ResponseCache: never fails a run because of its file", () => {
  it("a file that is not a database is moved aside with a warning; an empty cache takes its place", async () => {
    const dir = await testdir();
    const file = path.join(dir, "cache.sqlite");
    await writeFile(file, "this is not a database, it is a note\n".repeat(200));
    const warnings: string[] = [];
    const cache = await openIn(dir, warnings);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /the response cache .*cache\.sqlite could not be used \(.*\): moved aside to cache\.sqlite\.broken-2026-06-01T00-00-00-000Z; starting an empty cache/,
    );
    cache.putMany([entry("a", "found", 0)]);
    expect(cache.getMany("openalex", ["a"], DAY, NOW).size).toBe(1);
    cache.close();
    const aside = (await readdir(dir)).find((n) => n.startsWith("cache.sqlite.broken-"));
    expect(await readFile(path.join(dir, aside!), "utf8")).toContain("this is not a database");
    expect(integrity(file)).toBe("ok");
  });

  it("a cache of a newer schema is moved aside, not read or changed", async () => {
    const dir = await testdir();
    const file = path.join(dir, "cache.sqlite");
    const future = new Database(file);
    future.exec("CREATE TABLE answers_v9 (x); INSERT INTO answers_v9 VALUES (1);");
    future.pragma(`user_version = ${CACHE_SCHEMA_VERSION + 8}`);
    future.close();
    const warnings: string[] = [];
    const cache = await openIn(dir, warnings);
    expect(warnings[0]).toMatch(/schema version 9 is newer than this cf's 1/);
    cache.close();
    const aside = (await readdir(dir)).find(
      (n) => n.startsWith("cache.sqlite.broken-") && !n.includes("-wal"),
    );
    const kept = new Database(path.join(dir, aside!), { readonly: true });
    expect(kept.pragma("user_version", { simple: true })).toBe(9);
    kept.close();
  });

  it("damage found mid-run: a warning once, then the run goes on without the cache", async () => {
    const dir = await testdir();
    const warnings: string[] = [];
    const cache = await openIn(dir, warnings);
    cache.putMany([entry("a", "found", 0)]);
    dropTableUnder(dir);
    expect(cache.getMany("openalex", ["a"], DAY, NOW).size).toBe(0);
    cache.putMany([entry("b", "found", 0)]);
    expect(cache.stats().sources).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/stopped working .*: going on without it/);
    cache.close();
  });
});

describe("ResponseCache: shared by processes, safe against SIGKILL", () => {
  const run = promisify(execFile);

  it("two processes writing at once both finish, every answer kept", async () => {
    const dir = await testdir();
    const file = path.join(dir, "cache.sqlite");
    const [a, b] = await Promise.all([
      run(process.execPath, [WRITER, file, "a", "60"]),
      run(process.execPath, [WRITER, file, "b", "60"]),
    ]);
    expect(a.stdout + b.stdout).toBe("started\ndone\nstarted\ndone\n");
    expect(a.stderr + b.stderr).toBe("");
    const cache = ResponseCache.open(file);
    expect(cache.stats().sources.reduce((n, s) => n + s.entries, 0)).toBe(2 * 60 * 50);
    cache.close();
    expect(integrity(file)).toBe("ok");
  }, 60_000);

  it("a writer SIGKILLed mid-transaction leaves a sound file holding whole transactions only", async () => {
    const dir = await testdir();
    const file = path.join(dir, "cache.sqlite");
    for (const delayMs of [150, 400, 900]) {
      const child = spawn(process.execPath, [WRITER, file, `k${delayMs}`, "0"], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      child.kill("SIGKILL");
      await new Promise((resolve) => child.once("close", resolve));
      expect(integrity(file)).toBe("ok");
      const db = new Database(file, { readonly: true });
      const keys = db
        .prepare<[string], { key: string }>("SELECT key FROM answers WHERE key LIKE ?")
        .all(`doi:10.1/k${delayMs}-%`);
      const sizes = new Map<string, number>();
      for (const { key } of keys) {
        const group = /^doi:10\.1\/k\d+-(\d+)-\d+$/.exec(key)![1]!;
        sizes.set(group, (sizes.get(group) ?? 0) + 1);
      }
      const groups = [...sizes.values()].map((n) => ({ n }));
      db.close();
      expect(groups.length, `writer k${delayMs} wrote nothing before the kill`).toBeGreaterThan(0);
      // Every group of 50 is there whole or not at all.
      expect(groups.filter((g) => g.n !== 50)).toEqual([]);
    }
    // The file is still usable by the next run.
    const warnings: string[] = [];
    const cache = ResponseCache.open(file, { onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([]);
    cache.close();
  }, 60_000);
});

describe("ResponseCache: count and vacuum (cf cache clear)", () => {
  const FILTERS = [
    {},
    { source: "openalex" },
    { source: "semantic_scholar" },
    { source: "crossref" },
    { fetchedBefore: new Date(NOW.getTime() - 5 * DAY) },
    { source: "openalex", fetchedBefore: new Date(NOW.getTime() - 5 * DAY) },
    { fetchedBefore: new Date(NOW.getTime() - 100 * DAY) },
  ];
  const mixed = () => [
    entry("a", "found", 10),
    entry("b", "found", 1),
    entry("c", "not_found", 3),
    entry("d", "not_found", 8),
    { ...entry("a", "found", 2), source: "semantic_scholar" },
    { ...entry("e", "not_found", 20), source: "semantic_scholar" },
  ];

  it("count selects what clear removes, and changes nothing", async () => {
    const expected = [6, 4, 2, 0, 3, 2, 0];
    for (const [i, filter] of FILTERS.entries()) {
      const cache = await openIn(await testdir());
      cache.putMany(mixed());
      const before = cache.stats();
      expect(cache.count(filter), JSON.stringify(filter)).toBe(expected[i]);
      expect(cache.count(filter)).toBe(expected[i]);
      expect(cache.stats()).toEqual(before);
      expect(cache.clear(filter), JSON.stringify(filter)).toBe(expected[i]);
      expect(cache.count(filter)).toBe(0);
      expect(cache.count()).toBe(6 - expected[i]!);
      cache.close();
    }
  });

  it("count by status, within a source and an age", async () => {
    const cache = await openIn(await testdir());
    cache.putMany(mixed());
    expect(cache.count({ status: "found" })).toBe(3);
    expect(cache.count({ status: "not_found" })).toBe(3);
    expect(cache.count({ source: "openalex", status: "not_found" })).toBe(2);
    expect(
      cache.count({
        source: "openalex",
        status: "not_found",
        fetchedBefore: new Date(NOW.getTime() - 5 * DAY),
      }),
    ).toBe(1);
    cache.close();
  });

  it("vacuum gives the pages of removed entries back to the file system", async () => {
    const dir = await testdir();
    const file = path.join(dir, "cache.sqlite");
    const cache = await openIn(dir);
    cache.putMany(Array.from({ length: 300 }, (_, i) => entry(`k${i}`, "found", 1, { text: noise(2000) })));
    const full = cache.stats().bytes;
    expect(cache.clear()).toBe(300);
    // Deleting alone keeps the pages (on the free list).
    expect(cache.stats().bytes).toBe(full);
    expect(cache.vacuum()).toBe(true);
    expect(cache.stats().bytes).toBeLessThan(full / 10);
    expect((await stat(file)).size).toBeLessThan(full / 10);
    cache.putMany([entry("after", "found", 0)]);
    expect(cache.count()).toBe(1);
    cache.close();
    expect(integrity(file)).toBe("ok");
  });

  it("vacuum while another connection writes: false at once, no warning, the cache still works", async () => {
    const dir = await testdir();
    const file = path.join(dir, "cache.sqlite");
    const warnings: string[] = [];
    const cache = await openIn(dir, warnings);
    cache.putMany([entry("a", "found", 1), entry("b", "not_found", 1)]);
    cache.clear({ source: "openalex" });
    const other = new Database(file);
    other.exec("BEGIN IMMEDIATE");
    const started = Date.now();
    expect(cache.vacuum()).toBe(false);
    // It does not wait out the 5 s busy timeout of ordinary operations.
    expect(Date.now() - started).toBeLessThan(2000);
    // ... and gives that timeout back to them.
    const db = (cache as unknown as { db: BetterSqlite3.Database }).db;
    expect(db.pragma("busy_timeout", { simple: true })).toBe(5000);
    other.exec("COMMIT");
    other.close();
    expect(warnings).toEqual([]);
    cache.putMany([entry("c", "found", 0)]);
    expect(cache.getMany("openalex", ["c"], DAY, NOW).size).toBe(1);
    expect(cache.vacuum()).toBe(true);
    cache.close();
  });

  it("busy past the timeout (another process holds the write lock): that write is skipped with one warning, the cache stays on", async () => {
    const dir = await testdir();
    const warnings: string[] = [];
    const cache = ResponseCache.open(path.join(dir, "cache.sqlite"), {
      onWarning: (m) => warnings.push(m),
      now: () => NOW,
      busyTimeoutMs: 50,
    });
    const other = new Database(path.join(dir, "cache.sqlite"));
    other.exec("BEGIN IMMEDIATE");
    cache.putMany([entry("a", "found", 0)]);
    cache.putMany([entry("b", "found", 0)]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /was busy for over 0\.05 s \(another cf process\): some answers were not read or stored/,
    );
    other.exec("ROLLBACK");
    other.close();
    cache.putMany([entry("c", "found", 0)]);
    expect([...cache.getMany("openalex", ["a", "b", "c"], DAY, NOW).keys()]).toEqual(["c"]);
    expect(warnings).toHaveLength(1);
    cache.close();
  });

  it("moves aside only what is the file's fault: a directory, or another program's database, is left alone (open throws)", async () => {
    const dir = await testdir();
    await mkdir(path.join(dir, "a-directory"));
    expect(() => ResponseCache.open(path.join(dir, "a-directory"))).toThrow(/is not a file/);
    const foreign = new Database(path.join(dir, "theirs.sqlite"));
    foreign.exec(
      "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('keep me')",
    );
    foreign.close();
    expect(() => ResponseCache.open(path.join(dir, "theirs.sqlite"))).toThrow(/another program/);
    expect((await readdir(dir)).sort()).toEqual(["a-directory", "theirs.sqlite"]);
    const again = new Database(path.join(dir, "theirs.sqlite"), { readonly: true });
    expect(again.prepare("SELECT text FROM notes").get()).toEqual({ text: "keep me" });
    expect(again.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'answers'").get()).toEqual({
      n: 0,
    });
    again.close();
  });

  it("a cache that stopped working: count is 0 and vacuum false, with the one warning", async () => {
    const dir = await testdir();
    const warnings: string[] = [];
    const cache = await openIn(dir, warnings);
    cache.putMany([entry("a", "found", 0)]);
    dropTableUnder(dir);
    expect(cache.count()).toBe(0);
    expect(cache.vacuum()).toBe(false);
    expect(cache.count({ source: "openalex" })).toBe(0);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/stopped working/);
    cache.close();
  });
});
