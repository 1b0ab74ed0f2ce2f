import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/run-cli.js";

describe("cf (built binary)", () => {
  it("prints help and exits 0", async () => {
    const run = await runCli(["--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("consolidate-sessions");
    expect(run.stdout).toContain("Exit codes:");
  });

  it("prints its version", async () => {
    const run = await runCli(["--version"]);
    expect(run).toMatchObject({ code: 0, stdout: "0.1.0\n" });
  });

  it("explains each subcommand with --help", async () => {
    const parent = await runCli(["consolidate-sessions", "--help"]);
    expect(parent.code).toBe(0);
    expect(parent.stdout).toMatch(/list .*\n.*clean /s);
    expect(parent.stdout).toContain("interrupted  stopped before the end");
    for (const sub of ["list", "clean"]) {
      const run = await runCli(["consolidate-sessions", sub, "--help"]);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("--checkpoint-dir <dir>");
      expect(run.stdout).toContain("Examples:");
    }
  });

  it("rejects an unknown command with one line and the help hint, exit 2", async () => {
    const run = await runCli(["consolidat"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: unknown command 'consolidat'/);
    expect(run.stderr).toContain("(run `cf --help` for usage)");
  });

  it("rejects an unknown option with the subcommand's help hint, exit 2", async () => {
    const run = await runCli(["consolidate-sessions", "list", "--bogus"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown option '--bogus'");
    expect(run.stderr).toContain("(run `cf consolidate-sessions list --help` for usage)");
  });

  it("with no command shows the help on stderr and exits 2", async () => {
    const run = await runCli([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Usage: cf");
  });
});
