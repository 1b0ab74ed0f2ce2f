import { existsSync } from "node:fs";
import path from "node:path";
import { CfError, ExitCode, InputError, SessionCorruptError } from "../errors.js";
import { parseInputFile, readInputFile } from "../model/input-file.js";
import type { Paper } from "../model/paper.js";
import { RECORD_KINDS, SOURCE_NAMES, type SourceName } from "../model/records.js";
import { readCheckpoint } from "./checkpoint-file.js";
import { nodeStorageFs, type StorageFs } from "./fs.js";
import { type LegacyStatus, legacySourceStats, legacyStatus } from "./legacy-status.js";
import { CHECKPOINT_FILE } from "./session-files.js";

/**
 * A session directory of the Python tool, read to be continued by cf (issue 15, first step: reading
 * and deciding what is done; nothing here writes). Its checkpoint may be in any of the formats of
 * reference-behaviour §5.2–5.3; its papers file is validated like any input. Which papers a source
 * has done is decided from the papers themselves: one that holds a record fetched from a source
 * (not an original one) is done for it. The checkpoint's counts are not trusted for that: the Python
 * tool never recorded which papers they were.
 */

/** The Python tool's papers file (indented `{metadata, papers}` or a plain list). */
export const PYTHON_PAPERS_FILE = "papers_enriched.json";

export interface PythonSession {
  sessionId: string;
  /** Absolute path of the session directory. */
  dir: string;
  /** The input file as the Python tool recorded it (may be relative to where it ran, or gone). */
  inputFile: string;
  totalPapers: number;
  status: LegacyStatus;
  /** The papers file's papers, validated; undefined when there is none (nothing fetched survives). */
  papers: Paper[] | undefined;
  /** Per source, the ids of the papers that hold a record fetched from it: done for that source. */
  done: Record<SourceName, Set<string>>;
  /**
   * Per source, the papers its checkpoint counts as processed (`papers_processed`): more than
   * `done` means some were looked up and nothing was found (the tool did not record which).
   */
  processed: Partial<Record<SourceName, number>>;
  /** What a user should know: no papers file, fewer papers than the checkpoint says. */
  notes: string[];
}

/** Read a Python session directory; an error names the file and what is wrong with it. */
export async function readPythonSession(dir: string, fs: StorageFs = nodeStorageFs): Promise<PythonSession> {
  const absolute = path.resolve(dir);
  const read = await readCheckpoint(fs, absolute);
  if (read.kind === "cf") {
    throw new CfError(
      "E_NOT_PYTHON_SESSION",
      ExitCode.usage,
      `${absolute} is a cf session, not the Python tool's`,
    );
  }
  if (read.kind !== "legacy") {
    const problem = read.kind === "missing" ? `${CHECKPOINT_FILE} is missing` : read.problem;
    throw new SessionCorruptError(
      path.join(absolute, CHECKPOINT_FILE),
      `session ${path.basename(absolute)}: ${problem}`,
    );
  }
  const checkpoint = read.checkpoint;
  const notes: string[] = [];
  const papers = await readPapers(path.join(absolute, PYTHON_PAPERS_FILE), notes);
  if (papers && papers.length < checkpoint.total_papers) {
    notes.push(
      `${PYTHON_PAPERS_FILE} holds ${papers.length} of the ${checkpoint.total_papers} papers of the session`,
    );
  }
  return {
    sessionId: checkpoint.session_id || path.basename(absolute),
    dir: absolute,
    inputFile: checkpoint.input_file,
    totalPapers: checkpoint.total_papers,
    status: legacyStatus(checkpoint.sources, checkpoint.total_papers),
    papers,
    done: donePerSource(papers ?? []),
    processed: processedPerSource(checkpoint.sources),
    notes,
  };
}

/**
 * Where the input file a Python session names may be now, most likely first. The Python tool
 * recorded the path as given, relative to where it ran, and kept its sessions in
 * `.cf_state/consolidate` under that directory: so relative to the project holding `baseDir` when
 * it has that shape, then relative to `cwd`.
 */
export function pythonInputCandidates(inputFile: string, baseDir: string, cwd: string): string[] {
  if (inputFile.trim() === "") return [];
  if (path.isAbsolute(inputFile)) return [path.normalize(inputFile)];
  const absoluteBase = path.resolve(cwd, baseDir);
  const roots =
    path.basename(absoluteBase) === "consolidate" && path.basename(path.dirname(absoluteBase)) === ".cf_state"
      ? [path.dirname(path.dirname(absoluteBase)), cwd]
      : [cwd];
  return [...new Set(roots.map((root) => path.resolve(root, inputFile)))];
}

/** The input file a Python session names, resolved: the first candidate that exists, else the first. */
export function resolvePythonInput(inputFile: string, baseDir: string, cwd: string): string | undefined {
  const candidates = pythonInputCandidates(inputFile, baseDir, cwd);
  return candidates.find((file) => existsSync(file)) ?? candidates[0];
}

/**
 * What identifies a paper across two files when ids may be generated: its title (case and spacing
 * folded) and year. Used to tell whether an input is a Python session's collection.
 */
export function paperKey(title: unknown, year: unknown): string {
  return `${String(title ?? "")
    .trim()
    .toLowerCase()
    .replace(/\s+/g, " ")}\u0000${String(year ?? "")}`;
}

/**
 * The paper keys (paperKey) of a Python session's papers file, without validating the papers;
 * empty when the file is missing, unreadable or holds no papers.
 */
export async function readPythonPaperKeys(dir: string, fs: StorageFs = nodeStorageFs): Promise<Set<string>> {
  try {
    const data: unknown = JSON.parse(
      (await fs.readFile(path.join(dir, PYTHON_PAPERS_FILE))).toString("utf8"),
    );
    const list = Array.isArray(data) ? data : (data as { papers?: unknown } | null)?.papers;
    if (!Array.isArray(list)) return new Set();
    return new Set(
      list.map((paper) => {
        const p = (paper ?? {}) as { title?: unknown; year?: unknown };
        return paperKey(p.title, p.year);
      }),
    );
  } catch {
    return new Set();
  }
}

function processedPerSource(sources: unknown): Partial<Record<SourceName, number>> {
  const processed: Partial<Record<SourceName, number>> = {};
  for (const [name, stats] of Object.entries(legacySourceStats(sources))) {
    if ((SOURCE_NAMES as readonly string[]).includes(name))
      processed[name as SourceName] = stats.papers_processed;
  }
  return processed;
}

/** The ids of the papers holding a fetched (not original) record of each source. */
export function donePerSource(papers: readonly Paper[]): Record<SourceName, Set<string>> {
  const done = Object.fromEntries(SOURCE_NAMES.map((name) => [name, new Set<string>()])) as Record<
    SourceName,
    Set<string>
  >;
  for (const paper of papers) {
    for (const kind of RECORD_KINDS) {
      for (const record of paper[kind]) {
        if (record.original) continue;
        done[record.source as SourceName]?.add(paper.paper_id);
      }
    }
  }
  return done;
}

async function readPapers(file: string, notes: string[]): Promise<Paper[] | undefined> {
  const none = () => {
    notes.push(`no papers in ${PYTHON_PAPERS_FILE}: nothing fetched by the Python tool survives`);
    return undefined;
  };
  if (!existsSync(file)) return none();
  try {
    return parseInputFile(await readInputFile(file)).papers;
  } catch (error) {
    // An empty file or list: the tool was stopped before its first save.
    if (error instanceof InputError && /(file is empty|is empty: there are no papers)/.test(error.message)) {
      return none();
    }
    throw error;
  }
}
