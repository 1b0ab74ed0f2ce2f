import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { stripAccents } from "../../src/simulator/author-noise.js";
import { createCorpus, primaryDoi, type SimWork } from "../../src/simulator/corpus.js";
import { DECOY_KINDS, SAME_WORDS_KINDS } from "../../src/simulator/decoys.js";
import { expectedWork, generateInput, generateInputFile } from "../../src/simulator/input-gen.js";
import type { LegacyPaper } from "../../src/simulator/legacy-format.js";
import { openAlexCredits } from "../../src/simulator/pricing.js";
import { S2_ID_GAP_KINDS } from "../../src/simulator/s2-ids.js";
import { contentTokens, searchAll, searchTitles, titleKey } from "../../src/simulator/search.js";
import {
  openAlexSpend,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from "../../src/simulator/server.js";
import { TITLE_NOISE_FORMS, type TitleNoiseForm, TRACK_LABELS } from "../../src/simulator/title-noise.js";
import * as W from "../../src/simulator/words.js";
import { HttpError } from "../../src/sources/http.js";
import { rebuildAbstract } from "../../src/sources/openalex/mapping.js";
import { normalizeTitle } from "../../src/sources/title-matcher.js";
import { audit, FAST, openAlexFor, papersOf, runAll, s2For } from "../helpers/simulator-clients.js";
import { testdir } from "../helpers/testdir.js";

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

// ---------------------------------------------------------------------------------------------
// Title matching on messy inputs: AND search, /paper/search, decoys, noisy and legacy inputs.

const sha = (value: unknown) =>
  createHash("sha256")
    .update(typeof value === "string" ? value : JSON.stringify(value))
    .digest("hex");
const messyCorpus = createCorpus({ seed: 9, size: 3000, decoyShare: 0.15, messy: true });
const decoys = messyCorpus.works.filter((w) => w.decoyOf !== undefined);
const trueOf = (decoy: SimWork) => messyCorpus.works[decoy.decoyOf!]!;
const get = async (url: string) => {
  const res = await fetch(url);
  return [res.status, (await res.json()) as Record<string, unknown>] as const;
};
const titleSearch = (sim: Simulator, q: string, extra = "") =>
  get(
    `${sim.openalexUrl}/works?filter=title.search:${encodeURIComponent(q)}${extra}&per_page=50&select=id,title`,
  );
const idsOf = (body: Record<string, unknown>) =>
  ((body.results ?? []) as Array<{ id: string }>).map((r) => r.id.replace("https://openalex.org/", ""));

describe("simulator defaults are unchanged", () => {
  it("gives the corpus, inputs and loose search answers computed before the messy-input options existed", () => {
    const c = createCorpus({ seed: 7, size: 1500 });
    expect(sha(c.works.map((w) => w.title).join("\n"))).toBe(
      "c05c846073254097850378245eb8f14fef7de08af745ffc9c92d87e8063e5e2a",
    );
    expect(sha(c.works)).toBe("51ffd3539178001af8d687fa6333cf28c218a2c49cec9689904d219dcc84d066");
    const inputs = {
      mixed: "9dc918b591d6eab1b7a237ca79704031066fd2961b6fd38c5971b2f8a281f347",
      doi: "02bd2a2f07cfc0fc12c2c034ee603d8396ffc20c3e9540a160cc9ebf36947b85",
      title: "073b288748ed59abe66183d99c9cdc7d2754110c82c1ff0f810c51bf261dc312",
    } as const;
    for (const [mix, hash] of Object.entries(inputs)) {
      const options = { count: 300, mix: mix as keyof typeof inputs, seed: 3 };
      expect(sha(generateInputFile(c, options))).toBe(hash);
      const { file, truth } = generateInput(c, options);
      expect(sha(file)).toBe(hash);
      expect(truth).toEqual(file.papers.map((p) => expectedWork(c, p)));
    }
    const loose = c.works.slice(0, 50).map((w) =>
      searchTitles(c, w.title)
        .slice(0, 3)
        .map((h) => [h.work.index, h.score]),
    );
    expect(sha(loose)).toBe("3a8bac5b14a7e8eb36601195316b6f8ff76cd2ca1d8a7a8008de5c669cbc1d0e");
  });
});

describe("simulator search semantics", () => {
  it("title.search is an AND search: one stray word gives no hit, the clean query (any case, plurals) finds the work", async () => {
    const sim = await start();
    const work = corpus.works[10]!;
    const clean = work.title.replace(/[:?]/g, "");
    const [, found] = await titleSearch(sim, clean);
    expect(idsOf(found)[0]).toBe(work.openalexId);
    expect(idsOf(found).every((id) => titleKey(corpus.byOpenAlexId.get(id)!.title).length > 0)).toBe(true);
    const [, singular] = await titleSearch(sim, clean.toLowerCase().replace(/s\b/g, ""));
    expect(idsOf(singular)).toContain(work.openalexId);
    for (const stray of ["extended", "amp", "textit"]) {
      const [status, body] = await titleSearch(sim, `${clean} ${stray}`);
      expect([status, (body.meta as { count: number }).count, body.results]).toEqual([200, 0, []]);
    }
    const [, inYear] = await titleSearch(sim, clean, `,publication_year:${work.year}`);
    expect(idsOf(inYear)[0]).toBe(work.openalexId);
    const [, otherYears] = await titleSearch(sim, clean, `,publication_year:${work.year + 5}-`);
    expect(idsOf(otherYears)).not.toContain(work.openalexId);
  });

  it("search= is an AND search over title and abstract, combinable with filters", async () => {
    const sim = await start();
    const work = corpus.works.find((w) => w.abstract && w.title.includes(":"))!;
    const titleWords = contentTokens(work.title);
    const abstractWord = contentTokens(work.abstract!).find((t) => !titleWords.includes(t) && t.length > 6)!;
    const query = `${titleWords.slice(0, 2).join(" ")} ${abstractWord}`;
    const url = (q: string, extra = "") =>
      `${sim.openalexUrl}/works?search=${encodeURIComponent(q)}${extra}&per_page=200&select=id,relevance_score`;
    const [status, body] = await get(url(query));
    expect(status).toBe(200);
    expect(idsOf(body)).toContain(work.openalexId);
    expect((body.results as Array<{ relevance_score: number }>)[0]?.relevance_score).toBeGreaterThan(0);
    const [, filtered] = await get(url(query, `&filter=publication_year:${work.year}`));
    expect(idsOf(filtered)).toContain(work.openalexId);
    expect(idsOf(filtered).every((id) => corpus.byOpenAlexId.get(id)!.year === work.year)).toBe(true);
    const [, none] = await get(url(`${query} qwertyzxcv`));
    expect((none.meta as { count: number }).count).toBe(0);
    // The abstract word alone is not in the title: title.search does not find the work by it.
    const [, titleOnly] = await titleSearch(sim, query);
    expect(idsOf(titleOnly)).not.toContain(work.openalexId);
  });

  it("/paper/search answers {total, offset, next?, data}, no data when empty, 400 for bad parameters", async () => {
    const sim = await start();
    const work = corpus.works[20]!;
    const search = (params: string) => get(`${sim.s2Url}/paper/search?${params}`);
    const [status, body] = await search(`query=${encodeURIComponent(work.title)}&fields=title,year&limit=3`);
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(["total", "offset", "next", "data"]);
    expect([body.offset, body.next]).toEqual([0, 3]);
    expect((body.data as Array<Record<string, unknown>>)[0]).toEqual({
      paperId: work.paperId,
      title: work.title,
      year: work.year,
    });
    const total = body.total as number;
    const [, last] = await search(`query=${encodeURIComponent(work.title)}&offset=${total - 2}&limit=5`);
    expect(Object.keys(last)).toEqual(["total", "offset", "data"]);
    expect((last.data as unknown[]).length).toBe(2);
    const [, years] = await search(
      `query=${encodeURIComponent(work.title)}&year=2019-2020&fields=year&limit=100`,
    );
    expect((years.data as Array<{ year: number }>).every((p) => p.year >= 2019 && p.year <= 2020)).toBe(true);
    expect(await search("query=n0+r3sult+s3arch+t3rm&fields=title")).toEqual([200, { total: 0, offset: 0 }]);
    for (const bad of [
      "fields=title",
      "query=x&limit=0",
      "query=x&limit=101",
      "query=x&offset=995&limit=10",
      "query=x&year=20x9",
    ]) {
      const [code, error] = await search(bad);
      expect([code, Object.keys(error)]).toEqual([400, ["error"]]);
    }
    expect(sim.requestLog.filter((e) => e.path === "/paper/search")).toHaveLength(9);
  });
});

describe("simulator decoys", () => {
  it("adds near-miss decoys of every kind: own ids, unique title keys (but far-year), more citations, some shared authors", () => {
    expect(decoys.length).toBe(450);
    expect(new Set(decoys.map((d) => d.decoyKind))).toEqual(new Set(DECOY_KINDS));
    // Same-words decoys (far-year, a word repeated or swapped, a question) share their true work's key.
    const keys = messyCorpus.works
      .filter((w) => w.decoyKind === undefined || !SAME_WORDS_KINDS.includes(w.decoyKind))
      .map((w) => titleKey(w.title));
    expect(new Set(keys).size).toBe(keys.length);
    for (const d of decoys) {
      const original = trueOf(d);
      expect(original.decoyOf).toBeUndefined();
      expect(d.citedByCount).toBeGreaterThan(original.citedByCount);
      expect(d.citationCount).toBeGreaterThan(original.citationCount);
      expect(messyCorpus.byPaperId.get(d.paperId)).toBe(d);
      expect(messyCorpus.byOpenAlexId.get(d.openalexId)).toBe(d);
      if (d.decoyKind === "far-year") {
        expect(d.title).toBe(original.title);
        expect(Math.abs(d.year - original.year)).toBeGreaterThanOrEqual(2);
      } else if (SAME_WORDS_KINDS.includes(d.decoyKind!)) {
        expect(titleKey(d.title)).toBe(titleKey(original.title));
        expect(d.title).not.toBe(original.title);
      } else {
        expect(titleKey(d.title)).not.toBe(titleKey(original.title));
      }
    }
    const negation = decoys.find((d) => d.decoyKind === "negation")!;
    expect(contentTokens(negation.title)).toContain("not");
    const sharing = decoys.filter((d) =>
      d.authors.some((a) => trueOf(d).authors.some((b) => b.name === a.name)),
    );
    expect(sharing.length / decoys.length).toBeGreaterThan(0.2);
    expect(sharing.length / decoys.length).toBeLessThan(0.4);
    // Same corpus for the same options.
    expect(sha(createCorpus({ seed: 9, size: 3000, decoyShare: 0.15, messy: true }).works)).toBe(
      sha(messyCorpus.works),
    );
  });

  it("ranks a decoy above its true work in every search that hits both", () => {
    let both = 0;
    for (const d of decoys) {
      const original = trueOf(d);
      const words = [...new Set([...contentTokens(original.title), ...contentTokens(d.title)])];
      const queries = [
        original.title,
        d.title,
        words.filter((_, i) => i % 2 === 0).join(" "),
        words.slice(1).join(" "),
      ];
      for (const q of queries) {
        for (const hits of [
          searchTitles(messyCorpus, q),
          searchAll(messyCorpus, q),
          searchAll(messyCorpus, q, { abstracts: true }),
        ]) {
          const [di, oi] = [hits.findIndex((h) => h.work === d), hits.findIndex((h) => h.work === original)];
          if (di < 0 || oi < 0) continue;
          both++;
          expect(di, `${q} | ${d.title}`).toBeLessThan(oi);
        }
      }
    }
    expect(both).toBeGreaterThan(1000);
  });

  it("answers a true title with its decoy in /paper/search/match, and lists the decoy first in title.search", async () => {
    const sim = await start({ corpus: messyCorpus });
    for (const d of decoys.slice(0, 40)) {
      const original = trueOf(d);
      const [status, match] = await get(
        `${sim.s2Url}/paper/search/match?query=${encodeURIComponent(original.title)}&fields=title,year`,
      );
      expect(status).toBe(200);
      expect((match.data as Array<{ paperId: string }>)[0]?.paperId, d.title).toBe(d.paperId);
      const [, list] = await titleSearch(sim, original.title.replace(/[:?]/g, ""));
      const ids = idsOf(list);
      if (ids.includes(d.openalexId))
        expect(ids.indexOf(d.openalexId)).toBeLessThan(ids.indexOf(original.openalexId));
      else expect(d.decoyKind).toBe("substitute");
    }
  });
});

describe("simulator messy inputs", () => {
  const NOISE: Record<TitleNoiseForm, RegExp> = {
    track: new RegExp(`(${TRACK_LABELS.map((l) => l.replace(/[()[\]{}.*+?^$|]/g, "\\$&")).join("|")})$`),
    "entity-amp": /&amp;(?![#\w]+;)/,
    "entity-colon": /(?<!&amp;)&#58;/,
    "entity-apostrophe": /(?<!&amp;)&#39;/,
    "entity-dash": /&#x2013;/,
    "entity-quot": /&quot;/,
    "entity-nbsp": /&nbsp;/,
    "entity-double": /&amp;(amp|#\d+);/,
    "html-tag": /<(i|b|sub)>[^<]+<\/\1>/,
    latex: /\\(textit|emph|textbf)\{|\{\\em /,
    "bibtex-braces": /\{[\p{L}-]+\}/u,
    math: /\$\\(ell_\d|alpha|beta)\$|\bAlpha-|\bbeta-/,
    footnote: /[*†∗⋆‡]|&ast;/,
    "html-footnote": /<sup>[^<]+<\/sup>$|\$\^\{a,b\}\$$/,
    "line-break": /<br ?\/?>/,
    "entity-multi": /&amp;amp;amp;/,
  };
  /** What a matcher has to undo to see the corpus words again: the cleaning and normalisation itself. */
  const cleaned = (title: string) => normalizeTitle(title);

  it("is deterministic: same options, same file and truth; decoys are never a paper's work", () => {
    const options = {
      count: 300,
      mix: "mixed" as const,
      seed: 4,
      titleNoise: 0.5,
      nearMissShare: 0.5,
      notFoundShare: 0.2,
    };
    const a = generateInput(messyCorpus, options);
    expect(sha(generateInput(messyCorpus, options))).toBe(sha(a));
    expect(sha(generateInput(messyCorpus, { ...options, seed: 5 }).file)).not.toBe(sha(a.file));
    expect(a.truth).toHaveLength(300);
    expect(a.truth.filter((w) => w === undefined)).toHaveLength(60);
    expect(a.truth.some((w) => w?.decoyOf !== undefined)).toBe(false);
    // The noise options change titles and authors only: the same works at the same positions.
    expect(generateInput(messyCorpus, { ...options, titleNoise: 0, nearMissShare: 0 }).truth).toEqual(
      a.truth,
    );
  });

  it("produces every title and author noise form at titleNoise 1, each recoverable to the work's title", () => {
    const { file, truth } = generateInput(messyCorpus, {
      count: 800,
      mix: "title",
      seed: 1,
      titleNoise: 1,
      notFoundShare: 0,
    });
    const seen = new Set<string>();
    file.papers.forEach((paper, i) => {
      const work = truth[i]!;
      const forms = TITLE_NOISE_FORMS.filter((f) => NOISE[f].test(paper.title));
      expect(forms.length, paper.title).toBeGreaterThan(0);
      for (const f of forms) seen.add(f);
      expect(titleKey(cleaned(paper.title)), paper.title).toBe(titleKey(cleaned(work.title)));
      const names = paper.authors.map((a) => a.name);
      if (names.length === 1 && work.authors.length >= 2) seen.add("combined");
      if (names[0]?.startsWith("Prof. ")) seen.add("honorific");
      if (names.some((n) => /<sup>|\$\^/u.test(n))) seen.add("markup");
      if (names.some((n) => /&[#\w]+;/u.test(n))) seen.add("entities");
      if (names.at(-1) === "et al.") seen.add("et-al");
      if (names.some((n) => /^[^,]+, [^,]+$/.test(n))) seen.add("last-first");
      if (names.some((n, k) => n !== work.authors[k]?.name && stripAccents(work.authors[k]!.name) === n))
        seen.add("no-accents");
    });
    expect([...seen].sort()).toEqual(
      [
        ...TITLE_NOISE_FORMS,
        "et-al",
        "last-first",
        "no-accents",
        "combined",
        "honorific",
        "markup",
        "entities",
      ].sort(),
    );
  });

  it("makes near-miss absent papers that no corpus work matches by title key within a year", () => {
    const { file, truth } = generateInput(messyCorpus, {
      count: 400,
      mix: "title",
      seed: 2,
      notFoundShare: 0.5,
      nearMissShare: 1,
    });
    const keys = new Map<string, number[]>();
    for (const w of messyCorpus.works)
      keys.set(titleKey(w.title), [...(keys.get(titleKey(w.title)) ?? []), w.year]);
    const absent = file.papers.filter((_, i) => truth[i] === undefined);
    expect(absent).toHaveLength(200);
    let sameTitle = 0;
    for (const paper of absent) {
      const years = keys.get(titleKey(paper.title)) ?? [];
      expect(
        years.every((y) => Math.abs(y - paper.year) >= 2),
        paper.title,
      ).toBe(true);
      if (years.length > 0) sameTitle++;
      // A near miss, not one of the unrelated absent titles.
      expect(contentTokens(paper.title).some((t) => W.ABSENT_WORDS.some((a) => a.toLowerCase() === t))).toBe(
        false,
      );
    }
    expect(sameTitle).toBeGreaterThan(20);
    expect(absent.filter((p) => contentTokens(p.title).includes("not")).length).toBeGreaterThan(20);
  });

  it("writes the legacy flat list: numbers for citations, string abstracts, no DOI, extra keys", () => {
    const options = { count: 300, mix: "mixed" as const, seed: 6 };
    const { file, truth } = generateInput(messyCorpus, { ...options, legacy: true });
    expect(Array.isArray(file)).toBe(true);
    expect(truth).toEqual(generateInput(messyCorpus, options).truth);
    const share = (test: (p: LegacyPaper) => boolean) => file.filter(test).length / file.length;
    for (const p of file) {
      expect(Object.keys(p)).not.toContain("doi");
      expect(Object.keys(p)).not.toContain("arxiv_id");
      expect([typeof p.citations, typeof p.abstract, typeof p.venue_score, typeof p.collection_year]).toEqual(
        ["number", "string", "number", "number"],
      );
      expect(["semantic_scholar", "semanticscholar", "openalex"]).toContain(p.source);
      expect(typeof p.computational_analysis).toBe("object");
      expect([typeof p.domain, typeof p.mila_domain]).toEqual(["string", "string"]);
      if (p.collection_timestamp !== undefined)
        expect(p.collection_timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
      for (const a of p.authors) {
        if (typeof a === "string") continue;
        expect(typeof a.affiliation).toBe("string");
        expect(a.author_id).toMatch(/^\d+$/);
        if ("email" in a) expect(a.email).toBe("");
      }
    }
    expect(share((p) => p.venue === "")).toBeGreaterThan(0.05);
    expect(share((p) => p.citations === 0)).toBeGreaterThan(0.2);
    expect(share((p) => p.abstract === "")).toBeGreaterThan(0.2);
    expect(share((p) => p.collection_timestamp === undefined)).toBeGreaterThan(0.05);
    expect(share((p) => typeof p.authors[0] === "string")).toBeGreaterThan(0.1);
    expect(share((p) => p.authors.some((a) => typeof a !== "string" && !("email" in a)))).toBeGreaterThan(
      0.05,
    );
    const ids = file.map((p) => p.paper_id).filter((id) => id !== "");
    expect(ids.length / file.length).toBeGreaterThan(0.1);
    expect(ids.length / file.length).toBeLessThan(0.5);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("messy corpora have Unicode titles and noisy author names in both APIs", async () => {
    const titles = messyCorpus.works.map((w) => w.title);
    for (const c of ["ℓ1", "α", "β", "&", "'"])
      expect(
        titles.some((t) => t.includes(c)),
        c,
      ).toBe(true);
    const authors = messyCorpus.works.flatMap((w) => w.authors);
    const greek = authors.find((a) =>
      /^[^,]+, [\p{Script=Greek}]+, [^,]+, [\p{Script=Greek}]+$/u.test(a.s2Name),
    )!;
    const middle = authors.find((a) => a.openalexName)!;
    expect(greek).toBeDefined();
    expect(middle.openalexName).toMatch(/^\S+ [A-Z]\. \S+$/);
    expect(middle.s2Name).toMatch(/^[A-Z]\. /);
    const sim = await start({ corpus: messyCorpus });
    const work = messyCorpus.works.find((w) => w.authors.includes(middle))!;
    const [, oa] = await get(`${sim.openalexUrl}/works/${work.openalexId}?select=authorships`);
    const names = (oa.authorships as Array<{ author: { display_name: string } }>).map(
      (a) => a.author.display_name,
    );
    expect(names).toContain(middle.openalexName);
  });

  it("the CLI writes noisy, legacy inputs and a truth file of work ids", async () => {
    const dir = await testdir("cf-sim-");
    const [input, truthFile] = [path.join(dir, "input.json"), path.join(dir, "truth.json")];
    const main = path.resolve(import.meta.dirname, "../../dist/simulator/main.js");
    const args = [
      "--seed",
      "5",
      "--corpus-size",
      "400",
      "--decoy-share",
      "0.2",
      "--messy",
      "--write-input",
      input,
    ];
    const more = [
      "--count",
      "40",
      "--mix",
      "title",
      "--title-noise",
      "1",
      "--near-miss-share",
      "1",
      "--not-found-share",
      "0.25",
    ];
    const child = spawn(process.execPath, [main, ...args, ...more, "--legacy", "--write-truth", truthFile], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const line = await new Promise<string>((resolve) =>
      createInterface({ input: child.stdout }).once("line", resolve),
    );
    const ready = JSON.parse(line) as { openalex_url: string; s2_url: string };
    const papers = JSON.parse(await readFile(input, "utf8")) as LegacyPaper[];
    const truth = JSON.parse(await readFile(truthFile, "utf8")) as Array<{
      openalex_id: string;
      s2_paper_id: string;
    } | null>;
    expect([Array.isArray(papers), papers.length, truth.length]).toEqual([true, 40, 40]);
    expect(truth.filter((t) => t === null)).toHaveLength(10);
    const first = truth.find((t) => t !== null)!;
    expect(first.openalex_id).toMatch(/^https:\/\/openalex\.org\/W\d+$/);
    expect(first.s2_paper_id).toMatch(/^[0-9a-f]{40}$/);
    expect((await fetch(`${ready.openalex_url}/works/${first.openalex_id.split("/").at(-1)}`)).status).toBe(
      200,
    );
    expect((await fetch(`${ready.s2_url}/paper/${first.s2_paper_id}`)).status).toBe(200);
    const exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// 2026 pricing: OpenAlex credits and the USD budget; Semantic Scholar id gaps.

const RATE_HEADERS = [
  "x-ratelimit-limit",
  "x-ratelimit-remaining",
  "x-ratelimit-credits-used",
  "x-ratelimit-limit-usd",
  "x-ratelimit-remaining-usd",
  "x-ratelimit-cost-usd",
] as const;
const rateHeadersOf = (res: Response) => RATE_HEADERS.map((h) => res.headers.get(h));
const doiList = (works: readonly SimWork[]) =>
  `/works?filter=doi:${works.map((w) => primaryDoi(w)).join("|")}&per_page=100`;
const titleSearchPath = (work: SimWork) =>
  `/works?filter=title.search:${encodeURIComponent(work.title.replace(/[:?]/g, ""))}&per_page=5`;
const searchPath = (work: SimWork) =>
  `/works?search=${encodeURIComponent(work.title.replace(/[:?]/g, ""))}&per_page=5`;

describe("simulator OpenAlex pricing", () => {
  it("classifies requests: singletons are free, lists cost 1 credit, any search 10", () => {
    const credits = (path: string, query = "") => openAlexCredits(path, new URLSearchParams(query));
    expect(credits("/works/W4300000001")).toBe(0);
    expect(credits("/works/doi:10.5555%2Fsim.1", "select=id,doi")).toBe(0);
    expect(credits("/works/https://doi.org/10.5555/sim.1")).toBe(0);
    expect(credits("/works", "filter=doi:10.5555/sim.1|10.5555/sim.2&per_page=100")).toBe(1);
    expect(credits("/works/", "filter=publication_year:2020")).toBe(1);
    expect(credits("/works")).toBe(1);
    const searches = ["title", "default", "title_and_abstract", "abstract", "display_name"];
    for (const field of searches) {
      expect(credits("/works", `filter=publication_year:2020,${field}.search:deep nets`), field).toBe(10);
    }
    expect(credits("/works", "search=deep nets&per_page=5")).toBe(10);
    expect(credits("/works", "search=deep&filter=doi:10.5555/sim.1")).toBe(10);
    // A field merely named like a search is a list.
    expect(credits("/works", "filter=doi:10.5555/search")).toBe(1);
  });

  it("answers with the request's cost and what is left of the default $10 (100,000 credits)", async () => {
    const sim = await start();
    const [work, other] = [corpus.works[30]!, corpus.works[31]!];
    const at = async (path: string) => rateHeadersOf(await fetch(`${sim.openalexUrl}${path}`));
    expect(await at(`/works/doi:${encodeURIComponent(primaryDoi(work)!)}`)).toEqual([
      "100000",
      "100000",
      "0",
      "10",
      "10",
      "0",
    ]);
    expect(await at(doiList([work, other]))).toEqual(["100000", "99999", "1", "10", "9.9999", "0.0001"]);
    expect(await at(titleSearchPath(work))).toEqual(["100000", "99989", "10", "10", "9.9989", "0.001"]);
    expect(await at(searchPath(work))).toEqual(["100000", "99979", "10", "10", "9.9979", "0.001"]);
    expect(byApi(sim, "openalex").map((e) => [e.credits, e.costUsd])).toEqual([
      [0, 0],
      [1, 0.0001],
      [10, 0.001],
      [10, 0.001],
    ]);
    expect(openAlexSpend(sim.requestLog)).toEqual({
      credits: 21,
      usd: 0.0021,
      searches: 2,
      lists: 1,
      singletons: 1,
    });
  });

  it("refuses a request that does not fit the daily USD budget, uncharged; free singletons still pass", async () => {
    const sim = await start({ openalexDailyUsd: 0.0025, now: () => Date.UTC(2026, 0, 1, 23, 0, 0) });
    const [work, other] = [corpus.works[40]!, corpus.works[41]!];
    const get = (path: string) => fetch(`${sim.openalexUrl}${path}`);
    for (const [path, remaining] of [
      [titleSearchPath(work), "0.0015"],
      [searchPath(work), "0.0005"],
      [doiList([work, other]), "0.0004"],
    ] as const) {
      const res = await get(path);
      expect([res.status, res.headers.get("x-ratelimit-remaining-usd")]).toEqual([200, remaining]);
      expect(res.headers.get("x-ratelimit-limit-usd")).toBe("0.0025");
    }
    const refused = await get(titleSearchPath(other));
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({
      error: "Rate limit exceeded",
      message:
        "Insufficient budget. This request costs $0.001 but you only have $0.0004 remaining. Resets at midnight UTC. Need more? Add funds at https://openalex.org/pricing",
      retryAfter: 3600,
      costUsd: 0.001,
      dailyRemainingUsd: 0.0004,
      prepaidRemainingUsd: 0,
      creditsRequired: 10,
      creditsRemaining: 4,
      onetimeCreditsRemaining: 0,
    });
    const headers = [
      "x-ratelimit-limit",
      "x-ratelimit-remaining",
      "x-ratelimit-credits-required",
      "x-ratelimit-cost-required-usd",
      "x-ratelimit-reset",
      "retry-after",
    ].map((h) => refused.headers.get(h));
    expect(headers).toEqual(["25", "4", "10", "0.001", "3600", "3600"]);
    const single = await get(`/works/${other.openalexId}`);
    expect([single.status, ...rateHeadersOf(single)]).toEqual([200, "25", "4", "0", "0.0025", "0.0004", "0"]);
    const list = await get(doiList([other]));
    expect([list.status, list.headers.get("x-ratelimit-remaining")]).toEqual([200, "3"]);
    expect(byApi(sim, "openalex").map((e) => [e.status, e.credits])).toEqual([
      [200, 10],
      [200, 10],
      [200, 1],
      [429, undefined],
      [200, 0],
      [200, 1],
    ]);
    expect(openAlexSpend(sim.requestLog)).toMatchObject({ credits: 22, usd: 0.0022 });
    // The real client reads the refusal as the daily budget (remaining < required), not a throttle.
    const title = papersOf(generateInputFile(corpus, { count: 1, mix: "title", seed: 9, notFoundShare: 0 }));
    const error = await openAlexFor(sim)
      .lookupBatch(title)
      .catch((e: unknown) => e);
    expect((error as HttpError).kind).toBe("budget_exhausted");
  });

  it("charges what the cost headers say: throttled, refused and faulted requests cost nothing", async () => {
    // A clock 50 ms further on each request: 20 requests a second against a limit of 12.
    let clock = Date.UTC(2026, 0, 1, 12, 0, 0);
    const sim = await start({
      openalexDailyUsd: 0.03,
      now: () => (clock += 50),
      rateLimits: { openalex: 12 },
      faults: { rate: 0.2, seed: 3, kinds: ["500", "429", "503"] },
    });
    const works = corpus.works.slice(100, 160);
    const paths = works.flatMap((w, i) => [
      `/works/${w.openalexId}`,
      i % 3 === 0 ? searchPath(w) : titleSearchPath(w),
      doiList(works.slice(i, i + 5)),
      `/works?filter=doi:${primaryDoi(w)}&per_page=qq`,
    ]);
    let seenCredits = 0;
    let seenUsd = 0;
    const statuses = new Set<number>();
    for (let i = 0; i < paths.length; i += 8) {
      await Promise.all(
        paths.slice(i, i + 8).map(async (path) => {
          const res = await fetch(`${sim.openalexUrl}${path}`);
          statuses.add(res.status);
          seenCredits += Number(res.headers.get("x-ratelimit-credits-used") ?? 0);
          seenUsd += Number(res.headers.get("x-ratelimit-cost-usd") ?? 0);
          await res.arrayBuffer();
        }),
      );
    }
    expect([...statuses].sort()).toEqual([200, 400, 429, 500, 503]);
    const spend = openAlexSpend(sim.requestLog);
    expect(spend.credits).toBe(seenCredits);
    expect(spend.usd).toBeCloseTo(seenUsd, 10);
    expect(spend.usd).toBe(spend.credits / 10_000);
    expect(spend.credits).toBe(10 * spend.searches + spend.lists);
    // The budget ran out on the way: some searches were refused, and nothing more was charged.
    const refused = sim.requestLog.filter((e) => e.status === 429 && (e.retryAfter ?? 0) > 1);
    expect(refused.length).toBeGreaterThan(0);
    expect(spend.credits).toBeLessThanOrEqual(300);
    expect(
      sim.requestLog.filter((e) => e.fault || e.status === 429).every((e) => e.credits === undefined),
    ).toBe(true);
  });
});

describe("simulator S2 id gaps", () => {
  const gapped = createCorpus({ seed: 42, size: 3000, s2IdGaps: 0.3 });
  const withGap = gapped.works.filter((w) => w.s2Ids);
  const ofKind = (kind: (typeof S2_ID_GAP_KINDS)[number]) => withGap.filter((w) => w.s2Ids?.kind === kind);
  /** The DOI S2 lists for a gap work of kind unknown-doi or wrong-doi. */
  const gapDoi = (work: SimWork) => (work.s2Ids as { doi: string }).doi;
  const post = async (sim: Simulator, ids: string[]) => {
    const res = await fetch(`${sim.s2Url}/paper/batch?fields=externalIds`, {
      method: "POST",
      body: JSON.stringify({ ids }),
    });
    return (await res.json()) as Array<{ paperId: string; externalIds: Record<string, unknown> } | null>;
  };

  it("leaves the default corpus alone and draws gaps apart from the corpus's random stream", () => {
    expect(sha(createCorpus({ seed: 42, size: 3000, s2IdGaps: 0 }).works)).toBe(sha(corpus.works));
    expect(corpus.works.some((w) => w.s2Ids)).toBe(false);
    expect(corpus.s2ByDoi).toBeUndefined();
    // The same works, only marked.
    expect(sha(gapped.works.map(({ s2Ids: _gap, ...work }) => work))).toBe(sha(corpus.works));
    expect(sha(createCorpus({ seed: 42, size: 3000, s2IdGaps: 0.3 }).works)).toBe(sha(gapped.works));
  });

  it("gives about 30 % of the works a gap: 60 % no ids, 25 % an unknown DOI, 15 % another work's DOI", () => {
    expect(withGap.length / gapped.works.length).toBeGreaterThan(0.27);
    expect(withGap.length / gapped.works.length).toBeLessThan(0.33);
    const shares = S2_ID_GAP_KINDS.map((kind) => ofKind(kind).length / withGap.length);
    expect(shares[0]).toBeGreaterThan(0.54);
    expect(shares[0]).toBeLessThan(0.66);
    expect(shares[1]).toBeGreaterThan(0.2);
    expect(shares[1]).toBeLessThan(0.3);
    expect(shares[2]).toBeGreaterThan(0.11);
    expect(shares[2]).toBeLessThan(0.19);
    for (const w of ofKind("unknown-doi"))
      expect(w.s2Ids).toEqual({ kind: "unknown-doi", doi: `10.5555/s2only.${w.index + 1}` });
    for (const w of ofKind("wrong-doi")) {
      const owner = gapped.byDoi.get(gapDoi(w));
      expect(owner).toBeDefined();
      expect(owner).not.toBe(w);
    }
  });

  it("S2 lists only the ids it has and finds a work only by them; title match and OpenAlex are unaffected", async () => {
    const sim = await start({ corpus: gapped });
    // Every work by the DOI OpenAlex knows: found by S2 exactly when it has no gap.
    const works = gapped.works.filter((w) => primaryDoi(w));
    for (let i = 0; i < works.length; i += 500) {
      const chunk = works.slice(i, i + 500);
      const found = await post(
        sim,
        chunk.map((w) => `DOI:${primaryDoi(w)}`),
      );
      for (const [k, w] of chunk.entries()) {
        expect(found[k]?.paperId ?? null, w.title).toBe(w.s2Ids ? null : w.paperId);
      }
    }
    const unknown = ofKind("unknown-doi").slice(0, 50);
    const byS2Doi = await post(
      sim,
      unknown.map((w) => `DOI:${gapDoi(w)}`),
    );
    expect(byS2Doi.map((p) => p?.paperId)).toEqual(unknown.map((w) => w.paperId));
    expect(byS2Doi.map((p) => p?.externalIds.DOI)).toEqual(unknown.map(gapDoi));
    expect(byS2Doi.every((p) => p?.externalIds.ArXiv === undefined)).toBe(true);
    // A wrong DOI finds the work that owns it (when that one has no gap itself), never the gap work.
    const wrong = ofKind("wrong-doi").slice(0, 50);
    const byWrongDoi = await post(
      sim,
      wrong.map((w) => `DOI:${gapDoi(w)}`),
    );
    for (const [k, w] of wrong.entries()) {
      const owner = gapped.byDoi.get(gapDoi(w))!;
      expect(byWrongDoi[k]?.paperId ?? null).toBe(owner.s2Ids ? null : owner.paperId);
    }
    expect(byWrongDoi.filter((p) => p !== null).length).toBeGreaterThan(25);
    const arxivGaps = withGap.filter((w) => w.arxivId).slice(0, 50);
    expect(arxivGaps.length).toBeGreaterThan(10);
    const byArxiv = await post(
      sim,
      arxivGaps.map((w) => `ARXIV:${w.arxivId}`),
    );
    expect(new Set(byArxiv)).toEqual(new Set([null]));
    const none = ofKind("none").find((w) => w.doi && w.arxivId)!;
    const listed = await post(
      sim,
      [none, wrong[0]!].map((w) => `CorpusId:${w.corpusId}`),
    );
    expect(listed[0]?.externalIds).toEqual({
      ...(none.dblp ? { DBLP: none.dblp } : {}),
      CorpusId: none.corpusId,
    });
    expect(listed[1]?.externalIds.DOI).toBe(gapDoi(wrong[0]!));
    const gap = withGap.find((w) => w.doi)!;
    expect((await fetch(`${sim.s2Url}/paper/DOI:${gap.doi}`)).status).toBe(404);
    const [matchStatus, match] = await get(
      `${sim.s2Url}/paper/search/match?query=${encodeURIComponent(gap.title)}&fields=title`,
    );
    expect([matchStatus, (match.data as Array<{ paperId: string }>)[0]?.paperId]).toEqual([200, gap.paperId]);
    const [oaStatus, oa] = await get(`${sim.openalexUrl}/works/doi:${gap.doi}?select=id,doi`);
    expect([oaStatus, oa.id]).toEqual([200, `https://openalex.org/${gap.openalexId}`]);
  });
});
