import { describe, expect, it } from "vitest";
import { simFlags, simulatorFor, writeInput } from "../helpers/e2e.js";
import { runCli, spawnCli } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

/** Issue 12 (12): a second run on an input a running session works on does not race it. */
describe("a second run on the same input", () => {
  it("without --resume, names the running session and its holder and exits 75 without a terminal; --yes starts one anyway", async () => {
    const dir = await testdir();
    const input = await writeInput(dir, 60);
    const sim = await simulatorFor({ latencyMs: 300 });
    const args = ["consolidate", "--input", input, ...simFlags(sim, 2)];
    const first = spawnCli([...args, "--output", "first.json"], { cwd: dir });
    // Wait until the first run holds its session (its first requests arrive).
    const started = Date.now();
    while (sim.requestLog.length === 0 && Date.now() - started < 15_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const second = await runCli([...args, "--output", "second.json"], { cwd: dir });
    expect(second.code, second.stderr).toBe(75);
    expect(second.stderr).toMatch(
      new RegExp(
        `session consolidate_\\S+ is already running for this input \\(pid ${first.child.pid} on \\S+, since `,
      ),
    );
    expect(second.stderr).toContain("pass --yes to start another session anyway");
    // --yes: the user knows; a new session starts (stopped again at once).
    const anyway = spawnCli([...args, "--output", "third.json", "--yes"], { cwd: dir });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    anyway.child.kill("SIGINT");
    const anywayExit = await anyway.exited;
    expect(anywayExit.code, anyway.stderr()).toBe(130);
    expect(anyway.stderr()).not.toContain("already running");
    first.child.kill("SIGINT");
    expect((await first.exited).code).toBe(130);
  });
});
