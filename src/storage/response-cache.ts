import { mkdirSync, renameSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type BetterSqlite3 from "better-sqlite3";

/**
 * The response cache shared by all sessions (issue 14): per source, the API's answer for each lookup
 * key (a normalised DOI, an arXiv id, or a cleaned title and year), found or not found, with the
 * time it was fetched. One SQLite file in WAL mode with a busy timeout, so that several `cf` runs
 * share it and a SIGKILL leaves it consistent. The cache only saves requests: it never fails a run.
 * A file that is not a database, is damaged, or has a newer schema is moved aside with a warning and
 * an empty cache takes its place.
 */

/** The schema this build writes (`PRAGMA user_version`). Older ones are migrated forward. */
export const CACHE_SCHEMA_VERSION = 1;

/** Not-found answers are trusted at most this long (new papers get indexed). */
export const NOT_FOUND_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

/** How long two runs wait for each other's write transaction before giving up on the cache. */
const BUSY_TIMEOUT_MS = 5000;

export type CacheStatus = "found" | "not_found";

export interface CacheEntry {
  source: string;
  key: string;
  status: CacheStatus;
  /** The API's own object (JSON) for a found answer; null for not found. */
  payload: unknown;
  fetchedAt: Date;
}

export interface CacheSourceStats {
  source: string;
  status: CacheStatus;
  entries: number;
  oldest: Date;
  newest: Date;
}

export interface CacheStats {
  file: string;
  bytes: number;
  schemaVersion: number;
  sources: CacheSourceStats[];
}

export interface OpenCacheOptions {
  /** Said once when the file had to be moved aside or the cache stopped working. */
  onWarning?: (message: string) => void;
  now?: () => Date;
}

/** Migrations: entry i brings a database at user_version i to i + 1. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE answers (
     source TEXT NOT NULL,
     key TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('found', 'not_found')),
     payload TEXT,
     fetched_at INTEGER NOT NULL,
     PRIMARY KEY (source, key)
   ) WITHOUT ROWID;
   CREATE INDEX answers_fetched_at ON answers (fetched_at);`,
];

type Database = BetterSqlite3.Database;

/** better-sqlite3 is a native addon: loaded on first use, so that commands without a cache never pay for it. */
function loadDriver(): typeof BetterSqlite3 {
  return createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3;
}

export class ResponseCache {
  private broken = false;

  private constructor(
    readonly file: string,
    private db: Database,
    private readonly warn: (message: string) => void,
  ) {}

  /**
   * Open (or create) the cache at `file`. Never throws for the file's content: an unusable file is
   * moved aside (`<file>.broken-<time>`) with a warning and a new one is created. Throws only when
   * no database can be created there at all (the caller then runs without a cache).
   */
  static open(file: string, options: OpenCacheOptions = {}): ResponseCache {
    const warn = options.onWarning ?? (() => {});
    const now = options.now ?? (() => new Date());
    mkdirSync(path.dirname(file), { recursive: true });
    try {
      return new ResponseCache(file, prepare(file), warn);
    } catch (error) {
      const aside = `${file}.broken-${now().toISOString().replace(/[:.]/g, "-")}`;
      moveAside(file, aside);
      warn(
        `the response cache ${file} could not be used (${reason(error)}): moved aside to ${path.basename(aside)}; starting an empty cache`,
      );
      return new ResponseCache(file, prepare(file), warn);
    }
  }

  /** Fresh answers for `keys` of `source`: found ones younger than `maxAgeMs`, not-found ones younger than min(7 days, maxAgeMs). */
  getMany(
    source: string,
    keys: readonly string[],
    maxAgeMs: number,
    now: Date = new Date(),
  ): Map<string, CacheEntry> {
    const found = new Map<string, CacheEntry>();
    if (this.broken || keys.length === 0) return found;
    const foundSince = now.getTime() - maxAgeMs;
    const notFoundSince = now.getTime() - Math.min(maxAgeMs, NOT_FOUND_MAX_AGE_MS);
    return this.guard(found, () => {
      const select = this.db.prepare<[string, string], Row>(
        "SELECT key, status, payload, fetched_at FROM answers WHERE source = ? AND key = ?",
      );
      for (const key of keys) {
        const row = select.get(source, key);
        if (!row) continue;
        const since = row.status === "found" ? foundSince : notFoundSince;
        if (row.fetched_at < since) continue;
        found.set(key, toEntry(source, row));
      }
      return found;
    });
  }

  /** Store answers in one transaction (a later answer for the same key replaces the earlier one). */
  putMany(entries: readonly CacheEntry[]): void {
    if (this.broken || entries.length === 0) return;
    this.guard(undefined, () => {
      const upsert = this.db.prepare(
        "INSERT OR REPLACE INTO answers (source, key, status, payload, fetched_at) VALUES (?, ?, ?, ?, ?)",
      );
      this.db.transaction(() => {
        for (const e of entries) {
          const payload = e.status === "found" ? JSON.stringify(e.payload ?? null) : null;
          upsert.run(e.source, e.key, e.status, payload, e.fetchedAt.getTime());
        }
      })();
    });
  }

  /** Entries per source and status, with the oldest and newest fetch times, and the file's size. */
  stats(): CacheStats {
    const rows = this.guard([] as StatsRow[], () =>
      this.db
        .prepare<[], StatsRow>(
          "SELECT source, status, count(*) AS entries, min(fetched_at) AS oldest, max(fetched_at) AS newest FROM answers GROUP BY source, status ORDER BY source, status",
        )
        .all(),
    );
    const pages = this.guard(
      { bytes: 0 },
      () =>
        this.db
          .prepare<[], { bytes: number }>(
            "SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()",
          )
          .get() ?? { bytes: 0 },
    );
    return {
      file: this.file,
      bytes: pages.bytes,
      schemaVersion: CACHE_SCHEMA_VERSION,
      sources: rows.map((r) => ({
        source: r.source,
        status: r.status,
        entries: r.entries,
        oldest: new Date(r.oldest),
        newest: new Date(r.newest),
      })),
    };
  }

  /** Remove entries (of one source, fetched before a time, or all); returns how many. */
  clear(filter: { source?: string; fetchedBefore?: Date } = {}): number {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.source !== undefined) {
      where.push("source = ?");
      params.push(filter.source);
    }
    if (filter.fetchedBefore !== undefined) {
      where.push("fetched_at < ?");
      params.push(filter.fetchedBefore.getTime());
    }
    const sql = `DELETE FROM answers${where.length > 0 ? ` WHERE ${where.join(" AND ")}` : ""}`;
    return this.guard(0, () => this.db.prepare(sql).run(...params).changes);
  }

  close(): void {
    try {
      this.db.close();
    } catch {
      // closing a broken database: nothing left to save
    }
  }

  /**
   * Run a database operation; should the database fail mid-run (damaged, disk full, locked past the
   * busy timeout), warn once and go on without the cache: the run itself never fails because of it.
   */
  private guard<T>(fallback: T, operation: () => T): T {
    if (this.broken) return fallback;
    try {
      return operation();
    } catch (error) {
      this.broken = true;
      this.warn(`the response cache ${this.file} stopped working (${reason(error)}): going on without it`);
      return fallback;
    }
  }
}

interface Row {
  key: string;
  status: CacheStatus;
  payload: string | null;
  fetched_at: number;
}

interface StatsRow {
  source: string;
  status: CacheStatus;
  entries: number;
  oldest: number;
  newest: number;
}

function toEntry(source: string, row: Row): CacheEntry {
  return {
    source,
    key: row.key,
    status: row.status,
    payload: row.payload === null ? null : JSON.parse(row.payload),
    fetchedAt: new Date(row.fetched_at),
  };
}

/** Open `file`, check that it is a database of a schema this build knows, and migrate it forward. */
function prepare(file: string): Database {
  const Driver = loadDriver();
  const db = new Driver(file, { timeout: BUSY_TIMEOUT_MS });
  try {
    // Reading the header fails at once for a file that is not a database.
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version > CACHE_SCHEMA_VERSION) {
      throw new Error(`schema version ${version} is newer than this cf's ${CACHE_SCHEMA_VERSION}`);
    }
    db.pragma("journal_mode = WAL");
    // NORMAL in WAL mode: a power loss may drop the last transactions, never corrupt the file; the
    // journal, not the cache, is what a resume relies on.
    db.pragma("synchronous = NORMAL");
    if (version < CACHE_SCHEMA_VERSION) {
      db.transaction(() => {
        const current = db.pragma("user_version", { simple: true }) as number;
        for (let v = current; v < CACHE_SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
        db.pragma(`user_version = ${CACHE_SCHEMA_VERSION}`);
      }).immediate();
    }
    // A damaged table shows here rather than in the middle of a run.
    db.prepare("SELECT key FROM answers LIMIT 1").get();
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function moveAside(file: string, aside: string): void {
  for (const suffix of ["", "-wal", "-shm"]) {
    try {
      renameSync(`${file}${suffix}`, `${aside}${suffix}`);
    } catch {
      // a missing -wal or -shm file is normal
    }
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
