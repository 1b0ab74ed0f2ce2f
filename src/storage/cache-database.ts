import { renameSync } from "node:fs";
import { createRequire } from "node:module";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import type BetterSqlite3 from "better-sqlite3";

/**
 * The response cache's SQLite file: opening it (WAL, busy timeout, schema check and forward
 * migrations), moving an unusable one aside, and the stored form of the API objects.
 */

/** The schema this build writes (`PRAGMA user_version`). Older ones are migrated forward. */
export const CACHE_SCHEMA_VERSION = 1;

/** How long two runs wait for each other's write transaction before giving up on the cache. */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * Migrations: entry i brings a database at user_version i to i + 1. A rowid table, not WITHOUT
 * ROWID: payloads of 1 to 4 KB then sit in the leaf pages instead of an overflow page each.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE answers (
     source TEXT NOT NULL,
     key TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('found', 'not_found')),
     payload BLOB,
     fetched_at INTEGER NOT NULL,
     PRIMARY KEY (source, key)
   );
   CREATE INDEX answers_fetched_at ON answers (fetched_at);`,
];

export type Database = BetterSqlite3.Database;

/** better-sqlite3 is a native addon: loaded on first use, so that commands without a cache never pay for it. */
export function loadDriver(): typeof BetterSqlite3 {
  return createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3;
}

/**
 * The file is unusable as a cache and may be moved aside: it is not a database, is damaged, or
 * has a schema this build does not know. Anything else (no permission, a driver that does not
 * load, another program's database) is not the file's fault: the run goes on without a cache.
 */
export class UnusableCacheError extends Error {}

const UNUSABLE_CODES = new Set([
  "SQLITE_NOTADB",
  "SQLITE_CORRUPT",
  "SQLITE_CORRUPT_INDEX",
  "SQLITE_CORRUPT_SEQUENCE",
]);

function asUnusable(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && UNUSABLE_CODES.has(code) && error instanceof Error) {
    return new UnusableCacheError(error.message);
  }
  return error;
}

/** Open `file`, check that it is a database of a schema this build knows, and migrate it forward. */
export function openDatabase(file: string, busyTimeoutMs = BUSY_TIMEOUT_MS): Database {
  const Driver = loadDriver();
  const db = new Driver(file, { timeout: busyTimeoutMs });
  try {
    // Reading the header fails at once for a file that is not a database.
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version > CACHE_SCHEMA_VERSION) {
      throw new UnusableCacheError(
        `schema version ${version} is newer than this cf's ${CACHE_SCHEMA_VERSION}`,
      );
    }
    if (version < CACHE_SCHEMA_VERSION) {
      db.transaction(() => {
        // Read again inside the write transaction: another cf process may have just created it.
        const current = db.pragma("user_version", { simple: true }) as number;
        if (current === 0 && hasTables(db)) {
          // Tables but no version: another program's database, neither ours to change nor to move.
          throw new Error("it is a SQLite database of another program (tables, no cf schema version)");
        }
        for (let v = current; v < CACHE_SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
        db.pragma(`user_version = ${CACHE_SCHEMA_VERSION}`);
      }).immediate();
    }
    // Only once the file is known to be ours (WAL mode is a lasting property of the file).
    db.pragma("journal_mode = WAL");
    // NORMAL in WAL mode: a power loss may drop the last transactions, never corrupt the file; the
    // journal, not the cache, is what a resume relies on.
    db.pragma("synchronous = NORMAL");
    // A damaged (or missing) table shows here rather than in the middle of a run.
    try {
      db.prepare("SELECT key, status, payload, fetched_at FROM answers LIMIT 1").get();
    } catch (error) {
      throw new UnusableCacheError(error instanceof Error ? error.message : String(error));
    }
    return db;
  } catch (error) {
    db.close();
    throw asUnusable(error);
  }
}

function hasTables(db: Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1").get() !== undefined;
}

/** Move a cache file and its -wal and -shm companions aside (to keep what can be inspected). */
export function moveAside(file: string, aside: string): void {
  for (const suffix of ["", "-wal", "-shm"]) {
    try {
      renameSync(`${file}${suffix}`, `${aside}${suffix}`);
    } catch {
      // a missing -wal or -shm file is normal
    }
  }
}

/** Open an existing cache for reading only: nothing created or migrated; throws if it is unusable. */
export function openDatabaseReadOnly(file: string): Database {
  const db = new (loadDriver())(file, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  try {
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version !== CACHE_SCHEMA_VERSION)
      throw new Error(`schema version ${version}, not ${CACHE_SCHEMA_VERSION}`);
    db.prepare("SELECT key FROM answers LIMIT 1").get();
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Payloads are stored as deflated JSON: an API object compresses about fourfold (OpenAlex works
 * carry their abstracts as inverted indexes), and deflating one costs far less than fetching it.
 */
export function encodePayload(payload: unknown): Buffer {
  return deflateRawSync(JSON.stringify(payload ?? null));
}

export function decodePayload(stored: Buffer | string | null): unknown {
  if (stored === null) return null;
  return JSON.parse(typeof stored === "string" ? stored : inflateRawSync(stored).toString("utf8"));
}
