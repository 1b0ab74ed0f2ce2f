import { mkdir, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { CliDeps } from "../../src/cli/deps.js";
import { PLAIN_COLORS } from "../../src/cli/render/colors.js";
import { type PickerOptions, pickSession } from "../../src/cli/session-picker.js";
import { ExitError, SessionLockedError, SessionNotFoundError, UsageError } from "../../src/errors.js";
import { findSessions } from "../../src/storage/session-catalog.js";
import { CHECKPOINT_BACKUP_FILE, CHECKPOINT_FILE, LOCK_FILE } from "../../src/storage/session-files.js";
import { makeCfSession } from "../helpers/sessions.js";
import { testdir } from "../helpers/testdir.js";

/**
 * The resume-or-new decision of `cf consolidate` (session-picker.ts) against real session
 * directories: what it returns, what it says on stderr, what it asks, and when it refuses.
 */

/** The sha256 `makeCfSession` records for its input. */
const SESSION_SHA = "c".repeat(64);
const OTHER_SHA = "f".repeat(64);

/** A working directory with an input file and the default checkpoint directory under it. */
async function workspace() {
  const cwd = await testdir("cf-picker-");
  const file = path.join(cwd, "papers.json");
  await writeFile(file, JSON.stringify({ papers: [] }));
  const baseDir = path.join(cwd, ".cf_state", "consolidate");
  await mkdir(baseDir, { recursive: true });
  return { cwd, file, baseDir, input: { file, sha256: SESSION_SHA } };
}

/** CliDeps without a process: stderr collected, questions answered from `answers` in turn. */
function fakeDeps(cwd: string, options: { interactive?: boolean; answers?: boolean[] } = {}) {
  const questions: string[] = [];
  const answers = [...(options.answers ?? [])];
  let stderr = "";
  const deps: CliDeps = {
    stdout: (text) => {
      throw new Error(`the picker wrote to stdout: ${text}`);
    },
    stderr: (text) => {
      stderr += text;
    },
    env: {},
    cwd,
    interactive: options.interactive ?? false,
    colors: async () => PLAIN_COLORS,
    confirm: async (message) => {
      questions.push(message);
      if (!options.interactive) throw new Error(`asked "${message}" without a terminal`);
      const answer = answers.shift();
      if (answer === undefined) throw new Error(`unexpected question "${message}"`);
      return answer;
    },
    now: () => new Date("2026-02-01T00:00:00Z"),
    progressStream: undefined,
    onSignal: () => () => undefined,
    exitNow: (code) => {
      throw new Error(`exitNow(${code})`);
    },
  };
  return { deps, questions, stderr: () => stderr };
}

const opts = (options: Partial<PickerOptions> = {}): PickerOptions => ({
  resume: false,
  yes: false,
  ...options,
});

/** The error `promise` rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error & { exitCode?: number; hint?: string }> {
  return promise.then(
    (value) => {
      throw new Error(`expected a refusal, got ${JSON.stringify(value)}`);
    },
    (error: Error) => error,
  );
}

/** A lock file naming a live process other than this one (the test runner's parent) on this host. */
async function holdByAnotherProcess(sessionDir: string) {
  const holder = {
    pid: process.ppid,
    hostname: hostname(),
    started_at: "2026-01-31T23:00:00.000Z",
    token: "a".repeat(32),
  };
  await writeFile(path.join(sessionDir, LOCK_FILE), `${JSON.stringify(holder)}\n`);
  return holder;
}

/** A session killed before its first checkpoint: session.json only (status pending, nothing fetched). */
async function pendingSession(baseDir: string, sessionId: string, inputFile: string) {
  await mkdir(path.join(baseDir, sessionId));
  const file = { session_id: sessionId, created_at: "2026-01-30T00:00:00.000Z", input_file: inputFile };
  await writeFile(path.join(baseDir, sessionId, "session.json"), JSON.stringify(file));
}

const day = (d: number) => new Date(Date.UTC(2026, 0, d));

describe("pickSession: no session", () => {
  it("starts a new session without a word or a question", async () => {
    const { cwd, baseDir, input } = await workspace();
    for (const interactive of [false, true]) {
      const run = fakeDeps(cwd, { interactive });
      expect(await pickSession(opts(), input, baseDir, run.deps)).toEqual({ kind: "new" });
      expect(run.stderr()).toBe("");
      expect(run.questions).toEqual([]);
    }
  });

  it("with --resume, says there is nothing to resume and starts a new session, even without a terminal", async () => {
    const { cwd, baseDir, input } = await workspace();
    const run = fakeDeps(cwd);
    expect(await pickSession(opts({ resume: true }), input, baseDir, run.deps)).toEqual({ kind: "new" });
    expect(run.stderr()).toBe("No session to resume for papers.json: starting a new one.\n");
  });

  it("with --resume, sessions that never committed a checkpoint (pending) do not make the user choose", async () => {
    const { cwd, baseDir, input } = await workspace();
    await pendingSession(baseDir, "killed_before_checkpoint", input.file);
    await mkdir(path.join(baseDir, "killed_while_creating"));
    expect((await findSessions(baseDir)).map((s) => s.status)).toEqual(["pending", "pending"]);
    const run = fakeDeps(cwd, { interactive: true });
    expect(await pickSession(opts({ resume: true }), input, baseDir, run.deps)).toEqual({ kind: "new" });
    expect(run.questions).toEqual([]);
    expect(run.stderr()).toContain("No session to resume for papers.json");
  });

  it("a missing checkpoint directory is no session", async () => {
    const { cwd, input } = await workspace();
    const run = fakeDeps(cwd);
    const missing = path.join(cwd, "nowhere");
    expect(await pickSession(opts({ resume: true }), input, missing, run.deps)).toEqual({ kind: "new" });
  });
});

describe("pickSession: one resumable session for the input", () => {
  it("--resume resumes it, with the session's input hash", async () => {
    const { cwd, baseDir, input } = await workspace();
    await makeCfSession(baseDir, "s1", { inputFile: input.file, done: 2 });
    const run = fakeDeps(cwd);
    expect(await pickSession(opts({ resume: true }), input, baseDir, run.deps)).toEqual({
      kind: "resume",
      sessionId: "s1",
      inputSha256: SESSION_SHA,
    });
    expect(run.stderr()).toBe("Found resumable session: s1\n");
  });

  it("a failed session is resumable too", async () => {
    const { cwd, baseDir, input } = await workspace();
    await makeCfSession(baseDir, "f1", { inputFile: input.file, failed: true });
    const run = fakeDeps(cwd);
    expect(await pickSession(opts({ resume: true }), input, baseDir, run.deps)).toMatchObject({
      kind: "resume",
      sessionId: "f1",
    });
  });

  it("without --resume and without a terminal, names it with the command that resumes it, then starts a new one", async () => {
    const { cwd, baseDir, input } = await workspace();
    await makeCfSession(baseDir, "s1", { inputFile: input.file, done: 2 });
    const run = fakeDeps(cwd);
    expect(await pickSession(opts(), input, baseDir, run.deps)).toEqual({ kind: "new" });
    expect(run.stderr()).toBe(
      [
        "A resumable session exists for this input: s1 (interrupted; openalex 2/4, semantic_scholar 0/4).",
        "  Resume it with: cf consolidate --resume --input papers.json --session-id s1",
        "",
      ].join("\n"),
    );
    expect(run.questions).toEqual([]);
  });

  it("without --resume on a terminal, asks before starting a new one; no leaves with exit 0", async () => {
    const { cwd, baseDir, input } = await workspace();
    await makeCfSession(baseDir, "s1", { inputFile: input.file, done: 2 });
    const declined = fakeDeps(cwd, { interactive: true, answers: [false] });
    const error = await rejection(pickSession(opts(), input, baseDir, declined.deps));
    expect(error).toBeInstanceOf(ExitError);
    expect(error.exitCode).toBe(0);
    expect(declined.questions).toEqual(["Start a new session anyway?"]);

    const accepted = fakeDeps(cwd, { interactive: true, answers: [true] });
    expect(await pickSession(opts(), input, baseDir, accepted.deps)).toEqual({ kind: "new" });

    const yes = fakeDeps(cwd, { interactive: true });
    expect(await pickSession(opts({ yes: true }), input, baseDir, yes.deps)).toEqual({ kind: "new" });
    expect(yes.questions).toEqual([]);
    expect(yes.stderr()).toContain("Resume it with:");
  });

  it("with --resume, a session that already completed this very input leaves with exit 0: nothing to resume", async () => {
    const { cwd, baseDir, input } = await workspace();
    await makeCfSession(baseDir, "done", { inputFile: input.file, done: 4, complete: true });
    const run = fakeDeps(cwd, { interactive: true });
    const error = await rejection(pickSession(opts({ resume: true }), input, baseDir, run.deps));
    expect(error).toBeInstanceOf(ExitError);
    expect(error.exitCode).toBe(0);
    expect(run.stderr()).toBe(
      "Nothing to resume: session done already completed this input.\n  Run without --resume to start a new session.\n",
    );
    expect(run.questions).toEqual([]);

    // The same path with other content is not "already completed": the user is asked instead.
    const changed = fakeDeps(cwd, { interactive: true, answers: [true] });
    expect(
      await pickSession(opts({ resume: true }), { ...input, sha256: OTHER_SHA }, baseDir, changed.deps),
    ).toEqual({ kind: "new" });
    expect(changed.questions).toEqual(["Start a new session?"]);
  });
});

describe("pickSession: several sessions", () => {
  it("--resume takes the newest resumable session of this input, never another input's", async () => {
    const { cwd, baseDir, input } = await workspace();
    await makeCfSession(baseDir, "old", { inputFile: input.file, done: 1, now: day(1) });
    await makeCfSession(baseDir, "newer", { inputFile: input.file, done: 3, now: day(3) });
    await makeCfSession(baseDir, "finished", { inputFile: input.file, complete: true, done: 4, now: day(4) });
    await makeCfSession(baseDir, "other", { inputFile: path.join(cwd, "other.json"), done: 2, now: day(5) });
    const run = fakeDeps(cwd);
    expect(await pickSession(opts({ resume: true }), input, baseDir, run.deps)).toMatchObject({
      kind: "resume",
      sessionId: "newer",
    });
  });

  it("--resume with none for this input lists up to five others and, without a terminal or --yes, exits 2", async () => {
    const { cwd, baseDir, input } = await workspace();
    for (let i = 1; i <= 6; i += 1) {
      await makeCfSession(baseDir, `other${i}`, {
        inputFile: path.join(cwd, `other${i}.json`),
        done: 1,
        now: day(i),
      });
    }
    await pendingSession(baseDir, "pending", path.join(cwd, "x.json"));
    const run = fakeDeps(cwd);
    const error = await rejection(pickSession(opts({ resume: true }), input, baseDir, run.deps));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(
      "no resumable session for this input, and no terminal to ask whether to start a new one",
    );
    expect(error.hint).toContain("--yes");
    const lines = run.stderr().trimEnd().split("\n");
    expect(lines).toEqual([
      "No resumable session found for this input file. Other sessions:",
      "  • other6 - other6.json (interrupted)",
      "  • other5 - other5.json (interrupted)",
      "  • other4 - other4.json (interrupted)",
      "  • other3 - other3.json (interrupted)",
      "  • other2 - other2.json (interrupted)",
    ]);

    const yes = fakeDeps(cwd);
    expect(await pickSession(opts({ resume: true, yes: true }), input, baseDir, yes.deps)).toEqual({
      kind: "new",
    });
    const asked = fakeDeps(cwd, { interactive: true, answers: [false] });
    const declined = await rejection(pickSession(opts({ resume: true }), input, baseDir, asked.deps));
    expect(declined).toBeInstanceOf(ExitError);
    expect(declined.exitCode).toBe(0);
    expect(asked.questions).toEqual(["Start a new session?"]);
  });

  it("--resume refuses (exit 2) when the newest session of this input is corrupt, unless --yes", async () => {
    const { cwd, baseDir, input } = await workspace();
    const dir = await makeCfSession(baseDir, "broken", { inputFile: input.file, done: 2 });
    await writeFile(path.join(dir, CHECKPOINT_FILE), "{ torn");
    await writeFile(path.join(dir, CHECKPOINT_BACKUP_FILE), "{ torn");
    const run = fakeDeps(cwd);
    const error = await rejection(pickSession(opts({ resume: true }), input, baseDir, run.deps));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(/^the newest session for papers\.json \(broken\) is corrupt: /);
    expect(error.hint).toContain("clean --corrupt");
    const yes = fakeDeps(cwd);
    expect(await pickSession(opts({ resume: true, yes: true }), input, baseDir, yes.deps)).toEqual({
      kind: "new",
    });
    expect(yes.stderr()).toContain("  • broken - papers.json (corrupt)");
  });
});

describe("pickSession: a session running for this input in another process", () => {
  it("without a terminal and without --yes, refuses with exit 75 naming the holder", async () => {
    const { cwd, baseDir, input } = await workspace();
    const dir = await makeCfSession(baseDir, "busy", { inputFile: input.file, done: 1 });
    const holder = await holdByAnotherProcess(dir);
    const run = fakeDeps(cwd);
    const error = await rejection(pickSession(opts(), input, baseDir, run.deps));
    expect(error).toBeInstanceOf(SessionLockedError);
    expect(error.exitCode).toBe(75);
    expect(error.message).toBe(
      `session busy is already running for this input (pid ${holder.pid} on ${holder.hostname}, since ${holder.started_at})`,
    );
    expect(error.hint).toContain("--yes");
  });

  it("is found by content when the input moved, and ignored when it is another input", async () => {
    const { cwd, baseDir, input } = await workspace();
    const dir = await makeCfSession(baseDir, "busy", { inputFile: path.join(cwd, "moved.json"), done: 1 });
    await holdByAnotherProcess(dir);
    const sameContent = await rejection(pickSession(opts(), input, baseDir, fakeDeps(cwd).deps));
    expect(sameContent).toBeInstanceOf(SessionLockedError);
    expect(await pickSession(opts(), { ...input, sha256: OTHER_SHA }, baseDir, fakeDeps(cwd).deps)).toEqual({
      kind: "new",
    });
  });

  it("--yes starts another session; on a terminal it asks, and no exits 75", async () => {
    const { cwd, baseDir, input } = await workspace();
    const dir = await makeCfSession(baseDir, "busy", { inputFile: input.file, done: 1 });
    await holdByAnotherProcess(dir);
    expect(await pickSession(opts({ yes: true }), input, baseDir, fakeDeps(cwd).deps)).toEqual({
      kind: "new",
    });

    const declined = fakeDeps(cwd, { interactive: true, answers: [false] });
    const error = await rejection(pickSession(opts(), input, baseDir, declined.deps));
    expect(error).toBeInstanceOf(ExitError);
    expect(error.exitCode).toBe(75);
    expect(declined.questions).toEqual(["Start another session anyway?"]);
    expect(declined.stderr()).toContain("session busy is already running for this input (pid ");

    const accepted = fakeDeps(cwd, { interactive: true, answers: [true] });
    expect(await pickSession(opts(), input, baseDir, accepted.deps)).toEqual({ kind: "new" });
  });

  it("--resume while the input's session runs elsewhere: exit 75 naming it, even with --yes or on a terminal", async () => {
    const { cwd, baseDir, input } = await workspace();
    const dir = await makeCfSession(baseDir, "busy", { inputFile: input.file, done: 1 });
    const holder = await holdByAnotherProcess(dir);
    for (const [resumeOptions, deps] of [
      [opts({ resume: true }), fakeDeps(cwd).deps],
      [opts({ resume: true, yes: true }), fakeDeps(cwd).deps],
      [opts({ resume: true }), fakeDeps(cwd, { interactive: true, answers: [true] }).deps],
    ] as const) {
      const error = await rejection(pickSession(resumeOptions, input, baseDir, deps));
      expect(error).toBeInstanceOf(SessionLockedError);
      expect(error.exitCode).toBe(75);
      expect(error.message).toBe(
        `session busy for this input is running (pid ${holder.pid} on ${holder.hostname}, since ${holder.started_at}): it cannot be resumed while it runs`,
      );
    }
  });

  it("--resume with only a copy of the input (another path) running: not this input's session, the usual rules", async () => {
    const { cwd, baseDir, input } = await workspace();
    const dir = await makeCfSession(baseDir, "copy", { inputFile: path.join(cwd, "copy.json"), done: 1 });
    await holdByAnotherProcess(dir);
    const error = await rejection(pickSession(opts({ resume: true }), input, baseDir, fakeDeps(cwd).deps));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain("no resumable session for this input");
  });

  it("a lock left by a dead process is no running session", async () => {
    const { cwd, baseDir, input } = await workspace();
    const dir = await makeCfSession(baseDir, "crashed", { inputFile: input.file, done: 1 });
    await writeFile(
      path.join(dir, LOCK_FILE),
      JSON.stringify({
        pid: 2 ** 22 + 12345, // above Linux's pid_max: never a live process
        hostname: hostname(),
        started_at: "2026-01-31T23:00:00.000Z",
        token: "b".repeat(32),
      }),
    );
    const run = fakeDeps(cwd);
    expect(await pickSession(opts({ resume: true }), input, baseDir, run.deps)).toMatchObject({
      kind: "resume",
      sessionId: "crashed",
    });
  });
});

describe("pickSession: --session-id", () => {
  it("an unknown id: a new session of that id, or (with --resume) exit 2", async () => {
    const { cwd, baseDir, input } = await workspace();
    expect(await pickSession(opts({ sessionId: "mine" }), input, baseDir, fakeDeps(cwd).deps)).toEqual({
      kind: "new",
      sessionId: "mine",
    });
    const error = await rejection(
      pickSession(opts({ sessionId: "mine", resume: true }), input, baseDir, fakeDeps(cwd).deps),
    );
    expect(error).toBeInstanceOf(SessionNotFoundError);
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe("no session mine in .cf_state/consolidate");
  });

  it("an existing id with --resume resumes that session, whatever its status or input", async () => {
    const { cwd, baseDir, input } = await workspace();
    await makeCfSession(baseDir, "done", {
      inputFile: path.join(cwd, "elsewhere.json"),
      done: 4,
      complete: true,
    });
    expect(
      await pickSession(opts({ sessionId: "done", resume: true }), input, baseDir, fakeDeps(cwd).deps),
    ).toEqual({ kind: "resume", sessionId: "done", inputSha256: SESSION_SHA });
  });

  it("an existing id without --resume is a usage error (exit 2) that gives the resume command", async () => {
    const { cwd, baseDir, input } = await workspace();
    await makeCfSession(baseDir, "s1", { inputFile: input.file, done: 2 });
    const error = await rejection(pickSession(opts({ sessionId: "s1" }), input, baseDir, fakeDeps(cwd).deps));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(
      "session s1 already exists in .cf_state/consolidate (interrupted): add --resume to continue it",
    );
    expect(error.hint).toContain("cf consolidate --resume --input papers.json --session-id s1");
  });

  it("an existing corrupt id without --resume says it is corrupt and how to remove it", async () => {
    const { cwd, baseDir, input } = await workspace();
    await mkdir(path.join(baseDir, "bad"));
    await writeFile(path.join(baseDir, "bad", "session.json"), "{ not json");
    const error = await rejection(
      pickSession(opts({ sessionId: "bad" }), input, baseDir, fakeDeps(cwd).deps),
    );
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(
      "session bad already exists in .cf_state/consolidate and is corrupt: session.json is not valid JSON",
    );
    expect(error.hint).toContain("clean --corrupt");
  });

  it("a running id without --resume is left to the session lock (which names the holder)", async () => {
    const { cwd, baseDir, input } = await workspace();
    const dir = await makeCfSession(baseDir, "busy", { inputFile: input.file, done: 1 });
    await holdByAnotherProcess(dir);
    expect(await pickSession(opts({ sessionId: "busy" }), input, baseDir, fakeDeps(cwd).deps)).toEqual({
      kind: "resume",
      sessionId: "busy",
      inputSha256: SESSION_SHA,
    });
  });
});
