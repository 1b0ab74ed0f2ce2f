import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Simulator } from "../../src/simulator/server.js";
import { inspectSession } from "../../src/storage/session-catalog.js";
import { interruptedRun, simFlags, simulatorFor, writeInput } from "../helpers/e2e.js";
import { type CliRun, runCli } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

/**
 * Every resume command cf prints must work pasted as is into a POSIX shell from the same directory:
 * here the printed line is run by /bin/sh itself, with `cf` defined as the built binary plus the
 * simulator's flags (which a real user would not need).
 */

const BIN = path.resolve(import.meta.dirname, "../../bin/cf.js");
const PAPERS = 60;

/** The command on the line after "…with:" in `stderr`. */
function printedCommand(stderr: string): string {
  const match = /with:\n {2}(cf consolidate [^\n]*)\n/.exec(stderr);
  expect(match, stderr).not.toBeNull();
  return match![1]!;
}

/** Run `command` through /bin/sh in `cwd`, `cf` being the built binary with `extra` flags appended. */
function runInShell(command: string, cwd: string, extra: string[]): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, CF_NODE: process.execPath, CF_BIN: BIN };
  delete env.CF_CHECKPOINT_DIR;
  delete env.FORCE_COLOR;
  // The extra flags are URLs and numbers: no quoting needed inside the function body.
  const script = `cf() { "$CF_NODE" "$CF_BIN" "$@" ${extra.join(" ")}; }\n${command}\n`;
  return new Promise((resolve) => {
    execFile("/bin/sh", ["-c", script], { cwd, env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The resumed run finished: exit 0, its output written, the session completed. */
async function expectCompleted(run: CliRun, cwd: string, sessionDir: string) {
  expect(run.code, run.stderr).toBe(0);
  const output = /Output: (.*)\n/.exec(run.stdout)?.[1];
  expect(output, run.stdout).toBeDefined();
  expect(existsSync(path.resolve(cwd, output!))).toBe(true);
  expect((await inspectSession(sessionDir)).status).toBe("completed");
}

async function freshSimFlags(): Promise<string[]> {
  const sim: Simulator = await simulatorFor();
  return simFlags(sim);
}

describe("printed resume commands work as printed", () => {
  it("after Ctrl-C with --checkpoint-dir st; list and show print the same command", async () => {
    const cwd = await testdir();
    await writeInput(cwd, PAPERS);
    const { exit, stderr } = await interruptedRun(
      ["consolidate", "--input", "papers.json", "--checkpoint-dir", "st", "--session-id", "run1"],
      cwd,
    );
    expect(exit.code, stderr).toBe(130);
    const command = printedCommand(stderr);
    expect(command).toBe("cf consolidate --resume --input papers.json --session-id run1 --checkpoint-dir st");

    const list = await runCli(["consolidate-sessions", "list", "--checkpoint-dir", "st"], { cwd });
    expect(list.stdout).toContain(`  Resume: ${command}\n`);
    const shown = await runCli(["consolidate-sessions", "show", "run1", "--checkpoint-dir", "st", "--json"], {
      cwd,
    });
    expect(JSON.parse(shown.stdout).resume_command).toBe(command);

    await expectCompleted(
      await runInShell(command, cwd, await freshSimFlags()),
      cwd,
      path.join(cwd, "st", "run1"),
    );
  });

  it("writes where the run was writing: the pasted command (no -o) uses the session's output, not a new default file", async () => {
    const cwd = await testdir();
    await writeInput(cwd, PAPERS);
    const { exit, stderr } = await interruptedRun(
      ["consolidate", "--input", "papers.json", "-o", "results/merged.json", "--session-id", "out1"],
      cwd,
    );
    expect(exit.code, stderr).toBe(130);
    const command = printedCommand(stderr);
    expect(command).not.toMatch(/ (-o|--output) /);
    const resumed = await runInShell(command, cwd, await freshSimFlags());
    await expectCompleted(resumed, cwd, path.join(cwd, ".cf_state", "consolidate", "out1"));
    expect(resumed.stdout).toContain("Output: results/merged.json\n");
    expect(existsSync(path.join(cwd, "results", "merged.json"))).toBe(true);
    expect(existsSync(path.join(cwd, "data"))).toBe(false);
    // An -o given on resume still wins.
    const again = await runCli(
      ["consolidate", "--input", "papers.json", "--resume", "--session-id", "out1", "-o", "other.json"],
      { cwd },
    );
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("Output: other.json\n");
  });

  it("after Ctrl-C, with spaces in the checkpoint dir and the input path", async () => {
    const cwd = await testdir();
    await mkdir(path.join(cwd, "my papers"));
    await writeInput(path.join(cwd, "my papers"), PAPERS);
    const { exit, stderr } = await interruptedRun(
      [
        "consolidate",
        "--input",
        "my papers/papers.json",
        "--checkpoint-dir",
        "cf state",
        "--session-id",
        "run2",
      ],
      cwd,
    );
    expect(exit.code, stderr).toBe(130);
    const command = printedCommand(stderr);
    expect(command).toBe(
      "cf consolidate --resume --input 'my papers/papers.json' --session-id run2 --checkpoint-dir 'cf state'",
    );
    await expectCompleted(
      await runInShell(command, cwd, await freshSimFlags()),
      cwd,
      path.join(cwd, "cf state", "run2"),
    );
  });

  it("after an exhausted budget, with CF_CHECKPOINT_DIR elsewhere (pasted where it is unset)", async () => {
    const cwd = await testdir();
    const stateDir = path.join(await testdir(), "state");
    await writeInput(cwd, PAPERS);
    const poor = await simulatorFor({ openalexBudget: 5 });
    const first = await runCli(
      ["consolidate", "--input", "papers.json", "--session-id", "run3", ...simFlags(poor)],
      {
        cwd,
        env: { CF_CHECKPOINT_DIR: stateDir },
      },
    );
    expect(first.code, first.stderr).toBe(75);
    const command = printedCommand(first.stderr);
    expect(command).toBe(
      `cf consolidate --resume --input papers.json --session-id run3 --checkpoint-dir ${stateDir}`,
    );
    await expectCompleted(
      await runInShell(command, cwd, await freshSimFlags()),
      cwd,
      path.join(stateDir, "run3"),
    );
  });

  it("after failed lookups ('Not complete'), with --sources openalex kept", async () => {
    const cwd = await testdir();
    await writeInput(cwd, 12);
    const failing = await simulatorFor({ faults: { rate: 1, kinds: ["503"], seed: 3 } });
    const first = await runCli(
      [
        "consolidate",
        "--input",
        "papers.json",
        "--sources",
        "openalex",
        "--checkpoint-dir",
        "st",
        "--session-id",
        "run4",
        ...simFlags(failing),
      ],
      { cwd },
    );
    expect(first.code, first.stderr).toBe(1);
    expect(first.stdout).toMatch(
      /Most frequent failure causes:\n {2}openalex, 12 failed:\n {4}\d+ × OpenAlex /,
    );
    const command = printedCommand(first.stderr);
    expect(command).toBe(
      "cf consolidate --resume --input papers.json --session-id run4 --sources openalex --checkpoint-dir st",
    );
    const resumed = await runInShell(command, cwd, await freshSimFlags());
    await expectCompleted(resumed, cwd, path.join(cwd, "st", "run4"));
    expect(resumed.stdout).not.toContain("Semantic Scholar");
  });

  it("with control, bidi and quote characters in the paths: printed escaped, still works in /bin/sh (dash)", async () => {
    const cwd = await testdir();
    // ESC (a colour sequence), a newline, a right-to-left override, a quote, a % and a backslash.
    const folder = "in\u001b[31mred\nline \u202e'q'%s\\b";
    await mkdir(path.join(cwd, folder));
    await writeInput(path.join(cwd, folder), PAPERS);
    const { exit, stderr } = await interruptedRun(
      [
        "consolidate",
        "--input",
        `${folder}/papers.json`,
        "--checkpoint-dir",
        "st\tate",
        "--session-id",
        "run5",
      ],
      cwd,
    );
    expect(exit.code, stderr).toBe(130);
    // Nothing raw reaches the terminal: the printed command is plain printable ASCII.
    const raw = [...stderr].filter((c) => c === "\u202e" || (c < " " && c !== "\n") || c === "\u007f");
    expect(raw).toEqual([]);
    const command = printedCommand(stderr);
    expect(command).toMatch(/^[\x20-\x7e]+$/);
    await expectCompleted(
      await runInShell(command, cwd, await freshSimFlags()),
      cwd,
      path.join(cwd, "st\tate", "run5"),
    );
  });
});
