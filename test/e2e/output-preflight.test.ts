import { existsSync } from "node:fs";
import { chmod, mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { simFlags, simulatorFor, writeInput } from "../helpers/e2e.js";
import { type CliRun, runCli } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";
import { unprivilegedUser } from "../helpers/unprivileged.js";

/**
 * An output or checkpoint directory that cannot work is refused before the first request and
 * before any session is created (exit 2, one message naming the path, the problem and the fix).
 */

const PAPERS = 8;
/** `cf` run by a user whom a chmod 555 directory stops (nobody, when the tests run as root). */
async function unprivileged(dir: string, sim: Awaited<ReturnType<typeof simulatorFor>>) {
  const user = await unprivilegedUser(dir);
  return (args: string[]) => runCli(["consolidate", ...args, ...simFlags(sim)], { cwd: dir, ...user });
}

/** A refusal: exit 2, the path named on the first line, no stack, no "intact" (no session exists). */
function expectRefused(run: CliRun, names: string, message: RegExp): void {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stdout).toBe("");
  const first = run.stderr.split("\n")[0]!;
  expect(first).toMatch(/^cf: /);
  expect(first).toContain(names);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toMatch(/intact|unexpected error|\n\s+at /);
}

async function setup() {
  const dir = await testdir();
  const input = await writeInput(dir, PAPERS);
  const sim = await simulatorFor();
  const bytes = await readFile(input, "utf8");
  const cf = (args: string[]) => runCli(["consolidate", ...args, ...simFlags(sim)], { cwd: dir });
  /** Nothing fetched, no session created, the input as it was. */
  const untouched = async () => {
    expect(sim.requestLog.length, "requests were made").toBe(0);
    expect(existsSync(path.join(dir, ".cf_state")), "a checkpoint directory was created").toBe(false);
    expect(await readFile(input, "utf8")).toBe(bytes);
  };
  return { dir, input, sim, cf, untouched };
}

describe("--output equal to --input", () => {
  it.each([
    ["the same name", "papers.json", "papers.json"],
    ["./ in front", "papers.json", "./papers.json"],
    ["a subdirectory walked out of", "papers.json", "sub/../papers.json"],
  ])("is refused (%s)", async (_name, input, output) => {
    const { cf, untouched, dir } = await setup();
    await mkdir(path.join(dir, "sub"));
    const run = await cf(["--input", input, "--output", output]);
    expectRefused(run, "--output", /is the input file papers\.json.*: the result would replace the input/);
    expect(run.stderr).toContain("hint: Choose another --output; nothing was fetched or written.");
    await untouched();
  });

  it("is refused through an absolute path and through a symlink to the input", async () => {
    const { cf, untouched, dir, input } = await setup();
    await symlink("papers.json", path.join(dir, "link.json"));
    const absolute = await cf(["--input", "papers.json", "--output", input]);
    expectRefused(absolute, "--output", /is the input file papers\.json/);
    const viaLink = await cf(["--input", "link.json", "--output", "papers.json"]);
    expectRefused(viaLink, "--output papers.json", /is the input file link\.json \(both are papers\.json\)/);
    const toLink = await cf(["--input", "papers.json", "--output", "link.json"]);
    expectRefused(toLink, "--output link.json", /is the input file papers\.json/);
    await untouched();
  });

  it("also in a dry run", async () => {
    const { cf, untouched } = await setup();
    const run = await cf(["--input", "papers.json", "--output", "./papers.json", "--dry-run"]);
    expectRefused(run, "--output", /is the input file papers\.json/);
    await untouched();
  });
});

describe("--output inside the checkpoint directory", () => {
  it("is refused for the default directory, --checkpoint-dir and CF_CHECKPOINT_DIR", async () => {
    const { cf, untouched, dir, sim } = await setup();
    const inDefault = await cf([
      "--input",
      "papers.json",
      "-o",
      ".cf_state/consolidate/s1/papers_enriched.json",
    ]);
    expectRefused(
      inDefault,
      "--output .cf_state/consolidate/s1/papers_enriched.json",
      /is inside the checkpoint directory \.cf_state\/consolidate: the session's files would overwrite or remove it\nhint: Choose another --output, outside \.cf_state\/consolidate/,
    );
    const theDirItself = await cf(["--input", "papers.json", "-o", ".cf_state/consolidate"]);
    expectRefused(theDirItself, "--output", /is inside the checkpoint directory/);
    await untouched();

    const flagged = await cf(["--input", "papers.json", "--checkpoint-dir", "st", "-o", "st/x/out.json"]);
    expectRefused(flagged, "--output st/x/out.json", /inside the checkpoint directory st:/);
    const viaEnv = await runCli(
      ["consolidate", "--input", "papers.json", "-o", "env-st/out.json", ...simFlags(sim)],
      {
        cwd: dir,
        env: { CF_CHECKPOINT_DIR: "env-st" },
      },
    );
    expectRefused(viaEnv, "--output env-st/out.json", /inside the checkpoint directory env-st:/);
    expect((await readdir(dir)).sort()).toEqual(["papers.json"]);
  });

  it("is refused when a symlink leads into it", async () => {
    const { cf, untouched, dir } = await setup();
    await mkdir(path.join(dir, "st"));
    await symlink("st", path.join(dir, "alias"));
    const run = await cf(["--input", "papers.json", "--checkpoint-dir", "st", "-o", "alias/out.json"]);
    expectRefused(run, "--output alias/out.json", /inside the checkpoint directory st:/);
    await untouched();
  });
});

describe("an output that cannot be written is found before the first request", () => {
  it("a regular file where the output's directory should be (ENOTDIR)", async () => {
    const { cf, untouched, dir } = await setup();
    await writeFile(path.join(dir, "blocker"), "x");
    const run = await cf(["--input", "papers.json", "-o", "blocker/out.json"]);
    expectRefused(
      run,
      "--output blocker/out.json",
      /cannot be written: a file is in the way \(EEXIST\) at blocker\nhint: Choose another --output, or fix blocker/,
    );
    await untouched();
    const deeper = await cf(["--input", "papers.json", "-o", "blocker/sub/out.json"]);
    expectRefused(deeper, "--output blocker/sub/out.json", /not a directory \(ENOTDIR\) at blocker/);
    await untouched();
  });

  it("an output path that is an existing directory (EISDIR)", async () => {
    const { cf, untouched, dir } = await setup();
    await mkdir(path.join(dir, "results"));
    const run = await cf(["--input", "papers.json", "-o", "results"]);
    expectRefused(
      run,
      "--output results",
      /--output results is a directory \(EISDIR\): the output must be a file\nhint: Choose another --output, such as results\/papers\.json/,
    );
    await untouched();
  });

  it.skipIf(!existsSync("/sys/kernel"))("a directory that cannot be created (EPERM under /sys)", async () => {
    const { cf, untouched } = await setup();
    const run = await cf(["--input", "papers.json", "-o", "/sys/cf-output-test/out.json"]);
    expectRefused(
      run,
      "--output /sys/cf-output-test/out.json",
      /cannot be written: .*\((EPERM|EACCES|EROFS)\)/,
    );
    await untouched();
  });

  it("a read-only directory (chmod 555)", async () => {
    const { untouched, dir, sim } = await setup();
    await mkdir(path.join(dir, "ro"));
    const cf = await unprivileged(dir, sim);
    await chmod(path.join(dir, "ro"), 0o555);
    const run = await cf(["--input", "papers.json", "-o", "ro/out.json"]);
    await chmod(path.join(dir, "ro"), 0o755);
    expectRefused(run, "--output ro/out.json", /cannot be written: permission denied \(EACCES\) at ro/);
    await untouched();
  });

  it("a dry run reports it too, and creates nothing", async () => {
    const { cf, untouched, dir } = await setup();
    await writeFile(path.join(dir, "blocker"), "x");
    const blocked = await cf(["--input", "papers.json", "-o", "blocker/deep/out.json", "--dry-run"]);
    expectRefused(blocked, "--output blocker/deep/out.json", /not a directory \(ENOTDIR\) at blocker/);
    await mkdir(path.join(dir, "results"));
    const isDir = await cf(["--input", "papers.json", "-o", "results", "--dry-run"]);
    expectRefused(isDir, "--output results", /is a directory \(EISDIR\)/);
    const fine = await cf(["--input", "papers.json", "-o", "new/deep/out.json", "--dry-run"]);
    expect(fine.code, fine.stderr).toBe(0);
    expect(fine.stdout).toContain("DRY RUN");
    expect((await readdir(dir)).sort()).toEqual(["blocker", "papers.json", "results"]);
    expect(await readdir(path.join(dir, "results"))).toEqual([]);
    await untouched();
  });

  it("a writable output: the probe leaves no temp file, the run completes", async () => {
    const { cf, dir } = await setup();
    const run = await cf(["--input", "papers.json", "-o", "new/deep/out.json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(await readdir(path.join(dir, "new", "deep"))).toEqual(["out.json"]);
  });
});

describe("--session-id of an existing session without --resume", () => {
  it("exits 2 and prints the exact command to resume it, which works", async () => {
    const { dir, input, sim } = await setup();
    const flags = ["--input", "papers.json", "-o", "out.json", "--session-id", "mine"];
    const first = await runCli(["consolidate", ...flags, "--sources", "openalex", ...simFlags(sim)], {
      cwd: dir,
    });
    expect(first.code, first.stderr).toBe(0);
    const requests = sim.requestLog.length;
    const bytes = await readFile(path.join(dir, "out.json"), "utf8");
    const again = await runCli(["consolidate", ...flags, ...simFlags(sim)], { cwd: dir });
    expectRefused(
      again,
      "session mine already exists in .cf_state/consolidate (completed): add --resume to continue it",
      /\nhint: To continue it, run:\n {2}cf consolidate --resume --input papers\.json --session-id mine --sources openalex\nTo start a new session instead, choose another --session-id\.\n$/,
    );
    expect(sim.requestLog.length).toBe(requests);
    expect(await readFile(path.join(dir, "out.json"), "utf8")).toBe(bytes);
    expect(await readFile(input, "utf8")).toContain("papers");
    const printed = /\n {2}(cf consolidate [^\n]*)\n/.exec(again.stderr)![1]!;
    const resumed = await runCli([...printed.split(" ").slice(1), "-o", "out.json", ...simFlags(sim)], {
      cwd: dir,
    });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/Resuming mine:/);
  });
});

describe("a checkpoint directory that cannot be created", () => {
  it("a regular file in its place (EEXIST), or in its path (ENOTDIR): exit 2, no resume hint", async () => {
    const { cf, untouched, dir } = await setup();
    await writeFile(path.join(dir, "cp"), "x");
    const inPlace = await cf(["--input", "papers.json", "-o", "out.json", "--checkpoint-dir", "cp"]);
    expectRefused(
      inPlace,
      "cannot create the checkpoint directory cp: a file is in the way (EEXIST)",
      /hint: Choose another --checkpoint-dir or fix the permissions of cp \(or what is in its place\); no session was created\./,
    );
    const below = await cf(["--input", "papers.json", "-o", "out.json", "--checkpoint-dir", "cp/sub"]);
    expectRefused(
      below,
      "cannot create the checkpoint directory cp/sub: not a directory (ENOTDIR) at cp",
      /no session was created/,
    );
    await untouched();
  });

  it.skipIf(!existsSync("/sys/kernel"))(
    "a parent where nothing can be created (EPERM under /sys)",
    async () => {
      const { cf, untouched } = await setup();
      const run = await cf([
        "--input",
        "papers.json",
        "-o",
        "out.json",
        "--checkpoint-dir",
        "/sys/cf-cp-test/st",
      ]);
      expectRefused(
        run,
        "cannot create the checkpoint directory /sys/cf-cp-test/st:",
        /\((EPERM|EACCES|EROFS)\).*\nhint: Choose another --checkpoint-dir or fix the permissions/,
      );
      await untouched();
    },
  );

  it("a read-only parent (chmod 555)", async () => {
    const { untouched, dir, sim } = await setup();
    await mkdir(path.join(dir, "ro"));
    const cf = await unprivileged(dir, sim);
    await chmod(path.join(dir, "ro"), 0o555);
    const run = await cf(["--input", "papers.json", "-o", "out.json", "--checkpoint-dir", "ro/st"]);
    await chmod(path.join(dir, "ro"), 0o755);
    expectRefused(
      run,
      "cannot create the checkpoint directory ro/st: permission denied (EACCES) at ro",
      /no session/,
    );
    await untouched();
  });
});
