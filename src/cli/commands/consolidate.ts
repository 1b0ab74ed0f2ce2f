import { stat } from "node:fs/promises";
import path from "node:path";
import { consolidate } from "../../core/consolidate.js";
import type { SourceStop } from "../../core/engine.js";
import { defaultOutputPath, recordedOutputFile } from "../../core/output-file.js";
import { runOutcome, stopsInOrder } from "../../core/run-outcome.js";
import {
  ExitError,
  exitCodeForSignal,
  InputError,
  InputFileMissingError,
  InternalError,
  type StopSignal,
  StorageError,
} from "../../errors.js";
import { hashInputFile, type ScannedInput, scanInputFile } from "../../model/input-stream.js";
import { describeMigration } from "../../model/legacy-fields.js";
import { safeText } from "../../model/safe-text.js";
import type { HttpEvent } from "../../sources/http.js";
import { paperKey } from "../../storage/python-session.js";
import { resolveCheckpointDir } from "../../storage/session-id.js";
import { cacheSettingsFrom } from "../cache-location.js";
import {
  buildClients,
  type ConsolidateOptions,
  cacheScopes,
  keyGiven,
  recordedOptions,
  resolveConsolidateOptions,
  sourceConcurrency,
} from "../consolidate-options.js";
import type { CliDeps } from "../deps.js";
import { inputPathFor } from "../input-location.js";
import { networkSetup } from "../network-setup.js";
import {
  beforeSessionError,
  checkCheckpointDir,
  checkOutputPath,
  checkOutputWritable,
} from "../output-preflight.js";
import { adoptionLines } from "../render/adoption.js";
import { createLogProgress, createSpinnerProgress, type ProgressView } from "../render/progress.js";
import { displayPath } from "../render/sessions-table.js";
import { sourceLabel } from "../render/source-labels.js";
import { describeStop } from "../render/stops.js";
import { renderFailures, renderSummary } from "../render/summary.js";
import { resumeCommand } from "../resume-command.js";
import { pickSession } from "../session-picker.js";
import { dryRun } from "./consolidate-dry-run.js";

/** An input this large gets a line saying it is being read. */
const LARGE_INPUT_BYTES = 64 * 1024 * 1024;

/** `cf consolidate`: validate the input, choose the session, run it with progress, summarise. */
export async function consolidateCommand(raw: Record<string, unknown>, deps: CliDeps): Promise<void> {
  const options = resolveConsolidateOptions(raw, deps.env);
  // A bad proxy variable is a usage error before anything is read.
  const network = networkSetup(deps.env);
  try {
    await consolidateWith(options, deps, network);
  } finally {
    // Every connection goes, those still being made too: none may keep the process alive.
    await network.close();
  }
}

async function consolidateWith(
  options: ConsolidateOptions,
  deps: CliDeps,
  network: ReturnType<typeof networkSetup>,
): Promise<void> {
  const color = await deps.colors();
  const log = (level: number, line: string) => {
    // Log lines carry URLs and messages from servers: never raw control characters.
    if (options.verbose >= level) deps.stderr(`${color.dim(safeText(line))}\n`);
  };
  const baseDir = resolveCheckpointDir(options.checkpointDir, deps.env, deps.cwd);
  const inputFile = await inputPathFor(options, baseDir, deps.cwd);
  // A resume may go on without its input file: the session holds the papers (a Python session's
  // own, when it is adopted). Anything else needs the file (`missing` is thrown then).
  let missing: InputFileMissingError | undefined;
  // The input is read as a stream (issue 16): checked whole once, then its papers read again
  // whenever they are needed, never held.
  let scanned: ScannedInput | undefined;
  let released = false;
  const scan = async (): Promise<ScannedInput> => {
    if (scanned) return scanned;
    if (released) throw new InternalError("the input's papers were asked for after the run released them");
    if (missing) throw missing;
    const size = await stat(inputFile).then(
      (info) => info.size,
      () => 0,
    );
    // On a terminal, a large input says it is being read (checking a million papers takes a while).
    const shown = size >= LARGE_INPUT_BYTES && options.progress ? deps.progressStream : undefined;
    shown?.write(
      `Reading and checking ${displayPath(inputFile, deps.cwd)} (${Math.round(size / 1024 / 1024)} MB)…`,
    );
    const read = await scanInputFile(inputFile).finally(() => shown?.write("\r\x1b[K"));
    if (hashed && read.sha256 !== hashed.sha256) {
      throw new InputError(`${safeText(inputFile)}: the file changed while cf was reading it`, {
        hint: "Run the command again once nothing writes to it.",
      });
    }
    scanned = read;
    for (const warning of read.warnings) deps.stderr(`${color.yellow("warning:")} ${warning}\n`);
    // A dry run shows it in the plan; a real run says it once, before it starts (not a warning: nothing is lost).
    const migrated = describeMigration(read.migrated);
    if (migrated && !options.dryRun) deps.stderr(`note: ${migrated}.\n`);
    return read;
  };
  // Without --resume the input is checked at once (hashing it on the way); a resume needs only its
  // hash, and its papers only when the session did not begin from these bytes.
  let hashed: { sha256: string } | undefined;
  if (!options.resume) hashed = await scan();
  else {
    hashed = await hashInputFile(inputFile).catch((error: unknown) => {
      if (!(error instanceof InputFileMissingError)) throw error;
      missing = error;
      return undefined;
    });
  }
  const input = {
    file: inputFile,
    sha256: hashed?.sha256,
    papers: async () => (await scan()).papers(),
    paperKeys: async () => {
      const keys = new Set<string>();
      for (const paper of (await scan()).papers()) keys.add(paperKey(paper.title, paper.year));
      return keys;
    },
    release: () => {
      // The session holds the papers now: the run never reads the input again.
      released = true;
      scanned = undefined;
    },
  };
  if (network.description) log(1, network.description);
  const clients = await buildClients(
    options,
    (event) => {
      // -v: every retry with its cause and wait; -vv: every request.
      if (event.type === "retry") {
        const wait = ((event.delayMs ?? 0) / 1000).toFixed(1);
        log(
          1,
          `${event.source ? `${sourceLabel(event.source)} (${hostOf(event.url)})` : hostOf(event.url)}: attempt ${event.attempt} failed (${shortCause(event)}); retrying in ${wait} s`,
        );
      }
      if (event.type !== "response")
        log(2, `http ${event.type} ${event.method} ${event.url} ${event.status ?? ""}`);
    },
    network,
  );
  const cacheWarning = (message: string) => deps.stderr(`${color.yellow("warning:")} ${safeText(message)}\n`);
  const cacheFlags = cacheSettingsFrom(options, deps.env, deps.cwd);
  const cache = cacheFlags
    ? { ...cacheFlags, scopes: cacheScopes(options), onWarning: cacheWarning }
    : undefined;
  if (cache)
    log(1, `response cache ${displayPath(cache.file, deps.cwd)}${cache.refresh ? " (refresh)" : ""}`);
  let outputFile = path.resolve(deps.cwd, options.output ?? defaultOutputPath(deps.now()));
  // Refused before any session is looked for: the output must be neither the input nor inside the
  // checkpoint directory (the session's files would overwrite it).
  await checkOutputPath({ cwd: deps.cwd, inputFile, outputFile, baseDir });
  if (options.dryRun) {
    // A dry run creates nothing: it only checks that the output could be written.
    await checkOutputWritable(outputFile, deps.cwd, false);
    await dryRun({ options, input, scan, clients, cache, baseDir, deps });
    return;
  }
  await checkCheckpointDir(baseDir, deps.cwd, false);
  // Without its file the input is the session's own papers: only a resume or an adoption has them.
  const choice = await pickSession(options, input, baseDir, deps, missing);
  // A resume without --output writes where the session was writing (a pasted resume command has no -o).
  if (choice.kind === "resume" && options.output === undefined) {
    const recorded = await recordedOutputFile(path.join(baseDir, choice.sessionId), deps.fs);
    if (recorded !== undefined) {
      outputFile = path.resolve(deps.cwd, recorded);
      await checkOutputPath({ cwd: deps.cwd, inputFile, outputFile, baseDir });
      log(1, `output ${displayPath(outputFile, deps.cwd)} (the session's)`);
    }
  }
  // Bad input fails here, before any session is touched, unless the session being resumed began
  // from these exact bytes (validated then): parsing 100,000 papers again would delay the resume.
  if (hashed && (choice.kind !== "resume" || choice.inputSha256 !== hashed.sha256)) await scan();
  if (!hashed) {
    deps.stderr(
      `note: the input file ${displayPath(inputFile, deps.cwd)} is gone: the session goes on with its own papers.\n`,
    );
  }
  // An output that cannot be written is found now, not after all the fetching.
  await checkOutputWritable(outputFile, deps.cwd, true);
  if (choice.kind !== "resume") await checkCheckpointDir(baseDir, deps.cwd, true);

  const controller = new AbortController();
  let signalName: StopSignal | undefined;
  const unsubscribe = deps.onSignal((signal) => {
    if (signalName) deps.exitNow(exitCodeForSignal(signal));
    signalName = signal;
    progress?.note(
      color.yellow(
        "Stopping: letting requests in flight finish (up to 5 s), then saving a checkpoint. Press Ctrl-C again to quit at once (completed batches are safe in the journal).",
      ),
    );
    controller.abort();
  });
  let progress: ProgressView | undefined;
  let sessionId = "";
  try {
    progress = await createProgress(options, deps);
    const result = await consolidate({
      input,
      baseDir,
      session: choice,
      clients,
      outputFile,
      checkpointIntervalMinutes: options.checkpointInterval,
      options: recordedOptions(options, outputFile),
      signal: controller.signal,
      concurrency: sourceConcurrency(options),
      ...(deps.fs ? { fs: deps.fs } : {}),
      ...(deps.journalCommit ? { journalCommit: deps.journalCommit } : {}),
      ...(cache ? { cache } : {}),
      callbacks: {
        onSessionReady: (info) => {
          sessionId = info.sessionId;
          log(1, `session ${info.sessionId} in ${displayPath(info.sessionDir, deps.cwd)}`);
        },
        onAdopt: ({ sessionId: from, plan }) => {
          for (const line of adoptionLines(from, plan)) progress?.note(line);
        },
        onResume: (info) => {
          for (const warning of info.warnings) progress?.note(`${color.yellow("warning:")} ${warning}`);
          const perSource = info.perSource.map((s) => `${s.source} ${s.done}/${info.papers}`).join(", ");
          progress?.note(
            `Resuming ${info.sessionId}: ${perSource}; ${info.records} records so far; last checkpoint ${info.lastCheckpoint ?? "never"}`,
          );
        },
        confirmInputChange: async (changes) => {
          progress?.note(
            color.yellow(
              `The input changed since this session began: ${changes.added.length} paper(s) added, ${changes.removed.length} removed, ${changes.changed.length} changed.`,
            ),
          );
          progress?.note("Added and changed papers will be looked up; removed ones leave the output.");
          if (options.yes) return true;
          if (!deps.interactive) {
            progress?.note("Pass --yes to continue with the changed input (no terminal to ask).");
            return false;
          }
          return deps.confirm("Continue with the changed input?");
        },
        onProgress: (p) => progress?.update(p),
        onSnapshot: (s) => {
          const line = `checkpoint saved: generation ${s.generation} in ${Math.round(s.durationMs)} ms`;
          if (s.reason === "interval") progress?.note(color.dim(line));
          else log(1, `${line} (${s.reason})`);
        },
        onSourceStopped: (stop) =>
          progress?.note(color.red(`stopped: ${describeStop(stop, keyGiven(options, stop.source))}`)),
      },
    });
    progress?.stop();
    progress = undefined;
    const resume = resumeCommand({
      inputFile: input.file,
      sessionId,
      baseDir,
      cwd: deps.cwd,
      env: deps.env,
      sources: options.sources,
      cache: cache ? { file: cache.file, refresh: cache.refresh, maxAge: options.maxAge } : "off",
      maxCostUsd: options.openalexMaxCost as number | undefined,
    });
    const outcome = runOutcome(result, { signal: signalName, couldAnswer: options.yes || deps.interactive });
    if (outcome.kind === "declined") {
      deps.stderr("Nothing done: the session is unchanged.\n");
      throw new ExitError(outcome.exitCode);
    }
    if (outcome.kind === "interrupted") {
      deps.stderr(`Interrupted; checkpoint saved. Resume with:\n  ${resume}\n`);
      throw new ExitError(outcome.exitCode);
    }
    const { default: Table } = await import("cli-table3");
    deps.stdout(renderSummary(result.stats, Table, color, result.engine.runCostUsd));
    deps.stdout(renderFailures(result.failures, color, 10, result.engine.connectionFailures));
    deps.stdout(`Output: ${displayPath(outputFile, deps.cwd)}\n`);
    if (outcome.kind === "complete") return;
    // Every source that stopped is told, whichever decided the exit code (a refused key first).
    const stops = stopsInOrder(result.engine.stops);
    const tell = (stop: SourceStop) => {
      const line = describeStop(stop, keyGiven(options, stop.source));
      const paint = stop.kind === "auth" || stop.kind === "error" ? color.red : color.yellow;
      deps.stderr(`${paint(line)}.\n`);
    };
    switch (outcome.kind) {
      case "unreachable":
        for (const stop of stops) tell(stop);
        deps.stderr(`Nothing is lost: resume with:\n  ${resume}\n`);
        break;
      case "budget_exhausted": {
        const { stop } = outcome;
        for (const other of stops) if (other !== stop) tell(other);
        if (stop.resetsAt) {
          const when = ` It resets at ${stop.resetsAt.toISOString()}`;
          deps.stderr(
            `${color.yellow(`The ${stop.source} budget is exhausted.`)}${when}; then resume with:\n  ${resume}\n`,
          );
        } else {
          // Our own cap (--openalex-max-cost): the next run may spend as much again.
          const line = describeStop(stop, keyGiven(options, stop.source));
          deps.stderr(`${color.yellow(`${line}.`)} Nothing is lost: resume with:\n  ${resume}\n`);
        }
        break;
      }
      case "key_refused": {
        for (const stop of stops) tell(stop);
        const alsoNetwork = stops.some((stop) => stop.kind === "unreachable");
        deps.stderr(
          `Nothing is lost: once the key is right${alsoNetwork ? " and the API can be reached" : ""}, resume with:\n  ${resume}\n`,
        );
        break;
      }
      case "lookups_failed":
        for (const stop of stops) tell(stop);
        deps.stderr(
          `${color.red("Not complete:")} some lookups failed; the output holds what was found. Retry them with:\n  ${resume}\n`,
        );
        break;
    }
    throw new ExitError(outcome.exitCode);
  } catch (error) {
    // No session was created: "the last checkpoint is intact" would send the user to a resume
    // that cannot work. Say what to fix instead.
    if (choice.kind !== "resume" && sessionId === "" && error instanceof StorageError)
      throw beforeSessionError(error);
    throw error;
  } finally {
    progress?.stop();
    unsubscribe();
  }
}

async function createProgress(options: ConsolidateOptions, deps: CliDeps): Promise<ProgressView> {
  if (options.progress && deps.progressStream) {
    const { default: ora } = await import("ora");
    return createSpinnerProgress(ora, deps.progressStream, await deps.colors());
  }
  return createLogProgress({ write: deps.stderr, color: await deps.colors() });
}

/** The host of a (redacted) request URL, for log lines. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** A retry's cause without the request line: the connection failure or the status. */
function shortCause(event: HttpEvent): string {
  const message = event.message ?? "";
  const at = message.indexOf(": ");
  const detail = /^(GET|POST) /.test(message) && at >= 0 ? message.slice(at + 2) : message;
  return detail.length > 160 ? `${detail.slice(0, 159)}…` : detail || `HTTP ${event.status ?? "?"}`;
}
