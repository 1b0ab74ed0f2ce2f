// The response cache (issue 14) on the simulator: a cold run, a new session on the same input
// (served by the cache), an input grown by 10 %, the cost of answering a paper from the cache, and
// the cache's size on disk.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BIN, dist, median, runTimed, simulatorFlags } from "./util.mjs";

/** The throughput bench's limits and latency: a cold run is bound by them, a warm one is not. */
const LIMITS = { openalex: 20, s2: 5 };
const LATENCY_MS = 200;

/** Rows of the `cache` section for `count` papers (mixed, with the generator's 5 % unknown papers). */
export async function cacheBench(count) {
  const { createCorpus, generateInputFile } = await dist("simulator/corpus.js");
  const { startSimulator } = await dist("simulator/server.js");
  const dir = mkdtempSync(path.join(os.tmpdir(), "cf-bench-cache-"));
  const added = Math.ceil(count / 10);
  const corpus = createCorpus({ seed: 11, size: Math.max(3000, count * 2) });
  const file = generateInputFile(corpus, { count: count + added, mix: "mixed", seed: 11 });
  const write = (name, papers) => writeFileSync(path.join(dir, name), JSON.stringify({ ...file, papers }));
  write("base.json", file.papers.slice(0, count));
  write("added.json", file.papers.slice(count));
  write("grown.json", file.papers);
  const sim = await startSimulator({ corpus, latencyMs: LATENCY_MS, rateLimits: LIMITS });
  /** One run to the end, in a new session, with `cache`; its wall time and the requests it made. */
  const consolidate = async (input, cache) => {
    const before = sim.requestLog.length;
    const run = await runTimed(
      process.execPath,
      [
        BIN,
        "consolidate",
        "--input",
        input,
        "--output",
        `${input}.out`,
        "--yes",
        "--no-progress",
        "--cache",
        cache,
        ...simulatorFlags(sim, LIMITS),
      ],
      { cwd: dir, rss: false },
    );
    if (run.code !== 0) throw new Error(`cf exited ${run.code}: ${run.stderr.slice(-500)}`);
    return { ms: run.ms, requests: sim.requestLog.length - before };
  };
  try {
    const cold = await consolidate("base.json", "shared.sqlite");
    const warm = await consolidate("base.json", "shared.sqlite");
    const alone = await consolidate("added.json", "alone.sqlite");
    const grown = await consolidate("grown.json", "shared.sqlite");
    const lookup = await lookupCost(path.join(dir, "grown.json"), path.join(dir, "shared.sqlite"), sim);
    const bytes = ["", "-wal"].reduce((n, suffix) => n + sizeOf(path.join(dir, `shared.sqlite${suffix}`)), 0);
    const judged = count >= 2000;
    return [
      {
        metric: `cache.cold.${count}`,
        value: cold.ms / 1000,
        unit: `s for ${count} papers in a new session, empty cache (${cold.requests} requests)`,
        target: null,
        ok: null,
      },
      {
        metric: `cache.warm_requests.${count}`,
        value: warm.requests,
        unit: "requests of the same input again in a new session",
        target: 0,
        ok: warm.requests === 0,
      },
      {
        metric: `cache.warm_wall_fraction.${count}`,
        value: warm.ms / cold.ms,
        unit: `of the cold run's wall time (${(warm.ms / 1000).toFixed(2)} s vs ${(cold.ms / 1000).toFixed(1)} s)`,
        target: judged ? 0.02 : null,
        ok: judged ? warm.ms / cold.ms <= 0.02 : null,
      },
      {
        metric: `cache.grown_extra_requests.${count}`,
        value: grown.requests - alone.requests,
        unit: `requests beyond the ${added} new papers alone (${grown.requests} vs ${alone.requests})`,
        target: 2,
        ok: grown.requests - alone.requests <= 2,
      },
      {
        metric: `cache.lookup_ms_per_paper.${count}`,
        value: lookup.read,
        unit: "ms median per paper and source: the cache's own cost (find the key, inflate, parse)",
        target: 0.2,
        ok: lookup.read <= 0.2,
      },
      {
        metric: `cache.answer_ms_per_paper.${count}`,
        value: lookup.answer,
        unit: "ms median per paper and source: lookup, then the work a fetched answer needs too (schema, matcher, mapping)",
        target: null,
        ok: null,
      },
      {
        metric: `cache.bytes_per_1000_papers.${count}`,
        value: (bytes / (count + added)) * 1000,
        unit: `bytes on disk per 1,000 papers, both sources (${(bytes / 1024 ** 2).toFixed(1)} MB for ${count + added})`,
        target: null,
        ok: null,
      },
    ];
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Median ms per paper and source of answering `input`'s papers from the warm `cache`, as a run does:
 * `read` is the cache's own cost (look the keys up, inflate and parse the stored objects), `answer`
 * adds what a fetched answer costs too (check the object's shape, verify the match, map the records).
 */
async function lookupCost(input, cacheFile, sim) {
  const { readInputFile, parseInputFile } = await dist("model/input-file.js");
  const { borrowedIds, inputView, lookupView } = await dist("model/paper-update.js");
  const { ResponseCache } = await dist("storage/response-cache.js");
  const { lookupKey } = await dist("sources/lookup-key.js");
  const { createOpenAlexClient } = await dist("sources/openalex/client.js");
  const { createSemanticScholarClient } = await dist("sources/semantic-scholar/client.js");
  const { sourceDescriptor } = await dist("sources/registry.js");
  const { cacheScope } = await dist("core/run-cache.js");
  // A run against the simulator keeps its answers under `<source>@<simulator address>`.
  const urls = { openalex: sim.openalexUrl, semantic_scholar: sim.s2Url };
  const scope = (name) => cacheScope(name, urls[name], sourceDescriptor(name).baseUrl.default);
  const papers = parseInputFile(await readInputFile(input)).papers.map(inputView);
  // OpenAlex looks a title-only paper up by the id Semantic Scholar found (its records, in the
  // run's output), else (the id led nowhere) by its title: the views and keys of the run.
  const output = new Map(JSON.parse(readFileSync(`${input}.out`, "utf8")).papers.map((p) => [p.paper_id, p]));
  const viewsOf = (client) =>
    client.name === "openalex"
      ? papers.map((p) => lookupView(output.get(p.paper_id) ?? p, client.name))
      : papers;
  const clients = [
    createOpenAlexClient({ baseUrl: sim.openalexUrl, version: "bench" }),
    createSemanticScholarClient({ baseUrl: sim.s2Url, version: "bench" }),
  ];
  const cache = ResponseCache.open(cacheFile);
  const reads = [];
  const answers = [];
  try {
    for (let i = 0; i < 5; i++) {
      let readMs = 0;
      let answerMs = 0;
      let served = 0;
      for (const client of clients) {
        const views = viewsOf(client);
        const started = performance.now();
        const keys = views.map(lookupKey);
        const titleViews = views.map((v) => (borrowedIds(v).length > 0 ? inputView(v) : undefined));
        const titleKeys = titleViews.map((v) => v && lookupKey(v));
        const wanted = [...new Set([...keys, ...titleKeys.filter(Boolean)])];
        const found = cache.getMany(scope(client.name), wanted, 30 * 86_400_000);
        const read = performance.now();
        for (const [k, view] of views.entries()) {
          const answer = found.get(keys[k]);
          const byTitle = titleKeys[k] && found.get(titleKeys[k]);
          if (
            (answer && client.fromCache(view, answer)) ||
            (byTitle && client.fromCache(titleViews[k], byTitle))
          )
            served += 1;
        }
        readMs += read - started;
        answerMs += performance.now() - started;
      }
      if (served < papers.length * clients.length) {
        throw new Error(`only ${served} of ${papers.length * clients.length} answers served`);
      }
      reads.push(readMs / (papers.length * clients.length));
      answers.push(answerMs / (papers.length * clients.length));
    }
  } finally {
    cache.close();
  }
  return { read: median(reads), answer: median(answers) };
}

function sizeOf(file) {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
