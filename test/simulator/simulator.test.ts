import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { createCorpus } from "../../src/simulator/corpus.js";
import { expectedWork, generateInputFile } from "../../src/simulator/input-gen.js";
import { type Simulator, type SimulatorOptions, startSimulator } from "../../src/simulator/server.js";
import { HttpError } from "../../src/sources/http.js";
import { rebuildAbstract } from "../../src/sources/openalex/mapping.js";
import { testdir } from "../helpers/testdir.js";
import { audit, FAST, openAlexFor, papersOf, runAll, s2For } from "./support.js";

const corpus = createCorpus({ seed: 42, size: 3000 });
const sims: Simulator[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});
async function start(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await startSimulator({ corpus, ...options });
  sims.push(sim);
  return sim;
}
const byApi = (sim: Simulator, api: "openalex" | "s2") => sim.requestLog.filter((e) => e.api === api);

describe("simulator driven by the real clients", () => {
  it("matches every corpus paper of a mixed 200-paper input in both clients; the rest are not_found", async () => {
    const sim = await start();
    const file = generateInputFile(corpus, { count: 200, mix: "mixed", seed: 3 });
    const papers = papersOf(file);
    const expected = file.papers.filter((p) => expectedWork(corpus, p)).length;
    expect(expected).toBe(190);
    expect(file.papers.some((p) => p.arxiv_id && /v\d$/.test(p.arxiv_id))).toBe(true);
    for (const client of [openAlexFor(sim), s2For(sim)]) {
      const { results } = await runAll(client, papers);
      expect(audit(corpus, file, results)).toEqual({ matched: 190, not_found: 10, failed: 0, corpus: 190 });
      // The mapped records are the corpus values: the shapes were read as the real APIs' shapes.
      for (const [i, result] of results.entries()) {
        const work = expectedWork(corpus, file.papers[i]!);
        if (result.outcome !== "matched" || !work) continue;
        const cited = client.name === "openalex" ? work.citedByCount : work.citationCount;
        expect(result.update.records.citations?.[0]?.data.count).toBe(cited);
        if (client.name === "openalex" && work.abstract) {
          expect(result.update.records.abstracts?.[0]?.data.text).toBe(work.abstract);
        }
        const fills = result.update.affiliations ?? [];
        for (const fill of fills) expect(work.authors[fill.index]?.institutions).toEqual(fill.affiliations);
      }
    }
  });

  it("batches DOIs: 200 DOI papers are 2 OpenAlex list calls and 1 S2 batch call", async () => {
    const sim = await start();
    const file = generateInputFile(corpus, { count: 200, mix: "doi", seed: 4, notFoundShare: 0 });
    const papers = papersOf(file);
    const oa = await runAll(openAlexFor(sim), papers);
    expect(oa.apiCalls).toBe(2);
    expect(byApi(sim, "openalex").map((e) => [e.path, e.ids, e.status])).toEqual([
      ["/works", 100, 200],
      ["/works", 100, 200],
    ]);
    const s2 = await runAll(s2For(sim), papers);
    expect(s2.apiCalls).toBe(1);
    expect(byApi(sim, "s2").map((e) => [e.method, e.path, e.ids])).toEqual([["POST", "/paper/batch", 200]]);
    expect(audit(corpus, file, oa.results).matched).toBe(200);
    expect(audit(corpus, file, s2.results).matched).toBe(200);
  });

  it("answers over-rate requests with 429s that the clients retry until everything matches", async () => {
    const sim = await start({ rateLimits: { openalex: 10, s2: 5 } });
    const file = generateInputFile(corpus, { count: 24, mix: "title", seed: 5, notFoundShare: 0 });
    const papers = papersOf(file);
    const httpOptions = { ...FAST, maxAttempts: 12 };
    const [oa, s2] = await Promise.all([
      runAll(openAlexFor(sim, { ratePerSecond: 50, httpOptions }), papers),
      runAll(s2For(sim, { ratePerSecond: 25, httpOptions }), papers.slice(0, 12)),
    ]);
    expect(audit(corpus, file, oa.results).matched).toBe(24);
    expect(s2.results.every((r) => r.outcome === "matched")).toBe(true);
    const oa429 = byApi(sim, "openalex").filter((e) => e.status === 429);
    const s2429 = byApi(sim, "s2").filter((e) => e.status === 429);
    expect(oa429.length).toBeGreaterThan(0);
    expect(s2429.length).toBeGreaterThan(0);
    expect(oa429.every((e) => e.retryAfter === 1)).toBe(true);
    expect(s2429.every((e) => e.retryAfter === undefined)).toBe(true);
  });

  it("with 20% faults of every kind, each paper ends matched (to the right work) or failed", async () => {
    const sim = await start({ faults: { rate: 0.2, seed: 1, hangMs: 1000 } });
    const file = generateInputFile(corpus, { count: 150, mix: "mixed", seed: 6 });
    const papers = papersOf(file);
    const httpOptions = { ...FAST, timeoutMs: 300, maxAttempts: 4 };
    for (const client of [openAlexFor(sim, { httpOptions }), s2For(sim, { httpOptions })]) {
      const { results } = await runAll(client, papers, 16);
      const counts = audit(corpus, file, results);
      expect(counts.matched).toBeGreaterThan(100);
    }
    const faults = new Set(sim.requestLog.flatMap((e) => e.fault ?? []));
    expect([...faults].sort()).toEqual(["429", "429-html", "500", "503", "hang", "reset", "truncate"]);
  });
});

describe("simulator budget, keys and determinism", () => {
  it("exhausts the OpenAlex daily budget: the client stops with budget_exhausted", async () => {
    const sim = await start({ openalexBudget: 2 });
    const papers = papersOf(generateInputFile(corpus, { count: 6, mix: "title", seed: 7, notFoundShare: 0 }));
    const client = openAlexFor(sim);
    const error = await runAll(client, papers, 1).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).kind).toBe("budget_exhausted");
    const midnight = new Date();
    midnight.setUTCHours(24, 0, 0, 0);
    expect(Math.abs((error as HttpError).resetsAt!.getTime() - midnight.getTime())).toBeLessThan(5000);
    expect(sim.requestLog.map((e) => e.status)).toEqual([200, 200, 429]);
    // Seconds before midnight the Retry-After is short: the headers still say "budget".
    const late = await start({ openalexBudget: 0, now: () => Date.UTC(2026, 0, 1, 23, 59, 50) });
    const lateError = await openAlexFor(late)
      .lookupBatch(papers.slice(0, 1))
      .catch((e: unknown) => e);
    expect(late.requestLog[0]?.retryAfter).toBe(10);
    expect((lateError as HttpError).kind).toBe("budget_exhausted");
  });

  it("requires keys when asked: right keys match, wrong or missing keys are auth errors", async () => {
    const keys = { openalex: "oa-key-SECRET-1234", s2: "s2-key-SECRET-5678" };
    const sim = await start({ requireKeys: keys });
    const papers = papersOf(generateInputFile(corpus, { count: 4, mix: "mixed", seed: 8, notFoundShare: 0 }));
    const ok = [openAlexFor(sim, { apiKey: keys.openalex }), s2For(sim, { apiKey: keys.s2 })];
    for (const client of ok)
      expect((await runAll(client, papers)).results.map((r) => r.outcome)).not.toContain("failed");
    const wrong = [
      [openAlexFor(sim, { apiKey: "oa-wrong-key" }), 401],
      [openAlexFor(sim), 401],
      [s2For(sim, { apiKey: "s2-wrong-key" }), 403],
      [s2For(sim), 403],
    ] as const;
    for (const [client, status] of wrong) {
      const error = await client.lookupBatch(papers.slice(0, 1)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HttpError);
      expect([(error as HttpError).kind, (error as HttpError).status]).toEqual(["auth", status]);
    }
    const log = JSON.stringify(sim.requestLog);
    for (const secret of [...Object.values(keys), "oa-wrong-key", "s2-wrong-key"])
      expect(log).not.toContain(secret);
  });

  it("answers byte-identically for the same seed (faults included) and differently for another seed", async () => {
    const faults = { rate: 0.3, seed: 1, kinds: ["500", "503", "429"] as const };
    const [a, b, other] = await Promise.all([
      startSimulator({ seed: 11, corpusSize: 300, faults }),
      startSimulator({ seed: 11, corpusSize: 300, faults }),
      startSimulator({ seed: 12, corpusSize: 300 }),
    ]);
    sims.push(a, b, other);
    const some = a.corpus.works;
    const doi = some.find((w) => w.doi)!;
    const targets = [
      `/openalex/works?filter=doi:${some
        .flatMap((w) => w.doi ?? [])
        .slice(0, 40)
        .join("|")}&per_page=100`,
      `/openalex/works?filter=title.search:${encodeURIComponent(some[3]!.title.replace(/[:?]/g, ""))}&per_page=5`,
      `/openalex/works/doi:${encodeURIComponent(doi.doi!)}?select=id,doi,title,abstract_inverted_index`,
      `/s2/graph/v1/paper/search/match?query=${encodeURIComponent(some[5]!.title)}&fields=title,authors,year`,
      ...Array.from(
        { length: 12 },
        (_, i) => `/s2/graph/v1/paper/CorpusId:${some[i]!.corpusId}?fields=title`,
      ),
    ];
    const fetchAll = async (sim: Simulator) => {
      const out: string[] = [];
      for (const t of targets) {
        const res = await fetch(`${sim.url}${t}`);
        out.push(`${res.status} ${res.headers.get("content-type")} ${await res.text()}`);
      }
      return out;
    };
    const [bodiesA, bodiesB, bodiesOther] = [await fetchAll(a), await fetchAll(b), await fetchAll(other)];
    expect(bodiesB).toEqual(bodiesA);
    expect(bodiesA.some((x) => x.startsWith("5") || x.startsWith("429"))).toBe(true);
    expect(bodiesOther).not.toEqual(bodiesA);
    // The corpus is a function of the seed too.
    expect(JSON.stringify(createCorpus({ seed: 11, size: 50 }))).toBe(
      JSON.stringify(createCorpus({ seed: 11, size: 50 })),
    );
  });

  it("speaks the real shapes: select, HTML 404, S2 error bodies", async () => {
    const sim = await start();
    const work = corpus.works.find((w) => w.doi && w.abstract)!;
    const one = await fetch(`${sim.openalexUrl}/works/doi:${work.doi}?select=id,abstract_inverted_index`);
    const body = (await one.json()) as Record<string, never>;
    expect(Object.keys(body)).toEqual(["id", "abstract_inverted_index"]);
    expect(rebuildAbstract(body.abstract_inverted_index)).toBe(work.abstract);
    const missing = await fetch(`${sim.openalexUrl}/works/doi:10.5555%2Fnowhere`);
    expect([missing.status, missing.headers.get("content-type")]).toEqual([404, "text/html; charset=utf-8"]);
    expect(await missing.text()).toContain("<title>404 Not Found</title>");
    const ids = Array.from({ length: 501 }, (_, i) => `CorpusId:${i}`);
    const tooMany = await fetch(`${sim.s2Url}/paper/batch?fields=title`, {
      method: "POST",
      body: JSON.stringify({ ids }),
    });
    expect([tooMany.status, Object.keys((await tooMany.json()) as object)]).toEqual([400, ["error"]]);
    const noMatch = await fetch(`${sim.s2Url}/paper/search/match?query=qwerty+zxcvb&fields=title`);
    expect([noMatch.status, await noMatch.json()]).toEqual([404, { error: "Title match not found" }]);
  });

  it("runs as a child process: one JSON line on stdout, an input file on request, exit on SIGTERM", async () => {
    const dir = await testdir("cf-sim-");
    const input = path.join(dir, "input.json");
    const main = path.resolve(import.meta.dirname, "../../dist/simulator/main.js");
    const args = [
      main,
      "--port",
      "0",
      "--seed",
      "5",
      "--corpus-size",
      "200",
      "--write-input",
      input,
      "--count",
      "20",
    ];
    const child = spawn(process.execPath, [...args, "--mix", "mixed"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const line = await new Promise<string>((resolve) =>
      createInterface({ input: child.stdout }).once("line", resolve),
    );
    const ready = JSON.parse(line) as { url: string; openalex_url: string; s2_url: string };
    expect(ready.openalex_url).toBe(`${ready.url}/openalex`);
    expect(ready.s2_url).toBe(`${ready.url}/s2/graph/v1`);
    const file = JSON.parse(await readFile(input, "utf8")) as { papers: unknown[] };
    expect(file.papers).toHaveLength(20);
    expect((await fetch(`${ready.openalex_url}/works?per_page=1`)).status).toBe(200);
    const exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
