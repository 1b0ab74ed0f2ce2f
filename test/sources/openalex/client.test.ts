import { afterEach, describe, expect, it } from "vitest";
import { type Paper, parsePaper } from "../../../src/model/paper.js";
import { createHttpClient, HttpError, type HttpEvent } from "../../../src/sources/http.js";
import {
  createOpenAlexClient,
  MAX_URL_BYTES,
  type OpenAlexClientOptions,
} from "../../../src/sources/openalex/client.js";
import { type Script, startTestServer, type TestServer } from "../../helpers/http/http-server.js";
import {
  type FakeOpenAlex,
  fakeWork,
  openAlexScript,
  parseRequest,
} from "../../helpers/http/openalex-fake.js";

const KEY = "oa-SECRET-key-4242";
const EMAIL = "someone@example.org";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

let seq = 0;
function paper(fields: Record<string, unknown>): Paper {
  const result = parsePaper(
    { title: "Some paper", venue: "ICML", year: 2023, paper_id: `P${seq++}`, ...fields },
    0,
  );
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.paper;
}

async function setup(script: Script | FakeOpenAlex, extra: Partial<OpenAlexClientOptions> = {}) {
  server = await startTestServer(
    typeof script === "function" || Array.isArray(script) ? script : openAlexScript(script as FakeOpenAlex),
  );
  const events: HttpEvent[] = [];
  const client = createOpenAlexClient({
    baseUrl: server.url,
    version: "0.0.0",
    ratePerSecond: 1000,
    httpOptions: { sleep: async () => {}, maxAttempts: 3 },
    onEvent: (e) => events.push(e),
    ...extra,
  });
  const requests = () => server!.requests.map(parseRequest);
  return { client, events, requests, log: server.requests };
}

async function rejection(promise: Promise<unknown>): Promise<HttpError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpError);
  return error as HttpError;
}

describe("DOI batches", () => {
  it("looks up 200 DOI papers with exactly 2 list calls and no singletons when all are found", async () => {
    const papers = Array.from({ length: 200 }, (_, i) => paper({ doi: `10.1000/p${i}` }));
    const works = papers.map((p, i) => fakeWork(`W${i}`, { doi: p.doi, cited: i }));
    const { client, requests } = await setup({ works });
    const batches = client.planBatches(papers);
    expect(batches.map((b) => b.length)).toEqual([100, 100]);
    let calls = 0;
    for (const batch of batches) {
      const { results, apiCalls } = await client.lookupBatch(batch);
      calls += apiCalls;
      expect(results.every((r) => r.outcome === "matched")).toBe(true);
    }
    expect(calls).toBe(2);
    expect(requests().map((r) => [r.path, r.dois.length, r.params.get("per_page")])).toEqual([
      ["/works", 100, "100"],
      ["/works", 100, "100"],
    ]);
    expect(requests()[0]?.params.get("select")).toContain("abstract_inverted_index");
  });

  it("keeps every batch URL under 8000 bytes with long DOIs (more batches then)", async () => {
    const long = (i: number) => `10.1000/${"x".repeat(140)}.${i}`;
    const papers = Array.from({ length: 100 }, (_, i) => paper({ doi: long(i) }));
    const { client, log } = await setup({ works: papers.map((p, i) => fakeWork(`W${i}`, { doi: p.doi })) });
    const batches = client.planBatches(papers);
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.flat().map((p) => p.paper_id)).toEqual(papers.map((p) => p.paper_id));
    for (const batch of batches) {
      const { results } = await client.lookupBatch(batch);
      expect(results.map((r) => r.outcome)).toEqual(batch.map(() => "matched"));
    }
    expect(log).toHaveLength(batches.length);
    for (const r of log) expect(Buffer.byteLength(`${server!.url}${r.url}`)).toBeLessThan(MAX_URL_BYTES);
    // The split is tight: the first batch plus the next DOI would not fit.
    const next = encodeURIComponent(`|${long(batches[0]!.length)}`).length;
    expect(Buffer.byteLength(`${server!.url}${log[0]!.url}`) + next).toBeGreaterThanOrEqual(MAX_URL_BYTES);
  });

  it("compares DOIs case-insensitively without the https://doi.org/ prefix", async () => {
    const p = paper({ doi: "https://doi.org/10.1000/ABC.Def" });
    const other = paper({ doi: "10.1000/other" });
    const { client, requests } = await setup({
      works: [fakeWork("W1", { doi: "10.1000/abc.def" }), fakeWork("W2", { doi: "10.1000/other" })],
    });
    const [result] = (await client.lookupBatch([p, other])).results;
    expect(requests()[0]?.dois).toEqual(["10.1000/abc.def", "10.1000/other"]);
    expect(result).toMatchObject({ outcome: "matched", update: { fill: { doi: "10.1000/abc.def" } } });
  });

  it("asks for a lone DOI with the free singleton, not a paid list of one", async () => {
    const p = paper({ doi: "https://doi.org/10.1000/ABC.Def" });
    const { client, log } = await setup({ works: [fakeWork("W1", { doi: "10.1000/abc.def" })] });
    const { results, apiCalls } = await client.lookupBatch([p]);
    expect(apiCalls).toBe(1);
    expect(decodeURIComponent(log[0]!.url)).toMatch(/^\/works\/doi:10\.1000\/abc\.def\?/);
    expect(results[0]).toMatchObject({ outcome: "matched", update: { fill: { doi: "10.1000/abc.def" } } });
  });

  it("asks for an arXiv id with a version as the arXiv DataCite DOI without the version", async () => {
    const p = paper({ arxiv_id: "2106.01234v2" });
    const { client, requests } = await setup({
      works: [fakeWork("W7", { doi: "10.48550/arXiv.2106.01234" })],
    });
    const other = paper({ doi: "10.1000/other" });
    expect(client.planBatches([p, other])).toEqual([[p, other]]);
    const [result] = (await client.lookupBatch([p, other])).results;
    expect(requests()[0]?.params.get("filter")).toBe("doi:10.48550/arxiv.2106.01234|10.1000/other");
    expect(result).toMatchObject({
      outcome: "matched",
      update: { fill: { openalex_id: "https://openalex.org/W7" } },
    });
  });

  it("tries a DOI missing from the list once alone: a merged preprint is found, an unknown DOI is not_found (HTML 404)", async () => {
    const preprint = paper({ arxiv_id: "2301.00001" });
    const unknown = paper({ doi: "10.9999/nowhere" });
    const listed = paper({ doi: "10.1000/listed" });
    const journal = fakeWork("W900", { doi: "10.1000/journal.5" });
    const { client, requests } = await setup({
      works: [fakeWork("W1", { doi: "10.1000/listed" })],
      aliases: { "10.48550/arxiv.2301.00001": journal },
    });
    const { results, apiCalls } = await client.lookupBatch([preprint, unknown, listed]);
    expect(results.map((r) => r.outcome)).toEqual(["matched", "not_found", "matched"]);
    expect(results[0]).toMatchObject({
      update: { fill: { openalex_id: "https://openalex.org/W900", doi: "10.1000/journal.5" } },
    });
    expect(apiCalls).toBe(3);
    const singles = requests()
      .filter((r) => r.path.startsWith("/works/doi:"))
      .map((r) => r.path);
    expect(singles.sort()).toEqual(["/works/doi:10.48550/arxiv.2301.00001", "/works/doi:10.9999/nowhere"]);
  });
});

describe("title-only papers", () => {
  const TITLE = "Attention Is All You Need";
  const authors = ["Ashish Vaswani", "Noam Shazeer"];
  const nearMiss = fakeWork("W-not", {
    title: "Attention Is Not All You Need",
    year: 2017,
    authors: ["Someone Else"],
  });
  const right = fakeWork("W-right", {
    title: TITLE,
    year: 2017,
    authors: ["Ashish Vaswani", "Noam M. Shazeer"],
  });
  const other = fakeWork("W-bert", {
    title: "BERT: Pre-training of Deep Bidirectional Transformers",
    year: 2018,
  });

  it("searches title.search within ±1 year and picks the accepted candidate among several", async () => {
    const p = paper({ title: TITLE, year: 2017, authors });
    const { client, requests } = await setup({ works: [], search: () => [nearMiss, other, right] });
    expect(client.planBatches([p, paper({ doi: "10.1/x" })]).map((b) => b.length)).toEqual([1, 1]);
    const { results, apiCalls } = await client.lookupBatch([p]);
    expect(results[0]).toMatchObject({
      outcome: "matched",
      update: { fill: { openalex_id: "https://openalex.org/W-right" } },
    });
    expect(apiCalls).toBe(1);
    const [req] = requests();
    expect(req?.filter).toEqual({ "title.search": TITLE, publication_year: "2016-2018" });
    expect(req?.params.get("per_page")).toBe("5");
  });

  it("rejects a near miss ('Attention Is Not All You Need') → not_found", async () => {
    const { client } = await setup({ works: [], search: () => [nearMiss, other] });
    const { results } = await client.lookupBatch([paper({ title: TITLE, year: 2017, authors })]);
    expect(results).toEqual([
      {
        paper_id: expect.any(String),
        outcome: "not_found",
        answer: expect.objectContaining({ status: "not_found", payload: null }),
      },
    ]);
  });

  it("when title.search finds nothing, tries one search= query of the cleaned title over the year range", async () => {
    const { client, requests } = await setup({
      works: [],
      search: () => [],
      fullSearch: () => [nearMiss, right],
    });
    const noisy = "\\emph{Attention} Is All You Need (Extended Abstract)";
    const { results, apiCalls } = await client.lookupBatch([paper({ title: noisy, year: 2017, authors })]);
    expect(results[0]).toMatchObject({
      outcome: "matched",
      update: { fill: { openalex_id: "https://openalex.org/W-right" } },
    });
    expect(apiCalls).toBe(2);
    const [first, second] = requests();
    expect(first?.filter["title.search"]).toBe(TITLE);
    expect(second?.params.get("search")).toBe(TITLE);
    expect(second?.filter).toEqual({ publication_year: "2016-2018" });
  });

  it("leaves words an index may store in another form (ℓ1, α) out of the fallback query", async () => {
    const { client, requests } = await setup({ works: [], search: () => [], fullSearch: () => [] });
    await client.lookupBatch([paper({ title: "Sparse Coding with $\\ell_1$ Penalties", year: 2017 })]);
    const [first, second] = requests();
    expect(first?.filter["title.search"]).toBe("Sparse Coding with l1 Penalties");
    expect(second?.params.get("search")).toBe("Sparse Coding with Penalties");
    expect(second?.params.get("per_page")).toBe("10");
  });

  it("stops after title.search when it finds a verified match (one request)", async () => {
    const { client, requests } = await setup({ works: [], search: () => [right], fullSearch: () => [right] });
    await client.lookupBatch([paper({ title: `${TITLE} [Oral]`, year: 2017, authors })]);
    expect(requests()).toHaveLength(1);
  });

  it("removes commas and characters the API rejects from the title", async () => {
    const { client, requests } = await setup({ works: [], search: () => [] });
    await client.lookupBatch([paper({ title: 'Sparse, Tiny, and "Fast": Experts? (AND|OR) *Mixtures*' })]);
    const filter = requests()[0]?.params.get("filter") ?? "";
    expect(filter.split(",")).toHaveLength(2);
    expect(requests()[0]?.filter["title.search"]).toBe("Sparse Tiny and Fast Experts and or Mixtures");
  });
});

describe("errors", () => {
  it("marks only the paper whose request keeps failing with 503 as failed", async () => {
    const fake: FakeOpenAlex = {
      works: [fakeWork("W1", { doi: "10.1000/ok" })],
      override: (r) =>
        r.path.startsWith("/works/doi:") ? { status: 503, body: { error: "busy" } } : undefined,
    };
    const { client, log } = await setup(fake);
    const { results, apiCalls } = await client.lookupBatch([
      paper({ doi: "10.1000/ok" }),
      paper({ doi: "10.1000/gone" }),
    ]);
    expect(results.map((r) => r.outcome)).toEqual(["matched", "failed"]);
    expect(results[1]).toMatchObject({
      error: expect.stringMatching(/^OpenAlex DOI lookup \(transient\): HTTP 503 busy/),
    });
    expect(apiCalls).toBe(1 + 3);
    expect(log).toHaveLength(4);
  });

  it("throws HttpError auth on a 401", async () => {
    const { client } = await setup(
      [{ status: 401, body: { error: "Invalid or missing API key", message: "x" } }],
      { apiKey: KEY },
    );
    const error = await rejection(client.lookupBatch([paper({ doi: "10.1/a" })]));
    expect(error.kind).toBe("auth");
    expect(`${error.message} ${error.url}`).not.toContain(KEY);
  });

  it("throws budget_exhausted on a budget 429", async () => {
    const body = {
      error: "Rate limit exceeded",
      message: "Insufficient budget.",
      retryAfter: 57505,
      creditsRequired: 10,
      creditsRemaining: 0,
    };
    const { client, log } = await setup([{ status: 429, body }]);
    const error = await rejection(client.lookupBatch([paper({ title: "A title only paper" })]));
    expect(error.kind).toBe("budget_exhausted");
    expect(log).toHaveLength(1);
  });

  it("sends api_key and mailto as query params and never puts the key in errors or events", async () => {
    const fake: FakeOpenAlex = {
      works: [],
      override: () => ({ status: 503, body: { error: `echo ${KEY}` } }),
    };
    const { client, events, requests } = await setup(fake, { apiKey: KEY, email: EMAIL });
    const { results } = await client.lookupBatch([
      paper({ doi: "10.1/a" }),
      paper({ title: "Only a title here" }),
    ]);
    expect(requests()[0]?.params.get("api_key")).toBe(KEY);
    expect(requests()[0]?.params.get("mailto")).toBe(EMAIL);
    expect(results.map((r) => r.outcome)).toEqual(["failed", "failed"]);
    expect(events.length).toBeGreaterThan(0);
    const leaked = JSON.stringify({ results, events });
    expect(leaked).not.toContain(KEY);
    expect(leaked).not.toContain(encodeURIComponent(KEY));
    expect(leaked).not.toContain(encodeURIComponent(EMAIL));
  });
});

describe("edge cases", () => {
  it("counts one call per request with an injected HttpClient and fails a 200 error body", async () => {
    server = await startTestServer([
      { body: { error: "Invalid query parameters error.", message: "Wildcards" } },
    ]);
    const http = createHttpClient({ version: "0.0.0", maxAttempts: 1 });
    const client = createOpenAlexClient({ baseUrl: server.url, version: "0.0.0", http });
    const { results, apiCalls } = await client.lookupBatch([
      paper({ doi: "10.1/a" }),
      paper({ doi: "10.1/b" }),
    ]);
    expect(apiCalls).toBe(1);
    expect(results[0]).toMatchObject({
      outcome: "failed",
      error: expect.stringMatching(/^OpenAlex DOI list: unexpected response \(results: /),
    });
  });

  it("gives not_found without a request when nothing searchable is left of the title", async () => {
    const { client, log } = await setup({ works: [] });
    const { results, apiCalls } = await client.lookupBatch([paper({ title: "???" })]);
    expect(results[0]?.outcome).toBe("not_found");
    expect([apiCalls, log.length]).toEqual([0, 0]);
  });
});

describe("--openalex-max-cost (maxCostUsd)", () => {
  it("a cap of 0 still looks DOIs up, alone (free), and stops at the first search, saying the cap is below one lookup", async () => {
    const a = paper({ doi: "10.1000/a" });
    const b = paper({ doi: "10.1000/b" });
    const works = [fakeWork("W1", { doi: "10.1000/a" }), fakeWork("W2", { doi: "10.1000/b" })];
    const { client, log } = await setup({ works }, { maxCostUsd: 0 });
    const { results } = await client.lookupBatch([a, b]);
    expect(results.map((r) => r.outcome)).toEqual(["matched", "matched"]);
    expect(log.map((r) => decodeURIComponent(r.url).split("?")[0])).toEqual([
      "/works/doi:10.1000/a",
      "/works/doi:10.1000/b",
    ]);
    const stop = await rejection(client.lookupBatch([paper({ title: "Deep nets for everything" })]));
    expect(stop.kind).toBe("budget_exhausted");
    expect(stop.message).toContain("cap of $0 is below what one lookup may cost ($0.002");
  });

  it("keeps the papers of a DOI batch answered before a search the cap refused (partial results)", async () => {
    const listed = paper({ doi: "10.1000/listed" });
    const other = paper({ doi: "10.1000/other" });
    const works = [fakeWork("W1", { doi: "10.1000/listed" }), fakeWork("W2", { doi: "10.1000/other" })];
    const { client } = await setup({ works }, { maxCostUsd: 0.0015 });
    // A paper with a DOI another source found, which OpenAlex does not know: its title search
    // would cost more than the cap leaves.
    const borrowed = paper({
      doi: "10.1000/unknown",
      processing_flags: { field_sources: { doi: "semantic_scholar" } },
    });
    const stop = await rejection(client.lookupBatch([listed, borrowed, other]));
    expect(stop.kind).toBe("budget_exhausted");
    expect(stop.partial?.map((r) => [r.paper_id, r.outcome])).toEqual([
      [listed.paper_id, "matched"],
      [other.paper_id, "matched"],
    ]);
  });
});
