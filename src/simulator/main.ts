import { readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { createCorpus, generateInput, knownPapers } from "./corpus.js";
import { FAULT_KINDS, type FaultKind } from "./faults.js";
import { startSimulator } from "./server.js";

/**
 * `node dist/simulator/main.js [--port N] [--seed N] [--corpus-size N] [--latency-ms N] [--openalex-rps N]
 * [--s2-rps N] [--fault-rate X] [--fault-kinds a,b] [--hang-ms N] [--budget N] [--openalex-daily-usd X]
 * [--decoy-share X] [--messy] [--s2-id-gaps X]
 * [--write-input FILE --count N --mix mixed|doi|title [--not-found-share X] [--title-noise X]
 * [--near-miss-share X] [--legacy] [--write-truth FILE]]`
 *
 * Prints one JSON line `{"url", "openalex_url", "s2_url"}` on stdout once listening, then serves until
 * SIGINT or SIGTERM. Everything else goes to stderr.
 */

const USAGE =
  "usage: main.js [--port N] [--seed N] [--corpus-size N] [--latency-ms N] [--openalex-rps N] \
[--s2-rps N] [--fault-rate X] [--fault-kinds 500,503,...] [--hang-ms N] [--budget N] \
[--openalex-daily-usd X] [--decoy-share X] [--messy] [--s2-id-gaps X] [--known-papers FILE] \
[--write-input FILE --count N --mix mixed|doi|title [--not-found-share X] [--title-noise X] \
[--near-miss-share X] [--legacy] [--write-truth FILE]]";

/** Parse the command line and run the simulator until a signal arrives. */
async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      port: { type: "string" },
      seed: { type: "string" },
      "corpus-size": { type: "string" },
      "latency-ms": { type: "string" },
      "openalex-rps": { type: "string" },
      "s2-rps": { type: "string" },
      "fault-rate": { type: "string" },
      "fault-kinds": { type: "string" },
      "hang-ms": { type: "string" },
      budget: { type: "string" },
      "openalex-daily-usd": { type: "string" },
      "s2-id-gaps": { type: "string" },
      "write-input": { type: "string" },
      count: { type: "string" },
      mix: { type: "string" },
      "not-found-share": { type: "string" },
      "known-papers": { type: "string" },
      "decoy-share": { type: "string" },
      messy: { type: "boolean" },
      "title-noise": { type: "string" },
      "near-miss-share": { type: "string" },
      legacy: { type: "boolean" },
      "write-truth": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stderr.write(`${USAGE}\n`);
    return;
  }
  const num = (name: keyof typeof values): number | undefined => {
    const raw = values[name];
    if (raw === undefined || typeof raw !== "string") return undefined;
    const n = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(n) || n < 0)
      throw new Error(`--${name} must be a number ≥ 0: ${raw}`);
    return n;
  };
  const kinds = values["fault-kinds"]?.split(",").map((k) => k.trim());
  const unknownKind = kinds?.find((k) => !FAULT_KINDS.includes(k as FaultKind));
  if (unknownKind !== undefined) throw new Error(`--fault-kinds: unknown kind ${unknownKind}`);
  const mix = values.mix ?? "mixed";
  if (mix !== "mixed" && mix !== "doi" && mix !== "title")
    throw new Error(`--mix must be mixed, doi or title`);

  const seed = num("seed") ?? 1;
  const knownFile = values["known-papers"];
  const known = knownFile ? knownPapers(JSON.parse(await readFile(knownFile, "utf8"))) : [];
  const share = (
    name: "decoy-share" | "title-noise" | "near-miss-share" | "s2-id-gaps",
  ): number | undefined => {
    const n = num(name);
    if (n !== undefined && n > 1) throw new Error(`--${name} must be between 0 and 1: ${n}`);
    return n;
  };
  if (values["write-truth"] && !values["write-input"]) throw new Error("--write-truth needs --write-input");
  const corpus = createCorpus({
    seed,
    size: num("corpus-size") ?? 3000,
    known,
    ...(share("decoy-share") === undefined ? {} : { decoyShare: share("decoy-share") }),
    ...(values.messy ? { messy: true } : {}),
    ...(share("s2-id-gaps") === undefined ? {} : { s2IdGaps: share("s2-id-gaps") }),
  });
  const faultRate = num("fault-rate");
  const [openalexRps, s2Rps] = [num("openalex-rps"), num("s2-rps")];
  const simulator = await startSimulator({
    corpus,
    port: num("port") ?? 0,
    latencyMs: num("latency-ms") ?? 0,
    rateLimits: { ...(openalexRps ? { openalex: openalexRps } : {}), ...(s2Rps ? { s2: s2Rps } : {}) },
    ...(faultRate
      ? { faults: { rate: faultRate, seed, kinds: kinds as FaultKind[] | undefined, hangMs: num("hang-ms") } }
      : {}),
    ...(num("budget") === undefined ? {} : { openalexBudget: num("budget") }),
    ...(num("openalex-daily-usd") === undefined ? {} : { openalexDailyUsd: num("openalex-daily-usd") }),
  });

  const inputFile = values["write-input"];
  if (inputFile) {
    const { file, truth } = generateInput(corpus, {
      count: num("count") ?? 100,
      mix,
      seed,
      ...(num("not-found-share") === undefined ? {} : { notFoundShare: num("not-found-share") }),
      ...(share("title-noise") === undefined ? {} : { titleNoise: share("title-noise") }),
      ...(share("near-miss-share") === undefined ? {} : { nearMissShare: share("near-miss-share") }),
      legacy: values.legacy ?? false,
    });
    await writeFile(inputFile, `${JSON.stringify(file, null, 2)}\n`);
    const truthFile = values["write-truth"];
    if (truthFile) {
      const ids = truth.map((w) =>
        w ? { openalex_id: `https://openalex.org/${w.openalexId}`, s2_paper_id: w.paperId } : null,
      );
      await writeFile(truthFile, `${JSON.stringify(ids, null, 2)}\n`);
    }
  }
  const ready = { url: simulator.url, openalex_url: simulator.openalexUrl, s2_url: simulator.s2Url };
  process.stdout.write(`${JSON.stringify(ready)}\n`);

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await simulator.close();
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`simulator: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exitCode = 2;
});
