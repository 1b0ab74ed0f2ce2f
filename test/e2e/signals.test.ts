import { readdir } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { inspectSession } from "../../src/storage/session-catalog.js";
import { interruptedRun, writeInput } from "../helpers/e2e.js";
import { runCli } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

describe("SIGHUP (the terminal was closed)", () => {
  it("is handled like SIGTERM: checkpoint, exit 129, and the resume completes", async () => {
    const dir = await testdir();
    const input = await writeInput(dir, 120);
    const { exit, stderr, args } = await interruptedRun(
      ["consolidate", "--input", input, "--output", "out.json"],
      dir,
      { signal: "SIGHUP", afterRequests: 30 },
    );
    expect(exit.code, stderr).toBe(129);
    expect(stderr).toContain("Interrupted; checkpoint saved. Resume with:");
    const base = path.join(dir, ".cf_state", "consolidate");
    const [sessionId] = await readdir(base);
    const session = await inspectSession(path.join(base, sessionId!));
    expect(session.status).toBe("interrupted");
    // OpenAlex's title-only papers wait for Semantic Scholar, so the progress may be S2's alone.
    const done = Object.values(session.sources).reduce((sum, s) => sum + (s?.papers_done ?? 0), 0);
    expect(done).toBeGreaterThan(0);
    const resumed = await runCli([...args, "--resume"], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
  });
});
