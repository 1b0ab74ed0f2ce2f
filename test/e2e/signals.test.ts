import { readdir } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { inspectSession } from "../../src/storage/session-catalog.js";
import { simFlags, simulatorFor, writeInput } from "../helpers/e2e.js";
import { runCli, spawnCli } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

describe("SIGHUP (the terminal was closed)", () => {
  it("is handled like SIGTERM: checkpoint, exit 129, and the resume completes", async () => {
    const dir = await testdir();
    const input = await writeInput(dir, 120);
    let child: ReturnType<typeof spawnCli> | undefined;
    let seen = 0;
    const sim = await simulatorFor({
      latencyMs: 20,
      onRequest: () => {
        seen += 1;
        if (seen === 30) child?.child.kill("SIGHUP");
      },
    });
    const args = ["consolidate", "--input", input, "--output", "out.json", ...simFlags(sim)];
    child = spawnCli(args, { cwd: dir });
    const exit = await child.exited;
    expect(exit.code, child.stderr()).toBe(129);
    expect(child.stderr()).toContain("Interrupted; checkpoint saved. Resume with:");
    const base = path.join(dir, ".cf_state", "consolidate");
    const [sessionId] = await readdir(base);
    const session = await inspectSession(path.join(base, sessionId!));
    expect(session.status).toBe("interrupted");
    expect(session.sources.openalex?.papers_done ?? 0).toBeGreaterThan(0);
    const resumed = await runCli([...args, "--resume"], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
  });
});
