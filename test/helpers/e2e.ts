import { writeFile } from "node:fs/promises";
import path from "node:path";
import { onTestFinished } from "vitest";
import { createCorpus, generateInputFile } from "../../src/simulator/corpus.js";
import { type Simulator, type SimulatorOptions, startSimulator } from "../../src/simulator/server.js";
import { spawnCli } from "./run-cli.js";

// The output oracles live in output.ts; re-exported for the suites that import them from here.
export { comparableOutput, duplicateRecords } from "./output.js";

/** A simulator for one test, closed when the test finishes. */
export async function simulatorFor(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await startSimulator({ seed: 7, corpusSize: 1500, ...options });
  onTestFinished(() => sim.close());
  return sim;
}

/** Write a generated input of `count` papers (seeded) into `dir`; same seed → same file. */
export async function writeInput(dir: string, count: number, seed = 7, corpusSize = 1500): Promise<string> {
  const corpus = createCorpus({ seed, size: corpusSize });
  const file = path.join(dir, "papers.json");
  await writeFile(file, JSON.stringify(generateInputFile(corpus, { count, mix: "mixed", seed }), null, 2));
  return file;
}

/** Flags pointing cf at a simulator, fast enough for tests. */
export function simFlags(sim: Simulator, rps = 50): string[] {
  return [
    "--openalex-url",
    sim.openalexUrl,
    "--s2-url",
    sim.s2Url,
    "--openalex-rps",
    String(rps),
    "--s2-rps",
    String(rps),
    "--no-progress",
  ];
}

/**
 * Start the binary with `args` plus the flags of a fresh simulator (20 ms latency), and send it
 * `signal` when the simulator sees its `afterRequests`-th request; resolves once it has exited.
 */
export async function interruptedRun(
  args: string[],
  cwd: string,
  options: { signal?: NodeJS.Signals; afterRequests?: number } = {},
) {
  let child: ReturnType<typeof spawnCli> | undefined;
  let seen = 0;
  const sim = await simulatorFor({
    latencyMs: 20,
    onRequest: () => {
      seen += 1;
      if (seen === (options.afterRequests ?? 20)) child?.child.kill(options.signal ?? "SIGINT");
    },
  });
  const fullArgs = [...args, ...simFlags(sim)];
  child = spawnCli(fullArgs, { cwd });
  const exit = await child.exited;
  return { exit, stderr: child.stderr(), sim, args: fullArgs };
}
