import { type BadCase, CONSOLIDATE, OFFLINE, VALID } from "./bad-input-cases.js";

/** Bad values of every `cf consolidate` and `cf consolidate-sessions` flag, each with its message. */

function flag(name: string, values: string[], message: (value: string) => RegExp): BadCase[] {
  return values.map((value) => ({
    name: `${name} ${JSON.stringify(value)}`,
    files: { "in.json": VALID },
    args: [...CONSOLIDATE, name, value],
    names: name,
    message: message(value),
    group: name,
  }));
}

const sessions = (args: string[], names: string, message: RegExp): BadCase => ({
  name: `consolidate-sessions ${args.join(" ")}`,
  files: { "in.json": VALID },
  args: ["consolidate-sessions", ...args],
  names,
  message,
});

const longId = "x".repeat(129);

export const FLAG_CASES: BadCase[] = [
  ...flag(
    "--openalex-rps",
    ["0", "-1", "abc", "", "Infinity"],
    () => /--openalex-rps must be (a number|greater than 0)/,
  ),
  ...flag("--s2-rps", ["0", "fast", ""], () => /--s2-rps must be (a number|greater than 0)/),
  ...flag(
    "--checkpoint-interval",
    ["soon", "-1", "", "Infinity"],
    () => /--checkpoint-interval must be (a number of minutes|0 \(only at the end\) or more)/,
  ),
  ...flag(
    "--http-timeout",
    ["0", "-5", "abc", "", "100000"],
    () => /--http-timeout must be (a number|greater than 0|at most 3600 seconds)/,
  ),
  ...flag(
    "--sources",
    ["crossref", "openalex,crossref", "OpenAlex"],
    (v) => new RegExp(`unknown source "${v.split(",").at(-1)}"`),
  ),
  ...flag("--sources", ["", ","], () => /--sources: name at least one source/),
  ...flag(
    "--openalex-url",
    ["ftp://example.org", "not a url", "", "http://"],
    () => /--openalex-url: must be an http\(s\) URL/,
  ),
  ...flag("--s2-url", ["file:///etc/passwd", "x"], () => /--s2-url: must be an http\(s\) URL/),
  // Paths are appended to the base URL: a query or fragment would swallow them (every lookup 404s).
  ...flag(
    "--openalex-url",
    [
      "http://127.0.0.1:9/?api_key=QKEY-1234",
      "http://127.0.0.1:9?",
      "https://api.openalex.org/?mailto=a@b.org",
    ],
    () => /--openalex-url: must not contain a query string \(\?…\): request paths are appended/,
  ),
  ...flag(
    "--openalex-url",
    ["http://127.0.0.1:9/#top", "http://127.0.0.1:9#"],
    () => /--openalex-url: must not contain a fragment \(#…\)/,
  ),
  ...flag(
    "--s2-url",
    ["http://127.0.0.1:9/graph/v1?key=QKEY-5678", "http://u:p@127.0.0.1:9/graph/v1#x"],
    () => /--s2-url: must not contain a (query string|fragment)/,
  ),
  ...flag("--session-id", ["../evil", "a b", "", "..", longId], () => /--session-id: invalid session id/),
  ...flag("--output", [""], () => /--output: /),
  ...flag("--checkpoint-dir", [""], () => /--checkpoint-dir: /),
  {
    name: "--input with an empty value",
    files: { "in.json": VALID },
    args: ["consolidate", "--input", "", ...OFFLINE],
    names: "--input",
    message: /--input: /,
  },
  {
    name: "no --input",
    files: {},
    args: ["consolidate", ...OFFLINE],
    names: "--input",
    message: /required option '-i, --input <file>' not specified/,
  },
  {
    name: "--input without a value",
    files: {},
    args: ["consolidate", "--input"],
    names: "--input",
    message: /option '-i, --input <file>' argument missing/,
  },
  {
    name: "an unknown option",
    files: { "in.json": VALID },
    args: [...CONSOLIDATE, "--bogus"],
    names: "--bogus",
    message: /unknown option '--bogus'/,
  },
  {
    name: "a value for a switch",
    files: { "in.json": VALID },
    args: [...CONSOLIDATE, "--resume=yes"],
    names: "--resume",
    message: /unknown option '--resume=yes'/,
  },
  {
    name: "an extra argument",
    files: { "in.json": VALID },
    args: [...CONSOLIDATE, "extra"],
    names: "consolidate",
    message: /too many arguments for 'consolidate'/,
  },
  {
    name: "an unknown command",
    files: {},
    args: ["consolidat"],
    names: "consolidat",
    message: /unknown command 'consolidat'/,
  },
  sessions(["frob"], "frob", /unknown command 'frob'/),
  sessions(["list", "--bogus"], "--bogus", /unknown option '--bogus'/),
  sessions(["list", "--checkpoint-dir", ""], "--checkpoint-dir", /--checkpoint-dir: /),
  sessions(["list", "extra"], "list", /too many arguments for 'list'/),
  sessions(["clean"], "nothing selected", /nothing selected to clean/),
  ...["soon", "5", "-1d", "", "7 days"].map((v) => ({
    ...sessions(["clean", "--older-than", v], "--older-than", /is not a duration/),
    group: "--older-than",
  })),
  sessions(["clean", "--all", "--bogus"], "--bogus", /unknown option '--bogus'/),
];

/** An output or checkpoint directory that cannot work: refused before any request or session. */
const pathCase = (
  name: string,
  files: Record<string, string>,
  extra: string[],
  names: string,
  message: RegExp,
) => ({
  name,
  files: { "in.json": VALID, ...files },
  args: [...CONSOLIDATE, ...extra],
  names,
  message,
});

FLAG_CASES.push(
  pathCase(
    "--output equal to --input",
    {},
    ["--output", "./in.json"],
    "--output in.json is the input file in.json",
    /: the result would replace the input\nhint: Choose another --output/,
  ),
  pathCase(
    "--output inside the checkpoint directory",
    {},
    ["--output", ".cf_state/consolidate/s1/papers_enriched.json"],
    "--output .cf_state/consolidate/s1/papers_enriched.json",
    /is inside the checkpoint directory \.cf_state\/consolidate: .*\nhint: Choose another --output/,
  ),
  pathCase(
    "--output naming a directory",
    { "out/x": "" },
    ["--output", "out"],
    "--output out",
    /is a directory \(EISDIR\)/,
  ),
  pathCase(
    "--output below a regular file",
    { blocker: "x" },
    ["--output", "blocker/out.json"],
    "--output blocker/out.json",
    /cannot be written: a file is in the way \(EEXIST\) at blocker\nhint: Choose another --output/,
  ),
  pathCase(
    "--output below a regular file, in a dry run",
    { blocker: "x" },
    ["--output", "blocker/deep/out.json", "--dry-run"],
    "--output blocker/deep/out.json",
    /not a directory \(ENOTDIR\) at blocker/,
  ),
  pathCase(
    "--checkpoint-dir naming a regular file",
    { cp: "x" },
    ["--output", "o.json", "--checkpoint-dir", "cp"],
    "cannot create the checkpoint directory cp",
    /a file is in the way \(EEXIST\)\nhint: Choose another --checkpoint-dir or fix the permissions of cp .*no session was created/,
  ),
  pathCase(
    "--checkpoint-dir below a regular file",
    { cp: "x" },
    ["--output", "o.json", "--checkpoint-dir", "cp/sub"],
    "cannot create the checkpoint directory cp/sub",
    /not a directory \(ENOTDIR\) at cp\nhint: Choose another --checkpoint-dir/,
  ),
  pathCase(
    "--session-id of an existing (corrupt) session without --resume",
    { ".cf_state/consolidate/s1/session.json": "{" },
    ["--output", "o.json", "--session-id", "s1"],
    "session s1 already exists in .cf_state/consolidate",
    /and is corrupt: .*\nhint: Choose another --session-id/,
  ),
);
