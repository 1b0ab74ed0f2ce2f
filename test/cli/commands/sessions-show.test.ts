import { execFileSync } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CheckpointManager } from "../../../src/storage/checkpoint-manager.js";
import { runCli } from "../../helpers/run-cli.js";
import { makeCfSession, makePythonSession } from "../../helpers/sessions.js";
import { testdir } from "../../helpers/testdir.js";

const ENOTFOUND =
  "OpenAlex DOI list (transient): request failed (ENOTFOUND: getaddrinfo ENOTFOUND api.openalex.org)";
const CAUSE = "OpenAlex DOI list (transient): cannot connect to api.openalex.org (ENOTFOUND)";
const TIMEOUT = "OpenAlex title search (transient): timed out after 30000 ms";

const id = (i: number) => `P${String(i).padStart(4, "0")}`;

/** A cf session in `<cwd>/st` for `<cwd>/my papers.json`: OpenAlex failed 32 papers (30 DNS, 2 timeouts). */
async function failedSession() {
  const cwd = await testdir();
  const base = path.join(cwd, "st");
  const openalex = Object.fromEntries(
    Array.from({ length: 32 }, (_, k) => [id(3 + k), k === 5 || k === 9 ? TIMEOUT : ENOTFOUND]),
  );
  const dir = await makeCfSession(base, "s_failed", {
    inputFile: path.join(cwd, "my papers.json"),
    papers: 40,
    done: 3,
    failures: { openalex },
  });
  return { cwd, base, dir };
}

const show = (args: string[], cwd: string, env?: Record<string, string>) =>
  runCli(["consolidate-sessions", "show", ...args], { cwd, ...(env ? { env } : {}) });

describe("cf consolidate-sessions show", () => {
  it("prints the session, its sources, failure causes, first failed papers and the resume command", async () => {
    const { cwd } = await failedSession();
    const run = await show(["s_failed", "--checkpoint-dir", "st"], cwd);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    const out = run.stdout;
    expect(out).not.toContain("\u001b[");
    expect(out).toMatch(/^Session {9}s_failed\nStatus {10}interrupted\nDirectory {7}st\/s_failed\n/);
    expect(out).toMatch(/Input {11}my papers\.json, sha256 cccccccccccc…, 40 papers\n/);
    expect(out).toMatch(/ {2}papers_enriched\.json {2}\d+ KB\n/);
    expect(out).toMatch(/│ Failed +│ 32 +│ 0 +│/);
    expect(out).toContain(
      `Most frequent failure causes:\n  openalex, 32 failed:\n    30 × ${CAUSE}\n     2 × ${TIMEOUT}\n`,
    );
    expect(out).toContain(
      `First failed papers (10 of 32):\n  openalex P0003  Paper number 3\n    ${ENOTFOUND}\n`,
    );
    expect(out).toContain(
      "Resume with:\n  cf consolidate --resume --input 'my papers.json' --session-id s_failed --checkpoint-dir st\n",
    );
  });

  it("--json gives one object with the documented keys", async () => {
    const { cwd, dir } = await failedSession();
    const run = await show(["s_failed", "--json"], cwd, { CF_CHECKPOINT_DIR: "st" });
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({
      session_id: "s_failed",
      dir,
      status: "interrupted",
      format: "cf",
      problem: null,
      holder: null,
      input_file: path.join(cwd, "my papers.json"),
      input_sha256: "c".repeat(64),
      total_papers: 40,
      options: {},
      failed_lookups: 32,
      notes: [],
      resume_command:
        "cf consolidate --resume --input 'my papers.json' --session-id s_failed --checkpoint-dir st",
    });
    expect(json.files.map((f: { name: string }) => f.name)).toContain("progress.json");
    expect(json.files.every((f: { bytes: unknown }) => typeof f.bytes === "number")).toBe(true);
    expect(json.sources.openalex).toEqual({
      status: "in_progress",
      last_error: null,
      papers_done: 3,
      papers_enriched: 0,
      papers_not_found: 3,
      papers_failed: 32,
      api_calls: 2,
      papers_cached: 0,
      cost_usd: 0,
      resets_at: null,
      connection_failures: 0,
      failure_causes: [
        { cause: CAUSE, count: 30, kind: "lookup" },
        { cause: TIMEOUT, count: 2, kind: "lookup" },
      ],
    });
    expect(json.failed_papers).toHaveLength(10);
    expect(json.failed_papers[0]).toEqual({
      source: "openalex",
      paper_id: "P0003",
      title: "Paper number 3",
      cause: CAUSE,
      error: ENOTFOUND,
    });
  });

  it("shows a Python tool's session with its counts and the command that continues it; once adopted, by whom", async () => {
    const cwd = await testdir();
    await makePythonSession(
      path.join(cwd, ".cf_state", "consolidate"),
      "consolidate_20250719_201418_d9bb5987",
      [297, 16],
      34648,
    );
    const text = await show(["consolidate_20250719_201418_d9bb5987"], cwd);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(
      "interrupted (written by the Python tool; cf continues it in a new session)",
    );
    expect(text.stdout).toMatch(/│ Done +│ 297\/34648 +│ 16\/34648 +│/);
    const command =
      "cf consolidate --resume --input data/collected/papers.json --session-id consolidate_20250719_201418_d9bb5987";
    expect(text.stdout).toContain(`Resume with:\n  ${command}`);
    const json = JSON.parse((await show(["consolidate_20250719_201418_d9bb5987", "--json"], cwd)).stdout);
    expect(json).toMatchObject({
      format: "python",
      status: "interrupted",
      input_file: "data/collected/papers.json",
      options: { checkpoint_interval_minutes: 5 },
      failed_papers: [],
      resume_command: command,
    });
    expect(json.sources.openalex).toMatchObject({
      status: "in_progress",
      papers_done: 297,
      papers_enriched: 247,
      papers_not_found: null,
      papers_failed: null,
      api_calls: 1830,
      failure_causes: [],
    });
    // A cf session continues it: show names that session and gives no command of its own.
    await makeCfSession(path.join(cwd, ".cf_state", "consolidate"), "s_adopter", { done: 1 });
    const sessionFile = path.join(cwd, ".cf_state", "consolidate", "s_adopter", "session.json");
    const file = JSON.parse(await readFile(sessionFile, "utf8"));
    file.adopted_from = { session_id: "consolidate_20250719_201418_d9bb5987", dir: "/elsewhere" };
    await writeFile(sessionFile, JSON.stringify(file));
    const adopted = await show(["consolidate_20250719_201418_d9bb5987"], cwd);
    expect(adopted.stdout).toContain("(written by the Python tool; continued by cf session s_adopter)");
    expect(adopted.stdout).not.toContain("Resume with");
  });

  it("an unknown session is exit 2, naming the checkpoint dir; a bad id is exit 2", async () => {
    const { cwd } = await failedSession();
    const unknown = await show(["nope", "--checkpoint-dir", "st"], cwd);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe("");
    expect(unknown.stderr).toMatch(/^cf: no session nope in st\nhint: List sessions with/);
    const elsewhere = await show(["s_failed"], cwd);
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain("cf: no session s_failed in .cf_state/consolidate");
    const bad = await show(["../st"], cwd);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid session id "../st"');
  });

  it("shows a corrupt session with the reason (exit 0)", async () => {
    const { cwd, dir } = await failedSession();
    await writeFile(path.join(dir, "checkpoint.json"), "");
    await rm(path.join(dir, "checkpoint.json.bak"));
    const run = await show(["s_failed", "--checkpoint-dir", "st"], cwd);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Status          corrupt: checkpoint.json is empty\n");
    expect(run.stdout).not.toContain("Resume with");
    const json = JSON.parse((await show(["s_failed", "--checkpoint-dir", "st", "--json"], cwd)).stdout);
    expect(json).toMatchObject({
      status: "corrupt",
      problem: "checkpoint.json is empty",
      resume_command: null,
    });
  });

  it("answers at once without touching the papers snapshot when nothing failed", async () => {
    const cwd = await testdir();
    const dir = await makeCfSession(path.join(cwd, ".cf_state", "consolidate"), "s_ok", {
      inputFile: path.join(cwd, "in.json"),
      papers: 10,
      done: 10,
    });
    // A FIFO: reading it would block until the run's timeout (20 s); the answer must come first.
    const papers = path.join(dir, "papers_enriched.json");
    await rm(papers);
    execFileSync("mkfifo", [papers]);
    const started = Date.now();
    const run = await show(["s_ok", "--json"], cwd);
    expect(run.code, run.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    const json = JSON.parse(run.stdout);
    expect(json.sources.openalex).toMatchObject({ papers_done: 10, papers_failed: 0, failure_causes: [] });
    expect(json.resume_command).toBe("cf consolidate --resume --input in.json --session-id s_ok");
  });

  it("shows an unreachable source as resumable, its last error without the request's query", async () => {
    const cwd = await testdir();
    const base = path.join(cwd, ".cf_state", "consolidate");
    await makeCfSession(base, "s_net", { inputFile: path.join(cwd, "in.json"), done: 2 });
    const manager = await CheckpointManager.open({ baseDir: base, sessionId: "s_net" });
    const error =
      "GET https://api.openalex.org/works?filter=doi:10.1000/p0|10.1000/p2&per_page=100: cannot connect to api.openalex.org (DNS lookup failed: ENOTFOUND)";
    await manager.setSourceStatus("openalex", "unreachable", error);
    await manager.snapshot();
    await manager.close();
    const run = await show(["s_net"], cwd);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Status          interrupted\n");
    expect(run.stdout).toMatch(/│ Status +│ unreachable +│ in_progress +│/);
    expect(run.stdout).toContain(
      "Last error of openalex: GET https://api.openalex.org/works?…: cannot connect to api.openalex.org (DNS lookup failed: ENOTFOUND)\n",
    );
    expect(run.stdout).toContain(
      "Resume with:\n  cf consolidate --resume --input in.json --session-id s_net\n",
    );
    const json = JSON.parse((await show(["s_net", "--json"], cwd)).stdout);
    expect(json.sources.openalex).toMatchObject({ status: "unreachable", last_error: error });
  });

  it("has help with examples", async () => {
    const run = await runCli(["consolidate-sessions", "show", "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Usage: cf consolidate-sessions show [options] <session-id>");
    expect(run.stdout).toContain("--json");
    expect(run.stdout).toContain("--checkpoint-dir <dir>");
    expect(run.stdout).toContain("Examples:");
  });
});
