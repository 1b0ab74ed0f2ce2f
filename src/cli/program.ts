import { Command } from "commander";
import { SOURCE_NAMES } from "../sources/registry.js";
import { VERSION } from "../version.js";
import type { CliDeps } from "./deps.js";
import { SOURCE_FLAGS, type SourceFlag, sourceLabels } from "./source-flags.js";

/** What commander parsed that matters outside the command: `-v` decides how errors are shown. */
export interface ParsedGlobals {
  verbose: number;
}

/**
 * Build the `cf` command tree. Construction has no side effects; actions load their modules
 * lazily so `cf --help` stays fast. `parsed` receives the `-v` count of the command that runs.
 */
export function createProgram(deps: CliDeps, parsed: ParsedGlobals = { verbose: 0 }): Command {
  const program = new Command("cf")
    .description(`Enrich collections of ML papers from ${sourceLabels()}, resumably.`)
    .version(VERSION, "-V, --version", "print the cf version")
    .helpOption("-h, --help", "show help")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => deps.stdout(text),
      writeErr: (text) => deps.stderr(text),
      outputError: (text, write) => write(text),
    })
    .addHelpText(
      "after",
      `
Sessions are kept in .cf_state/consolidate (or --checkpoint-dir / CF_CHECKPOINT_DIR),
the response cache they share in .cf_state/cache.sqlite (or --cache / CF_CACHE).

Examples:
  cf consolidate --input papers.json        enrich, with checkpoints
  cf consolidate --input papers.json --resume
  cf consolidate-sessions list              resumable sessions
  cf consolidate-sessions list --all --json every session, for scripts
  cf consolidate-sessions show <session-id> one session: sources, failure causes
  cf consolidate-sessions clean --completed --dry-run
  cf cache stats                            the response cache: answers per source

Exit codes: 0 ok, 1 failure, 2 usage or bad input, 75 try later (session locked),
130/143 interrupted.`,
    );

  program.hook("preAction", (_program, command) => {
    const { verbose } = command.opts();
    if (typeof verbose === "number") parsed.verbose = verbose;
  });

  const consolidate = program
    .command("consolidate")
    .description(`enrich every paper of an input file from ${sourceLabels()}, resumably`)
    .option(
      "-i, --input <file>",
      "papers to enrich: `cf collect` output or a JSON list (with --resume --session-id, default: the file the session names)",
    )
    .option(
      "-o, --output <file>",
      "where to write the result (default data/consolidated_papers/papers_<time>.json)",
    )
    .option("--resume", "continue the newest interrupted or failed session for this input")
    .option("--session-id <id>", "resume this session (or name a new one)")
    .option("--sources <list>", "comma-separated sources", SOURCE_NAMES.join(","))
    .option("--checkpoint-dir <dir>", "directory holding the sessions (env CF_CHECKPOINT_DIR)")
    .option("--checkpoint-interval <minutes>", "minutes between snapshots; 0 = only at the end", "5")
    .option("-y, --yes", "answer yes to questions (start a new session, accept a changed input)")
    .option("--no-progress", "no live progress: a plain log line every 10 s")
    .option("--dry-run", "validate the input and show the plan; fetch and write nothing")
    .option(
      "--cache <file>",
      "response cache shared by all sessions (env CF_CACHE; default .cf_state/cache.sqlite)",
    )
    .option("--no-cache", "use no response cache: no cache file is read or written (env CF_NO_CACHE=1)")
    .option("--max-age <duration>", "reuse cached answers fetched within this long (12h, 7d, 30d)", "30d")
    .option("--refresh", "use no cached answer: fetch every paper again and store the new answers")
    .option("-v, --verbose", "more logs on stderr (-v info, -vv debug)", (_v: string, n: number) => n + 1, 0);
  // Each source's flags (registry): base URLs and rates, then keys and the sources' own options.
  const addSourceFlags = (flags: readonly SourceFlag[]) => {
    for (const flag of flags) consolidate.option(flag.flags, flag.description);
  };
  addSourceFlags(SOURCE_FLAGS.connection);
  consolidate.option(
    "--http-timeout <seconds>",
    "seconds before a request with no answer is retried (default 30)",
  );
  addSourceFlags(SOURCE_FLAGS.credentials);
  consolidate
    .addHelpText(
      "after",
      `
Every completed batch is journaled at once and a snapshot is written every
--checkpoint-interval minutes, so an interrupted run (Ctrl-C, crash, exhausted
budget) loses at most the requests in flight. Run the same command with --resume
to continue: done papers are not requested again and no record is duplicated.

Input: the \`cf collect\` envelope, a plain list of papers, or the legacy flat files of
the earlier collectors (numeric citations and abstract strings are kept as original
records). Scraped titles are cleaned for searching (HTML entities, LaTeX, track labels
such as "(Extended Abstract)"); the output keeps every title as given.

Cache: every answer (found or not found) is kept in a response cache shared by all
sessions (.cf_state/cache.sqlite, --cache / CF_CACHE); a later run, in any session, answers
those papers without a request while they are fresh (--max-age, default 30d; not-found
answers at most 7 days). --refresh fetches again; --no-cache uses none. See \`cf cache\`.

Network: HTTPS_PROXY, HTTP_PROXY and NO_PROXY are honoured (-v shows the proxy). An API
that gives no answer for 30 s (DNS, refused, TLS, proxy, timeouts) stops that source
with its host and cause named; its papers stay pending and the session resumable.

Cost: OpenAlex bills every search ($0.001; a free key has $1/day), not lookups by id.
Its title-only papers wait for Semantic Scholar and are looked up by the DOI or arXiv
id it finds (checked against the title); only the rest are searched. The progress,
summary and \`consolidate-sessions show\` give the spend; --dry-run estimates it;
--openalex-max-cost caps a run (exit 75, resumable).

Python tool's sessions: --resume continues one too (found by its input file, or named
with --session-id) in a new cf session, keeping every record it fetched and looking
up only papers without a record from a source; its files are left unchanged. With
--resume --session-id, --input defaults to the file the session names; if that file
is gone, the session's own papers are the input. --dry-run --resume shows what would
be taken over and the lookups left.

Examples:
  cf consolidate --input papers.json --dry-run
  cf consolidate --input papers.json --ss-api-key "$KEY" -o enriched.json
  cf consolidate --input papers.json --resume
  cf consolidate --resume --session-id consolidate_20250719_201418_d9bb5987
  cf consolidate --input papers.json --sources openalex --openalex-rps 5
  cf consolidate --input papers.json --openalex-api-key "$OA_KEY" --openalex-max-cost 0.50

Exit codes: 0 done, 1 failed (resumable), 2 bad input or flags, 75 budget exhausted,
API unreachable or session busy (resumable later), 130/143 interrupted (resumable).`,
    )
    .action(async (options: Record<string, unknown>) => {
      const { consolidateCommand } = await import("./commands/consolidate.js");
      await consolidateCommand(options, deps);
    });

  const sessions = program
    .command("consolidate-sessions")
    .description("list, show and clean consolidation sessions (checkpoints)")
    .addHelpText(
      "after",
      `
A session is one consolidation run's checkpoint directory. Its status is one of:
  running      locked by a live cf process
  interrupted  stopped before the end (Ctrl-C, crash, API budget): resumable
  failed       a source failed (e.g. a bad API key): resumable once fixed
  completed    finished and written to its output
  pending      created but never checkpointed
  corrupt      a session file fails validation`,
    );

  sessions
    .command("list")
    .description("show sessions (by default only resumable ones)")
    .option("-a, --all", "include completed, pending, running and corrupt sessions")
    .option("--json", "print a JSON array instead of a table")
    .option("--checkpoint-dir <dir>", "directory holding the sessions (env CF_CHECKPOINT_DIR)")
    .addHelpText(
      "after",
      `
Reads only each session's small files, never its papers, so it is fast for any size.

Examples:
  cf consolidate-sessions list
  cf consolidate-sessions list --all --json | jq '.[] | select(.status == "failed")'`,
    )
    .action(async (options: Record<string, unknown>) => {
      const { listSessionsCommand } = await import("./commands/sessions-list.js");
      await listSessionsCommand(options, deps);
    });

  sessions
    .command("show")
    .description("show one session in detail: status, files, input, options, sources, failures")
    .argument("<session-id>", "the session (as `list` shows it)")
    .option("--json", "print one JSON object instead of text")
    .option("--checkpoint-dir <dir>", "directory holding the sessions (env CF_CHECKPOINT_DIR)")
    .addHelpText(
      "after",
      `
Shows the session's status (as list computes it: running when locked, corrupt
with the reason), its directory and files with their sizes, the input file
(path, sha256, papers), the options recorded when it ran, per source its status,
counts (done, matched, not found, failed, API calls, answered by the cache),
last error and budget reset time, the most frequent failure causes, the first
failed papers with their titles, and the exact command that resumes it. Counts
are those of the last checkpoint. Only the small session files are read; the papers snapshot is
streamed only to title the first failed papers, and only when there are some.

Examples:
  cf consolidate-sessions show consolidate_20260125_101500_1a2b3c4d
  cf consolidate-sessions show consolidate_20260125_101500_1a2b3c4d --json | jq .sources
  cf consolidate-sessions show my-run --checkpoint-dir /data/cf-state

Exit codes: 0 shown (also a corrupt session), 2 no such session or bad id.`,
    )
    .action(async (id: string, options: Record<string, unknown>) => {
      const { showSessionCommand } = await import("./commands/sessions-show.js");
      await showSessionCommand(id, options, deps);
    });

  sessions
    .command("clean")
    .description("remove session directories (never a running one)")
    .option("--completed", "select completed sessions")
    .option("--failed", "select failed sessions")
    .option("--interrupted", "select interrupted sessions")
    .option("--pending", "select sessions that never checkpointed")
    .option("--corrupt", "select sessions whose files fail validation")
    .option("--all", "select every session that is not running")
    .option(
      "--older-than <duration>",
      "only sessions idle for longer than this (30m, 12h, 7d); alone, any status",
    )
    .option("--dry-run", "show what would be removed and stop")
    .option("-y, --yes", "do not ask for confirmation (required without a terminal)")
    .option("--checkpoint-dir <dir>", "directory holding the sessions (env CF_CHECKPOINT_DIR)")
    .addHelpText(
      "after",
      `
Shows each selected session (id, status, input, size) and the total, then asks (default No).
Leftover temp files of interrupted writes in the remaining sessions are removed too.

Examples:
  cf consolidate-sessions clean --completed --dry-run
  cf consolidate-sessions clean --completed --failed --older-than 7d --yes`,
    )
    .action(async (options: Record<string, unknown>) => {
      const { cleanSessionsCommand } = await import("./commands/sessions-clean.js");
      await cleanSessionsCommand(options, deps);
    });

  const cache = program
    .command("cache")
    .description("inspect and clear the response cache shared by all sessions")
    .addHelpText(
      "after",
      `
The response cache holds, per source, the API's answer for each lookup key (a DOI,
an arXiv id, or a cleaned title and year): found (with the API's record) or not
found, and the time it was fetched. Every consolidation run reads and adds to it,
so papers already looked up are not requested again. It is one SQLite file,
.cf_state/cache.sqlite by default (--cache <file> or env CF_CACHE to use another).`,
    );

  cache
    .command("stats")
    .description("show cached answers per source, their age, and the file size")
    .option("--json", "print one JSON object instead of a table")
    .option("--cache <file>", "the cache file (env CF_CACHE; default .cf_state/cache.sqlite)")
    .addHelpText(
      "after",
      `
Shows the file's path, size and schema version, and per source how many answers
are cached as found and as not found, with the oldest and newest fetch time.
A missing cache file is said and not created. A file that is not a usable cache
is moved aside (<file>.broken-<time>) with a warning, and an empty cache is shown.

Examples:
  cf cache stats
  cf cache stats --json | jq '.sources.openalex.found.entries'
  CF_CACHE=/data/cf-cache.sqlite cf cache stats

Exit codes: 0 shown (also when there is no cache file), 1 the cache cannot be read,
2 bad flags.`,
    )
    .action(async (options: Record<string, unknown>) => {
      const { cacheStatsCommand } = await import("./commands/cache.js");
      await cacheStatsCommand(options, deps);
    });

  cache
    .command("clear")
    .description("remove cached answers: all, older than a duration, or of one source")
    .option("--older-than <duration>", "only answers fetched longer ago than this (30m, 12h, 7d, 4w)")
    .option("--source <name>", `only answers of this source (${SOURCE_NAMES.join(", ")})`)
    .option("--dry-run", "show what would be removed and stop")
    .option("-y, --yes", "do not ask for confirmation (required without a terminal)")
    .option("--cache <file>", "the cache file (env CF_CACHE; default .cf_state/cache.sqlite)")
    .addHelpText(
      "after",
      `
Shows how many answers will be removed per source (found, not found), then asks
(default No). Afterwards the file is compacted (VACUUM) when it was emptied or
much was removed, unless another cf run is writing to it; the sizes before and
after are shown. Removed answers are fetched again by the next run that needs them.
A missing cache file is said and not created.

Examples:
  cf cache clear --dry-run
  cf cache clear --older-than 30d --yes
  cf cache clear --source semantic_scholar --yes

Exit codes: 0 done (also nothing to remove or answered No), 1 the cache cannot be
read or changed, 2 bad flags or no confirmation without a terminal.`,
    )
    .action(async (options: Record<string, unknown>) => {
      const { cacheClearCommand } = await import("./commands/cache.js");
      await cacheClearCommand(options, deps);
    });

  for (const command of [program, ...program.commands, ...sessions.commands, ...cache.commands]) {
    command.showHelpAfterError(`(run \`${commandPath(command)} --help\` for usage)`);
  }
  return program;
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}
