import { createHash } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PLAIN_COLORS } from "../../src/cli/render/colors.js";
import { renderFailures } from "../../src/cli/render/summary.js";
import { parseInputFile, readInputFile } from "../../src/model/input-file.js";
import { runCli } from "../helpers/run-cli.js";
import { makeCfSession } from "../helpers/sessions.js";
import { testdir } from "../helpers/testdir.js";

/** Input text through the built binary: byte-order marks, nesting depth, control characters. */

const OFFLINE = ["--openalex-url", "http://127.0.0.1:9", "--s2-url", "http://127.0.0.1:9"];
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are what the check looks for.
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufeff]/;
const PAPERS = [
  { title: "A first paper", venue: "ICML", year: 2020 },
  { title: "A second paper", venue: "NeurIPS", year: 2021 },
];

describe("input text", () => {
  it("accepts a UTF-8 file with a byte-order mark; the sha256 is of the file's bytes", async () => {
    const dir = await testdir();
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(PAPERS))]);
    await writeFile(path.join(dir, "bom.json"), bytes);
    const run = await runCli(["consolidate", "--input", "bom.json", "--dry-run"], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("bom.json: 2 papers valid");
    const file = await readInputFile(path.join(dir, "bom.json"));
    expect(file.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    const loaded = parseInputFile(file);
    expect(loaded.papers.map((p) => p.title)).toEqual(["A first paper", "A second paper"]);
  });

  it("refuses deep nesting before any session exists (no --dry-run), exit 2", async () => {
    const dir = await testdir();
    const deep = `${'{"x":'.repeat(3000)}1${"}".repeat(3000)}`;
    const text = `[{"title": "A", "venue": "V", "year": 2020}, {"title": "B", "venue": "V", "year": 2020, "x": ${deep}}]`;
    await writeFile(path.join(dir, "deep.json"), text);
    const run = await runCli(["consolidate", "--input", "deep.json", "--yes", "--no-progress", ...OFFLINE], {
      cwd: dir,
    });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(
      /^cf: \S*deep\.json: papers\[1\]\.x\.x\.x\.x\.x\.x\.x…\.x\.x\.x is nested deeper than 256 levels\n/,
    );
    expect(run.stderr).not.toMatch(/unexpected error|call stack/);
    expect(await readdir(dir)).toEqual(["deep.json"]);
  });

  it("shows control characters of session files escaped in list and show; files keep them", async () => {
    const cwd = await testdir();
    const base = path.join(cwd, ".cf_state", "consolidate");
    const input = path.join(cwd, "in\u001b[2J\u202e.json");
    await makeCfSession(base, "s_evil", {
      inputFile: input,
      failures: { openalex: { P0001: "HTTP 500: \u001b]0;pwned\u0007 bad\r\nforged line \u2066x\u2069" } },
    });
    const list = await runCli(["consolidate-sessions", "list", "--all"], { cwd });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).not.toMatch(UNSAFE);
    expect(list.stdout).toContain("in\\x1b[2J\\u202e.json");
    const show = await runCli(["consolidate-sessions", "show", "s_evil"], { cwd });
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).not.toMatch(UNSAFE);
    expect(show.stdout).toContain("HTTP 500: \\x1b]0;pwned\\x07 bad\\r\\nforged line \\u2066x\\u2069");
    expect(show.stdout).not.toMatch(/^forged line/m);
    // The files keep the original values.
    const session = JSON.parse(await readFile(path.join(base, "s_evil", "session.json"), "utf8"));
    expect(JSON.stringify(session)).toContain(JSON.stringify(input).slice(1, -1));
  });

  it("prints failed lookups of the summary escaped", () => {
    const text = renderFailures(
      [{ source: "openalex", paper_id: "p\u001b[31m\u202e", error: "HTTP 500\r\n\u0085x" }],
      PLAIN_COLORS,
    );
    expect(text).not.toMatch(UNSAFE);
    expect(text).toContain("openalex p\\x1b[31m\\u202e: HTTP 500\\r\\n\\x85x");
  });
});
