import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decideSession, type InputIdentity } from "../../src/core/session-choice.js";
import { CheckpointManager } from "../../src/storage/checkpoint-manager.js";
import { paperKey } from "../../src/storage/python-session.js";
import { makePapers } from "../helpers/papers.js";
import { writePythonSession } from "../helpers/python-sessions.js";
import { makeCfSession } from "../helpers/sessions.js";
import { testdir } from "../helpers/testdir.js";

/**
 * Which session `cf consolidate` uses when Python tool's sessions sit beside cf's (issue 15): cf's
 * own sessions come first, a Python session is continued only where a new session would start.
 */

const PY = "consolidate_20250719_201418_d9bb5987";
const SHA = "c".repeat(64);

async function project() {
  const cwd = await testdir();
  const base = path.join(cwd, ".cf_state", "consolidate");
  await mkdir(path.join(cwd, "data"), { recursive: true });
  const inputFile = path.join(cwd, "data", "papers.json");
  await writeFile(inputFile, "{}");
  const papers = makePapers(6).map((p) => ({ ...p }) as unknown as Record<string, unknown>);
  const input = (keys = papers): InputIdentity => ({
    file: inputFile,
    sha256: SHA,
    paperKeys: () => new Set(keys.map((p) => paperKey(p.title, p.year))),
  });
  const python = (papersOf = papers, inputName = "data/papers.json", id = PY) =>
    writePythonSession(base, id, {
      format: "parallel",
      inputFile: inputName,
      papers: papersOf,
      processed: { openalex: 3, semantic_scholar: 0 },
    });
  return { cwd, base, inputFile, papers, input, python };
}

const resume = { resume: true, yes: false };

describe("decideSession with the Python tool's sessions", () => {
  it("continues a Python session that names this input (relative to the project) and holds its papers", async () => {
    const p = await project();
    await p.python();
    const decision = await decideSession(resume, p.input(), p.base, "/elsewhere");
    expect(decision).toMatchObject({ kind: "adopt", session: { session_id: PY } });
    // Without --resume it is offered, not taken.
    const plain = await decideSession({ resume: false, yes: false }, p.input(), p.base, p.cwd);
    expect(plain).toMatchObject({ kind: "new-beside-resumable", resumable: { session_id: PY } });
  });

  it("a completed cf session for this input wins over a Python session for it", async () => {
    const p = await project();
    await p.python();
    await makeCfSession(p.base, "s_done", {
      inputFile: p.inputFile,
      complete: true,
      now: new Date("2026-02-01"),
    });
    const decision = await decideSession(resume, p.input(), p.base, p.cwd);
    expect(decision).toMatchObject({ kind: "already-completed", session: { session_id: "s_done" } });
  });

  it("a cf session running on this input wins: resuming waits for it", async () => {
    const p = await project();
    await p.python();
    const running = await CheckpointManager.create({
      baseDir: p.base,
      sessionId: "s_running",
      inputFile: p.inputFile,
      inputSha256: SHA,
      papers: makePapers(2),
      sources: ["openalex"],
      checkpointIntervalMinutes: 5,
    });
    try {
      await running.snapshot();
      const decision = await decideSession(resume, p.input(), p.base, p.cwd);
      expect(decision).toMatchObject({ kind: "running-elsewhere", session: { session_id: "s_running" } });
    } finally {
      await running.close();
    }
  });

  it("a path match whose file now holds another collection is not that session", async () => {
    const p = await project();
    await p.python(p.papers.map((x) => ({ ...x, title: `Another collection: ${String(x.title)}` })));
    const decision = await decideSession(resume, p.input(), p.base, p.cwd);
    expect(decision.kind).not.toBe("adopt");
  });

  it("a moved input is recognised by its papers with --resume only", async () => {
    const p = await project();
    await p.python(p.papers, "old/location/papers.json");
    expect(await decideSession(resume, p.input(), p.base, p.cwd)).toMatchObject({ kind: "adopt" });
    expect((await decideSession({ resume: false, yes: false }, p.input(), p.base, p.cwd)).kind).toBe("new");
  });

  it("--session-id finds a Python session by its directory or by the id in its checkpoint", async () => {
    const p = await project();
    const dir = await p.python();
    // The checkpoint names another id than the directory (the Python tool adopted the file's id).
    const checkpoint = path.join(dir, "checkpoint.json");
    const data = JSON.parse(await readFile(checkpoint, "utf8"));
    data.session_id = "consolidate_20250101_000000_00000000";
    await writeFile(checkpoint, JSON.stringify(data));
    for (const id of [PY, "consolidate_20250101_000000_00000000"]) {
      const decision = await decideSession({ ...resume, sessionId: id }, p.input(), p.base, p.cwd);
      expect(decision, id).toMatchObject({ kind: "adopt", session: { dir } });
    }
  });

  it("an input file that is gone matches by path alone", async () => {
    const p = await project();
    await p.python();
    const gone = { file: p.inputFile, sha256: undefined };
    expect(await decideSession(resume, gone, p.base, p.cwd)).toMatchObject({ kind: "adopt" });
  });
});
