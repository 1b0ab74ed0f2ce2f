import { randomBytes } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type CacheEntry, type CacheStatus, ResponseCache } from "../../../src/storage/response-cache.js";
import { runCli } from "../../helpers/run-cli.js";
import { testdir } from "../../helpers/testdir.js";

/** Text that does not compress (payloads are stored deflated): sizes on disk follow its length. */
const noise = (length: number) => randomBytes(length).toString("base64").slice(0, length);

const DAY = 24 * 3600 * 1000;
/** Entries are dated relative to the real clock: `--older-than` counts back from the CLI's now. */
const NOW = Date.now();
const daysAgo = (days: number) => new Date(NOW - days * DAY);

/** [source, key, status, days old]: 8 answers, 3 of them older than 30 days. */
const FIXTURE: [string, string, CacheStatus, number][] = [
  ["openalex", "doi:10.1/a", "found", 1],
  ["openalex", "doi:10.1/b", "found", 10],
  ["openalex", "arxiv:2401.00001", "found", 40],
  ["openalex", "title:attention|2017", "not_found", 2],
  ["openalex", "doi:10.1/old-miss", "not_found", 35],
  ["semantic_scholar", "doi:10.1/a", "found", 5],
  ["semantic_scholar", "doi:10.1/miss", "not_found", 3],
  ["semantic_scholar", "doi:10.1/old-miss", "not_found", 50],
];

function entries(rows: [string, string, CacheStatus, number][]): CacheEntry[] {
  return rows.map(([source, key, status, days]) => ({
    source,
    key,
    status,
    // Large enough that removing them frees pages a VACUUM gives back.
    payload: status === "found" ? { id: key, abstract: noise(16000) } : null,
    fetchedAt: daysAgo(days),
  }));
}

/** A cwd whose default cache file (.cf_state/cache.sqlite) holds FIXTURE (or `rows`). */
async function populated(rows = FIXTURE, relative = path.join(".cf_state", "cache.sqlite")) {
  const cwd = await testdir();
  const file = path.join(cwd, relative);
  const cache = ResponseCache.open(file);
  cache.putMany(entries(rows));
  cache.close();
  return { cwd, file };
}

/** What the file holds, per source and status, read directly (not through the command under test). */
function contents(file: string): Record<string, number> {
  const cache = ResponseCache.open(file);
  try {
    return Object.fromEntries(cache.stats().sources.map((s) => [`${s.source}/${s.status}`, s.entries]));
  } finally {
    cache.close();
  }
}

const FULL = {
  "openalex/found": 3,
  "openalex/not_found": 2,
  "semantic_scholar/found": 1,
  "semantic_scholar/not_found": 2,
};

/** `YYYY-MM-DD HH:MM` in UTC, as the table shows a time under TZ=UTC. */
const minute = (date: Date) => date.toISOString().slice(0, 16).replace("T", " ");

describe("cf cache stats", () => {
  it("--json: the file, its size and schema, per source and kind the entries with the oldest and newest time", async () => {
    const { cwd, file } = await populated([...FIXTURE, ["crossref", "doi:10.1/z", "found", 7]]);
    const run = await runCli(["cache", "stats", "--json"], { cwd });
    expect(run).toMatchObject({ code: 0, stderr: "" });
    const json = JSON.parse(run.stdout);
    expect(json).toEqual({
      file,
      exists: true,
      bytes: statSync(file).size,
      schema_version: 1,
      sources: {
        openalex: {
          found: { entries: 3, oldest: daysAgo(40).toISOString(), newest: daysAgo(1).toISOString() },
          not_found: { entries: 2, oldest: daysAgo(35).toISOString(), newest: daysAgo(2).toISOString() },
        },
        semantic_scholar: {
          found: { entries: 1, oldest: daysAgo(5).toISOString(), newest: daysAgo(5).toISOString() },
          not_found: { entries: 2, oldest: daysAgo(50).toISOString(), newest: daysAgo(3).toISOString() },
        },
        // A source this cf does not know (another version's) is shown, after the registry's.
        crossref: {
          found: { entries: 1, oldest: daysAgo(7).toISOString(), newest: daysAgo(7).toISOString() },
          not_found: { entries: 0, oldest: null, newest: null },
        },
      },
      entries: 9,
    });
    expect(Object.keys(json.sources)).toEqual(["openalex", "semantic_scholar", "crossref"]);
    expect(json.bytes).toBeGreaterThan(8 * 4000);
  });

  it("text: the path, size and schema version, a table per source (label, found, not found, oldest, newest), the total", async () => {
    const { cwd } = await populated();
    const run = await runCli(["cache", "stats"], { cwd, env: { TZ: "UTC" } });
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).not.toContain("\u001b[");
    const lines = run.stdout.split("\n");
    expect(lines[0]).toMatch(/^Response cache: \.cf_state\/cache\.sqlite \(\d+ KB, schema version 1\)$/);
    expect(lines).toContain("│ Source           │ Found │ Not found │ Oldest           │ Newest           │");
    expect(lines).toContain(
      `│ OpenAlex         │ 3     │ 2         │ ${minute(daysAgo(40))} │ ${minute(daysAgo(1))} │`,
    );
    expect(lines).toContain(
      `│ Semantic Scholar │ 1     │ 2         │ ${minute(daysAgo(50))} │ ${minute(daysAgo(3))} │`,
    );
    expect(run.stdout.endsWith("\n8 cached answer(s) in all.\n")).toBe(true);
  });

  it("a missing cache file is said (exit 0) and not created; --json says exists: false", async () => {
    const cwd = await testdir();
    const run = await runCli(["cache", "stats"], { cwd });
    expect(run).toMatchObject({
      code: 0,
      stderr: "",
      stdout: "No response cache at .cf_state/cache.sqlite.\n",
    });
    const json = await runCli(["cache", "stats", "--json"], { cwd });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      file: path.join(cwd, ".cf_state", "cache.sqlite"),
      exists: false,
      bytes: 0,
      schema_version: null,
      entries: 0,
      sources: { openalex: { found: { entries: 0, oldest: null, newest: null } } },
    });
    expect(await readdir(cwd)).toEqual([]);
  });

  it("honours CF_CACHE, and --cache over it", async () => {
    const { cwd, file } = await populated(FIXTURE, path.join("shared", "answers.sqlite"));
    const run = await runCli(["cache", "stats", "--json"], {
      cwd,
      env: { CF_CACHE: "shared/answers.sqlite" },
    });
    expect(JSON.parse(run.stdout)).toMatchObject({ file, exists: true, entries: 8 });
    const other = await runCli(["cache", "stats", "--cache", "elsewhere.sqlite"], {
      cwd,
      env: { CF_CACHE: "shared/answers.sqlite" },
    });
    expect(other.stdout).toBe("No response cache at elsewhere.sqlite.\n");
    expect(existsSync(path.join(cwd, ".cf_state"))).toBe(false);
  });

  it("a file that is not a database: a warning naming it on stderr, moved aside, an empty cache shown", async () => {
    const cwd = await testdir();
    await mkdir(path.join(cwd, ".cf_state"));
    const file = path.join(cwd, ".cf_state", "cache.sqlite");
    await writeFile(file, "not a database, a shopping list\n".repeat(100));
    const run = await runCli(["cache", "stats"], { cwd });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      new RegExp(
        `^warning: the response cache ${file.replace(/[.\\/]/g, "\\$&")} could not be used \\(.+\\): moved aside to cache\\.sqlite\\.broken-[\\dTZ-]+; starting an empty cache\\n$`,
      ),
    );
    expect(run.stdout).toMatch(/│ OpenAlex +│ 0 +│ 0 +│ - +│ - +│/);
    expect(run.stdout).toContain("The cache is empty.");
    const aside = (await readdir(path.dirname(file))).filter((n) => n.startsWith("cache.sqlite.broken-"));
    expect(aside).toHaveLength(1);
    expect(await readFile(path.join(path.dirname(file), aside[0]!), "utf8")).toContain("a shopping list");
    expect(contents(file)).toEqual({});
  });
});

describe("cf cache clear", () => {
  it("--dry-run shows the counts per source and kind and changes nothing", async () => {
    const { cwd, file } = await populated();
    const run = await runCli(["cache", "clear", "--dry-run"], { cwd });
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toMatch(
      /^Will remove 8 cached answer\(s\) from \.cf_state\/cache\.sqlite \(\d+ KB\):\n {2}OpenAlex {10}3 found, 2 not found\n {2}Semantic Scholar {2}1 found, 2 not found\nDry run: nothing removed\.\n$/,
    );
    const old = await runCli(["cache", "clear", "--dry-run", "--older-than", "30d"], { cwd });
    expect(old.stdout).toContain("Will remove 3 cached answer(s)");
    expect(old.stdout).toContain("  OpenAlex          1 found, 1 not found\n");
    expect(old.stdout).toContain("  Semantic Scholar  0 found, 1 not found\n");
    expect(contents(file)).toEqual(FULL);
  });

  it("refuses without --yes when not a terminal (exit 2) and removes nothing", async () => {
    const { cwd, file } = await populated();
    const run = await runCli(["cache", "clear"], { cwd });
    expect(run.code).toBe(2);
    expect(run.stdout).toContain("Will remove 8 cached answer(s)");
    expect(run.stderr).toBe(
      "cf: not removing anything without confirmation: this is not a terminal\nhint: Pass --yes to confirm, or --dry-run to only look.\n",
    );
    expect(contents(file)).toEqual(FULL);
  });

  it("--yes removes every answer and gives the space back (sizes before and after)", async () => {
    const { cwd, file } = await populated();
    const before = statSync(file).size;
    const run = await runCli(["cache", "clear", "--yes"], { cwd });
    expect(run).toMatchObject({ code: 0, stderr: "" });
    const said = /Removed 8 cached answer\(s\); cache size (\d+) KB before, (\d+) KB after\.\n$/.exec(
      run.stdout,
    );
    expect(said, run.stdout).not.toBeNull();
    expect(Number(said![2])).toBeLessThan(Number(said![1]));
    expect(contents(file)).toEqual({});
    expect(statSync(file).size).toBeLessThan(before / 2);
    const again = await runCli(["cache", "clear", "--yes"], { cwd });
    expect(again.stdout).toBe("The response cache .cf_state/cache.sqlite is empty: nothing to remove.\n");
  });

  it("--older-than removes only the answers fetched longer ago", async () => {
    const { cwd, file } = await populated();
    const bad = await runCli(["cache", "clear", "--older-than", "30 days", "--yes"], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--older-than "30 days" is not a duration');
    const run = await runCli(["cache", "clear", "--older-than", "30d", "--yes"], { cwd });
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toContain("Removed 3 cached answer(s)");
    expect(contents(file)).toEqual({
      "openalex/found": 2,
      "openalex/not_found": 1,
      "semantic_scholar/found": 1,
      "semantic_scholar/not_found": 1,
    });
    const none = await runCli(["cache", "clear", "--older-than", "60d", "--yes"], { cwd });
    expect(none.stdout).toBe("No cached answers match: nothing removed.\n");
  });

  it("--source removes only that source's answers (an older spelling of it too)", async () => {
    const { cwd, file } = await populated();
    const run = await runCli(["cache", "clear", "--source", "semantic_scholar", "--yes"], { cwd });
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toMatch(
      /^Will remove 3 cached answer\(s\) .*\n {2}Semantic Scholar {2}1 found, 2 not found\n/,
    );
    expect(run.stdout).toContain("Removed 3 cached answer(s)");
    expect(contents(file)).toEqual({ "openalex/found": 3, "openalex/not_found": 2 });

    const alias = await populated();
    const both = await runCli(
      ["cache", "clear", "--source", "semanticscholar", "--older-than", "30d", "--yes"],
      { cwd: alias.cwd },
    );
    expect(both.stdout).toContain("Removed 1 cached answer(s)");
    expect(contents(alias.file)).toEqual({ ...FULL, "semantic_scholar/not_found": 1 });
  });

  it("an unknown --source is a usage error naming the valid ones (exit 2), nothing removed", async () => {
    const { cwd, file } = await populated();
    const run = await runCli(["cache", "clear", "--source", "crossref", "--yes"], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('cf: --source: unknown source "crossref" (use openalex, semantic_scholar)\n');
    expect(contents(file)).toEqual(FULL);
  });

  it("a missing cache file is said (exit 0) and not created; CF_CACHE names the file to clear", async () => {
    const cwd = await testdir();
    const run = await runCli(["cache", "clear", "--yes"], { cwd });
    expect(run).toMatchObject({
      code: 0,
      stderr: "",
      stdout: "No response cache at .cf_state/cache.sqlite.\n",
    });
    expect(await readdir(cwd)).toEqual([]);

    const { cwd: other, file } = await populated(FIXTURE, "mine.sqlite");
    const cleared = await runCli(["cache", "clear", "--source", "openalex", "--yes"], {
      cwd: other,
      env: { CF_CACHE: file },
    });
    expect(cleared.stdout).toContain("Removed 5 cached answer(s)");
    expect(contents(file)).toEqual({ "semantic_scholar/found": 1, "semantic_scholar/not_found": 2 });
    expect(existsSync(path.join(other, ".cf_state"))).toBe(false);
  });
});
