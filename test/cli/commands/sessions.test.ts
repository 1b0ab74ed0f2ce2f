import { mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CheckpointManager } from "../../../src/storage/checkpoint-manager.js";
import { runCli } from "../../helpers/run-cli.js";
import { makeCfSession, makePythonSession } from "../../helpers/sessions.js";
import { testdir } from "../../helpers/testdir.js";
import { lockDown, unlock, unprivilegedUser } from "../../helpers/unprivileged.js";

async function populated() {
  const cwd = await testdir();
  const base = path.join(cwd, ".cf_state", "consolidate");
  await makeCfSession(base, "s_interrupted", {
    inputFile: path.join(cwd, "in.json"),
    done: 3,
    now: new Date("2026-02-03T00:00:00Z"),
  });
  await makeCfSession(base, "s_completed", { complete: true, now: new Date("2026-02-02T00:00:00Z") });
  await makeCfSession(base, "s_failed", { failed: true, now: new Date("2026-02-01T00:00:00Z") });
  await makePythonSession(base, "consolidate_20250719_201418_d9bb5987", [297, 16], 34648);
  return { cwd, base };
}

describe("cf consolidate-sessions list", () => {
  it("says so when there are no sessions, exit 0", async () => {
    const cwd = await testdir();
    const run = await runCli(["consolidate-sessions", "list"], { cwd });
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toBe("No consolidation sessions found in .cf_state/consolidate.\n");
  });

  it("--json lists resumable sessions by default and every session with --all", async () => {
    const { cwd } = await populated();
    const run = await runCli(["consolidate-sessions", "list", "--json"], { cwd });
    expect(run.code).toBe(0);
    const resumable = JSON.parse(run.stdout);
    expect(resumable.map((s: { session_id: string }) => s.session_id)).toEqual([
      "s_interrupted",
      "s_failed",
      "consolidate_20250719_201418_d9bb5987",
    ]);
    expect(resumable[0]).toMatchObject({
      session_id: "s_interrupted",
      status: "interrupted",
      input_file: path.join(cwd, "in.json"),
      total_papers: 4,
      created_at: "2026-02-03T00:00:00.000Z",
      last_checkpoint: "2026-02-03T00:00:00.000Z",
      sources: {
        openalex: { status: "in_progress", papers_done: 3, papers_enriched: 0 },
        semantic_scholar: { status: "in_progress", papers_done: 0, papers_enriched: 0 },
      },
    });
    const all = JSON.parse(
      (await runCli(["consolidate-sessions", "list", "--json", "--all"], { cwd })).stdout,
    );
    expect(all.map((s: { status: string }) => s.status).sort()).toEqual([
      "completed",
      "failed",
      "interrupted",
      "interrupted",
    ]);
  });

  it("lists a Python session continued by a cf session as adopted, not resumable; --json says which are", async () => {
    const { cwd, base } = await populated();
    await makeCfSession(base, "s_adopter", { done: 1 });
    const sessionFile = path.join(base, "s_adopter", "session.json");
    const file = JSON.parse(await readFile(sessionFile, "utf8"));
    file.adopted_from = { session_id: "consolidate_20250719_201418_d9bb5987", dir: "/elsewhere" };
    await writeFile(sessionFile, JSON.stringify(file));
    const list = JSON.parse((await runCli(["consolidate-sessions", "list", "--json"], { cwd })).stdout);
    const byId = Object.fromEntries(list.map((s: { session_id: string }) => [s.session_id, s]));
    expect(byId.consolidate_20250719_201418_d9bb5987).toMatchObject({
      adopted_by: "s_adopter",
      resumable: false,
    });
    expect(byId.s_adopter).toMatchObject({ resumable: true });
    const table = (await runCli(["consolidate-sessions", "list"], { cwd })).stdout;
    expect(table).toContain("3 resumable session(s).");
    expect(table).not.toContain("Continue (Python tool's session)");
  });

  it("prints a table without colour when not a TTY, with the exact resume command", async () => {
    const { cwd } = await populated();
    const run = await runCli(["consolidate-sessions", "list"], { cwd });
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain("\u001b[");
    expect(run.stdout).toContain("s_interrupted");
    expect(run.stdout).toContain("3/4 (0 enriched)");
    expect(run.stdout).toContain("interrupted (python)");
    // The Python tool's interrupted session counts: cf continues it (issue 15).
    expect(run.stdout).toContain("3 resumable session(s).");
    expect(run.stdout).toContain(
      "Resume: cf consolidate --resume --input in.json --session-id s_interrupted",
    );
    expect(run.stdout).toContain(
      "Continue (Python tool's session): cf consolidate --resume --input data/collected/papers.json --session-id consolidate_20250719_201418_d9bb5987",
    );
    expect(run.stdout).not.toContain("s_completed");
  });

  it("colours with FORCE_COLOR and honours CF_CHECKPOINT_DIR and --checkpoint-dir", async () => {
    const { base } = await populated();
    const elsewhere = await testdir();
    const viaEnv = await runCli(["consolidate-sessions", "list", "--all"], {
      cwd: elsewhere,
      env: { CF_CHECKPOINT_DIR: base, FORCE_COLOR: "1" },
    });
    expect(viaEnv.stdout).toContain("\u001b[");
    expect(viaEnv.stdout).toContain("s_completed");
    expect(viaEnv.stdout).toContain(`--checkpoint-dir ${base}`);
    const viaFlag = await runCli(["consolidate-sessions", "list", "--json", "--checkpoint-dir", base], {
      cwd: elsewhere,
    });
    expect(JSON.parse(viaFlag.stdout)).toHaveLength(3);
  });
});

describe("cf consolidate-sessions clean", () => {
  it("requires a selector (exit 2)", async () => {
    const { cwd } = await populated();
    const run = await runCli(["consolidate-sessions", "clean"], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^cf: nothing selected to clean\nhint: Pass --completed/);
  });

  it("--dry-run shows id, status, input and size, and removes nothing", async () => {
    const { cwd, base } = await populated();
    const run = await runCli(["consolidate-sessions", "clean", "--completed", "--dry-run"], { cwd });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /Will remove 1 session\(s\), [\d.]+ KB in all:\n {2}s_completed {2}completed {2}\/data\/input\.json {2}[\d.]+ KB\n/,
    );
    expect(run.stdout).toContain("Dry run: nothing removed.");
    expect((await readdir(base)).sort()).toContain("s_completed");
  });

  it("refuses without --yes when not a terminal (exit 2), and removes with --yes", async () => {
    const { cwd, base } = await populated();
    const refused = await runCli(["consolidate-sessions", "clean", "--completed", "--failed"], { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("Pass --yes to confirm");
    expect(await readdir(base)).toHaveLength(4);
    const run = await runCli(["consolidate-sessions", "clean", "--completed", "--failed", "--yes"], { cwd });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Removed 2 session(s)");
    expect((await readdir(base)).sort()).toEqual(["consolidate_20250719_201418_d9bb5987", "s_interrupted"]);
  });

  it("a session that cannot be removed is named and the run exits 1 (a failure, not a usage error)", async () => {
    const { cwd, base } = await populated();
    const blocker = path.join(base, "s_completed", "blocker");
    await mkdir(blocker);
    await writeFile(path.join(blocker, "file"), "x");
    const user = await unprivilegedUser(cwd);
    await lockDown(blocker);
    const run = await runCli(["consolidate-sessions", "clean", "--completed", "--failed", "--yes"], {
      cwd,
      ...user,
    });
    await unlock(blocker);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain("Removed 1 session(s)");
    expect(run.stderr).toMatch(
      /could not remove 1 session\(s\):\n {2}s_completed: .*(EACCES|permission denied)/,
    );
    expect((await readdir(base)).sort()).toEqual([
      "consolidate_20250719_201418_d9bb5987",
      "s_completed",
      "s_interrupted",
    ]);
  });

  it("never removes a running session, nor follows a symlink out of the checkpoint directory", async () => {
    const { cwd, base } = await populated();
    const outside = await testdir();
    await mkdir(path.join(outside, "precious"));
    await writeFile(path.join(outside, "precious", "data"), "keep me");
    await symlink(path.join(outside, "precious"), path.join(base, "link_out"));
    const holder = await CheckpointManager.open({ baseDir: base, sessionId: "s_interrupted" });
    try {
      const run = await runCli(["consolidate-sessions", "clean", "--all", "--yes"], { cwd });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Skipping s_interrupted: running by pid ${process.pid}`);
      expect(run.stdout).toContain("Removed 3 session(s)");
      expect((await readdir(base)).sort()).toEqual(["link_out", "s_interrupted"]);
      expect(await readdir(path.join(outside, "precious"))).toEqual(["data"]);
    } finally {
      await holder.close();
    }
  });

  it("--older-than filters by last activity, and rejects a bad duration (exit 2)", async () => {
    const { cwd, base } = await populated();
    const bad = await runCli(["consolidate-sessions", "clean", "--older-than", "7 days"], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--older-than "7 days" is not a duration');
    const run = await runCli(["consolidate-sessions", "clean", "--older-than", "36500d", "--yes"], { cwd });
    expect(run.stdout).toContain("No sessions match the criteria.");
    const all = await runCli(["consolidate-sessions", "clean", "--older-than", "1d", "--yes"], { cwd });
    expect(all.stdout).toContain("Removed 4 session(s)");
    expect(await readdir(base)).toEqual([]);
  });

  it("removes leftover temp files of interrupted writes from the sessions it keeps", async () => {
    const { cwd, base } = await populated();
    const stray = path.join(base, "s_interrupted", ".checkpoint.json.999999.0badcafe.tmp");
    await writeFile(stray, "half-written");
    const run = await runCli(["consolidate-sessions", "clean", "--completed", "--yes"], { cwd });
    expect(run.stdout).toContain("Removed 1 leftover temp file(s)");
    expect(await readdir(path.join(base, "s_interrupted"))).not.toContain(path.basename(stray));
  });
});
