#!/usr/bin/env node
// `npm run demo`: cf consolidate on examples/papers.json against a local simulator of both APIs
// (no network, no keys). It shows the live progress, interrupts the run with Ctrl-C (SIGINT),
// lists the session, and resumes it to the end. State and output go to a temp directory.
// `--fast` (used by the test suite) shortens the waits.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { createCorpus, knownPapers } = await import(path.join(root, "dist/simulator/corpus.js"));
const { startSimulator } = await import(path.join(root, "dist/simulator/server.js"));

const fast = process.argv.includes("--fast");
const input = path.join(root, "examples", "papers.json");
const work = mkdtempSync(path.join(os.tmpdir(), "cf-demo-"));
const output = path.join(work, "papers_enriched.json");
const stateDir = path.join(work, "state");
const cacheFile = path.join(work, "cache.sqlite");
const say = (text) => process.stdout.write(`\n\x1b[1m▶ ${text}\x1b[0m\n`);

const corpus = createCorpus({
  seed: 42,
  size: 500,
  known: knownPapers(JSON.parse(readFileSync(input, "utf8"))),
});
const sim = await startSimulator({ corpus, latencyMs: fast ? 50 : 300 });
const apiFlags = [
  "--openalex-url",
  sim.openalexUrl,
  "--s2-url",
  sim.s2Url,
  "--openalex-rps",
  fast ? "20" : "1",
  "--s2-rps",
  fast ? "10" : "0.5",
  "--checkpoint-dir",
  stateDir,
  // The demo's answers are the simulator's: they stay in the demo's directory.
  "--cache",
  cacheFile,
];

/** Run cf with the terminal attached; optionally send SIGINT after `interruptAfterMs`. */
function cf(args, interruptAfterMs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, "bin", "cf.js"), ...args], { stdio: "inherit" });
    const timer = interruptAfterMs
      ? setTimeout(() => {
          say("Demo: pressing Ctrl-C (SIGINT) now");
          child.kill("SIGINT");
        }, interruptAfterMs)
      : undefined;
    child.on("close", (code) => {
      if (timer) clearTimeout(timer);
      resolve(code);
    });
  });
}

try {
  say(`Simulated OpenAlex at ${sim.openalexUrl}, Semantic Scholar at ${sim.s2Url}`);
  say("cf consolidate --input examples/papers.json (will be interrupted)");
  const first = await cf(
    ["consolidate", "--input", input, "--output", output, ...apiFlags],
    fast ? 300 : 4000,
  );
  say(`cf exited with ${first} (130 = interrupted after a checkpoint)`);
  say("cf consolidate-sessions list");
  await cf(["consolidate-sessions", "list", "--checkpoint-dir", stateDir]);
  say("cf consolidate --input examples/papers.json --resume");
  const second = await cf(["consolidate", "--input", input, "--output", output, "--resume", ...apiFlags]);
  say(`cf exited with ${second}. Output: ${output}`);
  say("cf cache stats (every answer is kept for later sessions)");
  await cf(["cache", "stats", "--cache", cacheFile]);
  say(`Sessions, cache and output are in ${work} (remove it when done).`);
  process.exitCode = second === 0 && (first === 130 || first === 0) ? 0 : 1;
} finally {
  await sim.close();
}
