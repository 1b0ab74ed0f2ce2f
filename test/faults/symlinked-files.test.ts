import { readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { interruptedRun, writeInput } from "../helpers/e2e.js";
import { runCases } from "../helpers/faults/tier.js";
import { runCli } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

const LINKED = [
  "journal.jsonl",
  "checkpoint.json",
  "progress.json",
  "session.json",
  "papers_enriched.json",
] as const;

/**
 * Suite "symlinks" (issue 12, case 3): a session file replaced by a symbolic link to a file outside
 * the session is never followed: the resume refuses naming it, the outside file is untouched, and
 * `list` shows the session as corrupt with the reason.
 */
describe("fault suite: symbolic links in a session", () => {
  it("a resume never reads or writes through a linked session file", async () => {
    const failures = await runCases("symlinks", LINKED, async (name) => {
      const dir = await testdir();
      const input = await writeInput(dir, 60);
      const { exit, stderr, args } = await interruptedRun(
        ["consolidate", "--input", input, "--output", "out.json"],
        dir,
        { afterRequests: 8 },
      );
      expect(exit.code, stderr).toBe(130);
      const base = path.join(dir, ".cf_state", "consolidate");
      const [id] = await readdir(base);
      const sessionDir = path.join(base, id!);
      const outside = path.join(dir, "outside.txt");
      const original = "precious data, not a session file\n";
      await writeFile(outside, original);
      const target = path.join(sessionDir, name);
      await rm(target, { force: true });
      await symlink(outside, target);

      const resumed = await runCli([...args, "--resume", "--session-id", id!], { cwd: dir });
      expect(resumed.code, resumed.stderr).not.toBe(0);
      expect(`${resumed.stdout}${resumed.stderr}`).toContain(`${name} is a symbolic link`);
      expect(await readFile(outside, "utf8")).toBe(original);

      const list = await runCli(["consolidate-sessions", "list", "--all", "--json"], { cwd: dir });
      const [session] = JSON.parse(list.stdout);
      expect(session).toMatchObject({ status: "corrupt" });
      expect(session.problem).toContain(`${name} is a symbolic link`);
    });
    expect(failures).toEqual([]);
  });
});
