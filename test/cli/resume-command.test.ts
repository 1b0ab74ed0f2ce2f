import path from "node:path";
import { describe, expect, it } from "vitest";
import { resumeCommand, shellQuote } from "../../src/cli/resume-command.js";

const cwd = "/home/me/project";
const base = {
  inputFile: path.join(cwd, "papers.json"),
  sessionId: "consolidate_20260125_101500_1a2b3c4d",
  baseDir: path.join(cwd, ".cf_state", "consolidate"),
  cwd,
  env: {},
};
const plain = "cf consolidate --resume --input papers.json --session-id consolidate_20260125_101500_1a2b3c4d";

describe("resumeCommand", () => {
  it("names no checkpoint dir when the default one is in use", () => {
    expect(resumeCommand(base)).toBe(plain);
    // The env names the default dir too: pasted where it is unset, the default is the same dir.
    expect(resumeCommand({ ...base, env: { CF_CHECKPOINT_DIR: ".cf_state/consolidate" } })).toBe(plain);
  });

  it("names a checkpoint dir given by flag or env, relative to the cwd when inside it", () => {
    expect(resumeCommand({ ...base, baseDir: path.join(cwd, "st") })).toBe(`${plain} --checkpoint-dir st`);
    expect(resumeCommand({ ...base, baseDir: "/var/cf", env: { CF_CHECKPOINT_DIR: "/var/cf" } })).toBe(
      `${plain} --checkpoint-dir /var/cf`,
    );
  });

  it("names the default dir when the env points elsewhere (the flag overrode it)", () => {
    expect(resumeCommand({ ...base, env: { CF_CHECKPOINT_DIR: "/var/cf" } })).toBe(
      `${plain} --checkpoint-dir .cf_state/consolidate`,
    );
  });

  it("quotes paths for a POSIX shell, keeps absolute paths outside the cwd, guards a leading dash", () => {
    const command = resumeCommand({
      ...base,
      inputFile: "/data/it's here/papers.json",
      baseDir: path.join(cwd, "my state"),
    });
    expect(command).toBe(
      "cf consolidate --resume --input '/data/it'\\''s here/papers.json' --session-id consolidate_20260125_101500_1a2b3c4d --checkpoint-dir 'my state'",
    );
    expect(resumeCommand({ ...base, inputFile: path.join(cwd, "-odd.json") })).toContain(
      "--input ./-odd.json ",
    );
  });

  it("names the sources only when they are not the default set", () => {
    expect(resumeCommand({ ...base, sources: ["semantic_scholar", "openalex"] })).toBe(plain);
    expect(resumeCommand({ ...base, sources: ["openalex"] })).toBe(`${plain} --sources openalex`);
  });

  it("names the response cache only when this run used another one, or none", () => {
    const defaultCache = path.join(cwd, ".cf_state", "cache.sqlite");
    expect(resumeCommand({ ...base, cache: { file: defaultCache } })).toBe(plain);
    expect(resumeCommand({ ...base, cache: { file: path.join(cwd, "answers.sqlite") } })).toBe(
      `${plain} --cache answers.sqlite`,
    );
    expect(resumeCommand({ ...base, cache: { file: "/var/cf cache.sqlite" } })).toBe(
      `${plain} --cache '/var/cf cache.sqlite'`,
    );
    expect(resumeCommand({ ...base, cache: "off" })).toBe(`${plain} --no-cache`);
    // A refresh goes on refreshing; a max age other than the default is kept.
    expect(resumeCommand({ ...base, cache: { file: defaultCache, refresh: true, maxAge: "7d" } })).toBe(
      `${plain} --refresh`,
    );
    expect(resumeCommand({ ...base, cache: { file: defaultCache, maxAge: "7d" } })).toBe(
      `${plain} --max-age 7d`,
    );
    expect(resumeCommand({ ...base, cache: { file: defaultCache, maxAge: "30d" } })).toBe(plain);
  });

  it("shellQuote leaves safe words alone", () => {
    expect(shellQuote("a/b-c_d.json")).toBe("a/b-c_d.json");
    expect(shellQuote("a b")).toBe("'a b'");
    expect(shellQuote("$HOME")).toBe("'$HOME'");
  });

  it("shellQuote spells control and bidi characters as printf octal bytes, in printable ASCII", () => {
    expect(shellQuote("a\tb")).toBe(`"$(printf 'a\\011b')"`);
    expect(shellQuote("x\u202e%'\\")).toBe(`"$(printf 'x\\342\\200\\256%%'\\''\\\\')"`);
    expect(shellQuote("-\na")).toBe(`"$(printf '\\055\\012a')"`);
  });
});
