import { readFile } from "node:fs/promises";
import path from "node:path";
import { type CliProcess, spawnCli } from "../run-cli.js";

/** One of several `cf` processes started at the same moment, with when it ended. */
export interface Contender {
  proc: CliProcess;
  startedAt: number;
  /** Wall time (ms since start) at exit; undefined while it runs. */
  exitMs?: number;
  code?: number | null;
  signal?: NodeJS.Signals | null;
}

/** Start `count` copies of the same `cf` command at once. */
export function startContenders(count: number, args: string[], cwd: string): Contender[] {
  return Array.from({ length: count }, () => {
    const contender: Contender = { proc: spawnCli(args, { cwd }), startedAt: performance.now() };
    void contender.proc.exited.then(({ code, signal }) => {
      contender.exitMs = performance.now() - contender.startedAt;
      contender.code = code;
      contender.signal = signal;
    });
    return contender;
  });
}

/** Resolve once all but one contender have exited (or `timeoutMs` passed); returns those still running. */
export async function waitForAllButOne(contenders: Contender[], timeoutMs: number): Promise<Contender[]> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const running = contenders.filter((c) => c.exitMs === undefined);
    if (running.length <= 1 || performance.now() > deadline) return running;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The pid in a session's lock file, or undefined when there is none. */
export async function lockPid(sessionDir: string): Promise<number | undefined> {
  try {
    return (JSON.parse(await readFile(path.join(sessionDir, "lock"), "utf8")) as { pid: number }).pid;
  } catch {
    return undefined;
  }
}

/** Poll until `test` holds (true) or `timeoutMs` passes (false). */
export async function until(test: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!test()) {
    if (performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}
