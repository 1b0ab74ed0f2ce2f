import { existsSync, mkdirSync, statSync } from "node:fs";
import path from "node:path";
import {
  BUSY_TIMEOUT_MS,
  CACHE_SCHEMA_VERSION,
  type Database,
  decodePayload,
  encodePayload,
  loadDriver,
  moveAside,
  openDatabase,
  openDatabaseReadOnly,
  UnusableCacheError,
} from "./cache-database.js";

export { CACHE_SCHEMA_VERSION };

/**
 * The response cache shared by all sessions (issue 14): per source, the API's answer for each lookup
 * key (a normalised DOI, an arXiv id, or a cleaned title and year), found or not found, with the
 * time it was fetched. One SQLite file in WAL mode with a busy timeout, so that several `cf` runs
 * share it and a SIGKILL leaves it consistent. The cache only saves requests: it never fails a run.
 * A file that is not a database, is damaged, or has a newer schema is moved aside with a warning and
 * an empty cache takes its place.
 */

/** Not-found answers are trusted at most this long (new papers get indexed). */
export const NOT_FOUND_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

export type CacheStatus = "found" | "not_found";

export interface CacheEntry {
  source: string;
  key: string;
  status: CacheStatus;
  /** The API's own object (JSON) for a found answer; null for not found. */
  payload: unknown;
  fetchedAt: Date;
}

/** Where the answers of journaled batches go (the cache, or a test's fake). */
export interface AnswerStore {
  putMany(entries: readonly CacheEntry[]): void;
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

/** Which entries `clear` and `count` select: all, those of one source, those fetched before a time. */
export interface CacheFilter {
  source?: string;
  fetchedBefore?: Date;
}

export interface OpenCacheOptions {
  /** Said once when the file had to be moved aside or the cache stopped working. */
  onWarning?: (message: string) => void;
  now?: () => Date;
  /** How long to wait for another process's write (default BUSY_TIMEOUT_MS; tests shorten it). */
  busyTimeoutMs?: number;
}

export class ResponseCache {
  private broken = false;
  private busySaid = false;

  private constructor(
    readonly file: string,
    private db: Database,
    private readonly warn: (message: string) => void,
    private readonly busyTimeoutMs: number = BUSY_TIMEOUT_MS,
  ) {}

  /**
   * Open (or create) the cache at `file`. Never throws for the file's content: an unusable file is
   * moved aside (`<file>.broken-<time>`) with a warning and a new one is created. Throws when no
   * cache can be used there without harming anything (not a file, no permission, another program's
   * database, a driver that does not load): the caller then runs without a cache.
   */
  static open(file: string, options: OpenCacheOptions = {}): ResponseCache {
    const warn = options.onWarning ?? (() => {});
    const now = options.now ?? (() => new Date());
    const busy = options.busyTimeoutMs ?? BUSY_TIMEOUT_MS;
    loadDriver(); // a driver that does not load is no fault of the file
    mkdirSync(path.dirname(file), { recursive: true });
    if (existsSync(file) && !statSync(file).isFile()) throw new Error(`${file} is not a file`);
    try {
      return new ResponseCache(file, openDatabase(file, busy), warn, busy);
    } catch (error) {
      if (!(error instanceof UnusableCacheError)) throw error;
      const aside = `${file}.broken-${now().toISOString().replace(/[:.]/g, "-")}`;
      moveAside(file, aside);
      warn(
        `the response cache ${file} could not be used (${reason(error)}): moved aside to ${path.basename(aside)}; starting an empty cache`,
      );
      return new ResponseCache(file, openDatabase(file, busy), warn, busy);
    }
  }

  /**
   * Open an existing cache for reading only (a dry run): nothing is created, migrated or moved
   * aside. Undefined when there is no usable cache there (a broken file is said through `onWarning`).
   */
  static openReadOnly(file: string, options: OpenCacheOptions = {}): ResponseCache | undefined {
    const warn = options.onWarning ?? (() => {});
    if (!existsSync(file)) return undefined;
    try {
      return new ResponseCache(file, openDatabaseReadOnly(file), warn);
    } catch (error) {
      warn(`the response cache ${file} cannot be read (${reason(error)}): the plan counts no cached answers`);
      return undefined;
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
        const entry = toEntry(source, row);
        // An answer that no longer decodes is a miss (the paper is looked up), not a broken cache.
        if (entry) found.set(key, entry);
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
          const payload = e.status === "found" ? encodePayload(e.payload) : null;
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
  clear(filter: CacheFilter = {}): number {
    const { sql, params } = whereClause(filter);
    return this.guard(0, () => this.db.prepare(`DELETE FROM answers${sql}`).run(...params).changes);
  }

  /** How many entries `clear(filter)` would remove (optionally only those of one status); changes nothing. */
  count(filter: CacheFilter & { status?: CacheStatus } = {}): number {
    const { sql, params } = whereClause(filter);
    return this.guard(
      0,
      () =>
        this.db.prepare<unknown[], { n: number }>(`SELECT count(*) AS n FROM answers${sql}`).get(...params)
          ?.n ?? 0,
    );
  }

  /**
   * Give the pages of removed entries back to the file system (`VACUUM`, then a WAL checkpoint).
   * True when done; false when another connection is writing (it does not wait for it) or anything
   * else failed. Never throws and never marks the cache broken: the space is only reused later.
   */
  vacuum(): boolean {
    if (this.broken) return false;
    try {
      this.db.pragma("busy_timeout = 0");
      this.db.exec("VACUUM");
      // In WAL mode the file shrinks at a checkpoint; one that meets a reader is finished by a later one.
      this.db.pragma("wal_checkpoint(TRUNCATE)");
      return true;
    } catch {
      return false;
    } finally {
      try {
        this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
      } catch {
        // the next operation's guard reports a database that no longer answers
      }
    }
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
      const code = (error as { code?: unknown }).code;
      if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED") {
        // Another process held the file past the busy timeout (a long VACUUM): this read or write
        // is skipped, the next one tries again.
        if (!this.busySaid) {
          this.busySaid = true;
          this.warn(
            `the response cache ${this.file} was busy for over ${this.busyTimeoutMs / 1000} s (another cf process): some answers were not read or stored`,
          );
        }
        return fallback;
      }
      this.broken = true;
      this.warn(`the response cache ${this.file} stopped working (${reason(error)}): going on without it`);
      return fallback;
    }
  }
}

interface Row {
  key: string;
  status: CacheStatus;
  /** Deflated JSON (a string in files written before compression). */
  payload: Buffer | string | null;
  fetched_at: number;
}

interface StatsRow {
  source: string;
  status: CacheStatus;
  entries: number;
  oldest: number;
  newest: number;
}

/** The ` WHERE …` of a filter (empty for none) and its parameters, shared by `clear` and `count`. */
function whereClause(filter: CacheFilter & { status?: CacheStatus }): {
  sql: string;
  params: (string | number)[];
} {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (filter.source !== undefined) {
    // A source's answers from another API address are kept as `<source>@<address>`: theirs too.
    where.push("(source = ? OR substr(source, 1, ?) = ?)");
    params.push(filter.source, filter.source.length + 1, `${filter.source}@`);
  }
  if (filter.status !== undefined) {
    where.push("status = ?");
    params.push(filter.status);
  }
  if (filter.fetchedBefore !== undefined) {
    where.push("fetched_at < ?");
    params.push(filter.fetchedBefore.getTime());
  }
  return { sql: where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "", params };
}

function toEntry(source: string, row: Row): CacheEntry | undefined {
  let payload: unknown = null;
  try {
    payload = decodePayload(row.payload);
  } catch {
    return undefined;
  }
  return { source, key: row.key, status: row.status, payload, fetchedAt: new Date(row.fetched_at) };
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
