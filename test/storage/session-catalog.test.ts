import { cp, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CheckpointManager } from "../../src/storage/checkpoint-manager.js";
import {
  findResumableSession,
  findSessions,
  inspectSession,
  statusFromSources,
} from "../../src/storage/session-catalog.js";
import { makeCfSession, makePythonSession } from "../helpers/sessions.js";
import { testdir } from "../helpers/testdir.js";

describe("session status and discovery", () => {
  it("gives every kind of session its status, newest first, hiding nothing", async () => {
    const base = await testdir();
    await makeCfSession(base, "a_interrupted", { done: 2, now: new Date("2026-01-05T00:00:00Z") });
    await makeCfSession(base, "b_completed", {
      done: 4,
      complete: true,
      now: new Date("2026-01-04T00:00:00Z"),
    });
    await makeCfSession(base, "c_failed", { failed: true, now: new Date("2026-01-03T00:00:00Z") });
    await makePythonSession(base, "consolidate_20250719_201418_d9bb5987", [297, 16], 34648);
    await mkdir(path.join(base, "d_pending"));
    await writeFile(
      path.join(base, "d_pending", "session.json"),
      JSON.stringify({ session_id: "d_pending", created_at: "2026-01-02T00:00:00Z" }),
    );
    await mkdir(path.join(base, "e_corrupt"));
    await writeFile(path.join(base, "e_corrupt", "session.json"), "{ not json");
    await writeFile(path.join(base, "stray-file.tmp"), "x");

    const sessions = await findSessions(base);
    const byId = Object.fromEntries(sessions.map((s) => [s.session_id, s]));
    expect(Object.keys(byId).sort()).toEqual([
      "a_interrupted",
      "b_completed",
      "c_failed",
      "consolidate_20250719_201418_d9bb5987",
      "d_pending",
      "e_corrupt",
    ]);
    expect(byId.a_interrupted).toMatchObject({ status: "interrupted", format: "cf", total_papers: 4 });
    expect(byId.a_interrupted?.sources.openalex).toMatchObject({
      papers_done: 2,
      papers_enriched: 0,
      status: "in_progress",
    });
    expect(byId.b_completed?.status).toBe("completed");
    expect(byId.c_failed?.status).toBe("failed");
    expect(byId.d_pending?.status).toBe("pending");
    expect(byId.e_corrupt).toMatchObject({ status: "corrupt", problem: "session.json is not valid JSON" });
    expect(byId.consolidate_20250719_201418_d9bb5987).toMatchObject({
      status: "interrupted",
      format: "python",
      input_file: "data/collected/papers.json",
      total_papers: 34648,
      created_at: "2025-07-19T20:14:18.901",
    });
    expect(byId.consolidate_20250719_201418_d9bb5987?.sources.openalex).toMatchObject({
      papers_done: 297,
      papers_enriched: 247,
    });
    expect(sessions.slice(0, 3).map((s) => s.session_id)).toEqual([
      "a_interrupted",
      "b_completed",
      "c_failed",
    ]);
  });

  it("reports a locked session as running, with its holder", async () => {
    const base = await testdir();
    await makeCfSession(base, "s1");
    const manager = await CheckpointManager.open({ baseDir: base, sessionId: "s1" });
    const summary = await inspectSession(path.join(base, "s1"));
    expect(summary.status).toBe("running");
    expect(summary.holder?.pid).toBe(process.pid);
    await manager.close();
    expect((await inspectSession(path.join(base, "s1"))).status).toBe("interrupted");
  });

  it("shows a session with a bad checkpoint.json but good .bak as its .bak status, noting the problem", async () => {
    const base = await testdir();
    const dir = await makeCfSession(base, "s1", { done: 1 });
    await writeFile(path.join(dir, "checkpoint.json"), "{}");
    const summary = await inspectSession(dir);
    expect(summary.status).toBe("interrupted");
    expect(summary.problem).toMatch(/checkpoint.json.*\.bak is usable/);
    await rm(path.join(dir, "checkpoint.json.bak"));
    expect((await inspectSession(dir)).status).toBe("corrupt");
  });

  it("finds the newest resumable session for an input by path, or by content when the file moved", async () => {
    const base = await testdir();
    const inputs = await testdir();
    const input = path.join(inputs, "papers.json");
    await writeFile(input, "[]");
    const { createHash } = await import("node:crypto");
    const sha = createHash("sha256").update("[]").digest("hex");
    await makeCfSession(base, "old", { inputFile: input, done: 1, now: new Date("2026-01-01T00:00:00Z") });
    await makeCfSession(base, "new", { inputFile: input, done: 1, now: new Date("2026-01-02T00:00:00Z") });
    await makeCfSession(base, "done", {
      inputFile: input,
      complete: true,
      now: new Date("2026-01-03T00:00:00Z"),
    });
    expect((await findResumableSession(base, input))?.session_id).toBe("new");

    const moved = path.join(inputs, "renamed.json");
    await cp(input, moved);
    expect(await findResumableSession(base, moved)).toBeUndefined(); // the sessions recorded another sha
    const sessionFile = path.join(base, "new", "session.json");
    const { readFile } = await import("node:fs/promises");
    const session = JSON.parse(await readFile(sessionFile, "utf8"));
    await writeFile(sessionFile, JSON.stringify({ ...session, input_sha256: sha }));
    expect((await findResumableSession(base, moved))?.session_id).toBe("new");
  });

  it("returns nothing for a checkpoint directory that does not exist", async () => {
    const base = await testdir();
    expect(await findSessions(path.join(base, "nope"))).toEqual([]);
  });
});

describe("Python sessions continued by cf (issue 15)", () => {
  it("name the cf session that continues them, unless it never committed a checkpoint", async () => {
    const base = await testdir();
    await makePythonSession(base, "consolidate_20250719_201418_d9bb5987", [3, 1], 4);
    const adopter = async (id: string) => {
      const dir = await makeCfSession(base, id);
      const file = path.join(dir, "session.json");
      const json = JSON.parse(await readFile(file, "utf8"));
      json.adopted_from = { session_id: "consolidate_20250719_201418_d9bb5987", dir: "/x" };
      await writeFile(file, JSON.stringify(json));
      return dir;
    };
    // Killed right after writing session.json (before its first checkpoint): holds nothing.
    const pending = await adopter("a_pending");
    for (const name of await readdir(pending))
      if (name !== "session.json") await rm(path.join(pending, name));
    expect((await findSessions(base)).find((s) => s.session_id === "a_pending")?.status).toBe("pending");
    let python = (await findSessions(base)).find((s) => s.format === "python");
    expect(python?.adopted_by).toBeUndefined();
    await adopter("b_adopter");
    const sessions = await findSessions(base);
    python = sessions.find((s) => s.format === "python");
    expect(python?.adopted_by).toBe("b_adopter");
    expect(sessions.find((s) => s.session_id === "b_adopter")?.adopted_from).toBe(
      "consolidate_20250719_201418_d9bb5987",
    );
  });
});

describe("statusFromSources", () => {
  it("treats an unreachable source like an exhausted budget: the session is interrupted, resumable", () => {
    expect(statusFromSources(["unreachable"])).toBe("interrupted");
    expect(statusFromSources(["unreachable", "completed"])).toBe("interrupted");
    expect(statusFromSources(["budget_exhausted", "pending"])).toBe("interrupted");
    expect(statusFromSources(["unreachable", "failed"])).toBe("failed");
    expect(statusFromSources(["pending", "pending"])).toBe("pending");
  });
});
