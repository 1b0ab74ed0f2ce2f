import { afterEach, describe, expect, it } from "vitest";
import type { Paper } from "../../../src/model/paper.js";
import { HttpError, type HttpEvent } from "../../../src/sources/http.js";
import {
  createSemanticScholarClient,
  S2_FIELDS,
  type SemanticScholarClientOptions,
} from "../../../src/sources/semantic-scholar/client.js";
import type { LookupResult, SourceClient } from "../../../src/sources/types.js";
import { startTestServer, type TestServer } from "../../helpers/http/http-server.js";
import {
  batchIds,
  type S2FakeOptions,
  s2FakeScript,
  s2PaperFor,
  testPaper,
} from "../../helpers/http/s2-fake.js";

const KEY = "s2-SECRET-key-9876";
const NOW = new Date(2026, 0, 2, 3, 4, 5);

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(fake: S2FakeOptions = {}, options: Partial<SemanticScholarClientOptions> = {}) {
  server = await startTestServer(s2FakeScript(fake));
  const events: HttpEvent[] = [];
  const client = createSemanticScholarClient({
    baseUrl: `${server.url}/graph/v1`,
    version: "0.1.0",
    ratePerSecond: 1000,
    now: () => NOW,
    onEvent: (e) => events.push(e),
    httpOptions: { sleep: async () => {}, maxAttempts: 3, random: () => 0 },
    ...options,
  });
  return { client, events, log: server.requests };
}

async function runAll(client: SourceClient, papers: Paper[]) {
  const results: LookupResult[] = [];
  let apiCalls = 0;
  for (const batch of client.planBatches(papers)) {
    const out = await client.lookupBatch(batch);
    results.push(...out.results);
    apiCalls += out.apiCalls;
  }
  return { results, apiCalls };
}

const doiPapers = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    testPaper({ paper_id: `P${i}`, title: `Paper ${i}`, doi: `10.1000/p${i}` }),
  );

function matched(result: LookupResult | undefined) {
  if (result?.outcome !== "matched") throw new Error(`expected matched, got ${JSON.stringify(result)}`);
  return result.update;
}

describe("SemanticScholarClient: DOI and arXiv batches", () => {
  it("sends 200 DOI papers as one POST /paper/batch with 200 ids in input order", async () => {
    const { client, log } = await setup();
    const papers = doiPapers(200);
    expect(client.planBatches(papers)).toHaveLength(1);
    const { results, apiCalls } = await runAll(client, papers);
    expect(log).toHaveLength(1);
    expect(apiCalls).toBe(1);
    expect(log[0]?.method).toBe("POST");
    const url = new URL(log[0]?.url ?? "", "http://x");
    expect(url.pathname).toBe("/graph/v1/paper/batch");
    expect(url.searchParams.get("fields")).toBe(S2_FIELDS);
    expect(batchIds(log[0])).toEqual(papers.map((_, i) => `DOI:10.1000/p${i}`));
    expect(results.map((r) => [r.paper_id, r.outcome])).toEqual(papers.map((p) => [p.paper_id, "matched"]));
    const update = matched(results[7]);
    expect(update.source).toBe("semantic_scholar");
    expect(update.records.abstracts?.[0]?.data.text).toBe("Abstract of DOI:10.1000/p7");
    expect(update.records.citations?.[0]).toMatchObject({
      timestamp: "2026-01-02T03:04:05",
      original: false,
    });
  });

  it("splits 501 papers into batches of 500 and 1 (two calls)", async () => {
    const { client, log } = await setup();
    const papers = doiPapers(501);
    expect(client.planBatches(papers).map((b) => b.length)).toEqual([500, 1]);
    const { results, apiCalls } = await runAll(client, papers);
    expect(log.map((r) => batchIds(r).length)).toEqual([500, 1]);
    expect(batchIds(log[1])).toEqual(["DOI:10.1000/p500"]);
    expect(apiCalls).toBe(2);
    expect(results).toHaveLength(501);
  });

  it("plans id papers first in input order, then each title-only paper alone", () => {
    const client = createSemanticScholarClient({ version: "0.1.0", http: {} as never });
    const a = testPaper({ paper_id: "A", title: "Alpha" });
    const b = testPaper({ paper_id: "B", title: "Beta", doi: "10.1/b" });
    const c = testPaper({ paper_id: "C", title: "Gamma" });
    const d = testPaper({ paper_id: "D", title: "Delta", arxiv_id: "2106.01234" });
    const plan = client.planBatches([a, b, c, d]).map((batch) => batch.map((p) => p.paper_id));
    expect(plan).toEqual([["B", "D"], ["A"], ["C"]]);
  });

  it("fails a paper whose answer names another DOI, and keeps the others", async () => {
    const { client } = await setup({
      paper: (id) =>
        id === "DOI:10.1000/p0" ? s2PaperFor("DOI:10.9999/merged", { paperId: "merged-0" }) : s2PaperFor(id),
    });
    const { results } = await runAll(client, doiPapers(2));
    expect(results[0]).toEqual({
      paper_id: "P0",
      outcome: "failed",
      error: "answer is another paper: asked DOI:10.1000/p0, got DOI 10.9999/merged",
    });
    expect(matched(results[1]).paper_id).toBe("P1");
  });

  it("fails every paper when the batch answers the same paper for every id", async () => {
    const { client } = await setup({ paper: () => s2PaperFor("DOI:10.1000/p0", { paperId: "same" }) });
    const { results } = await runAll(client, doiPapers(3));
    expect(results.map((r) => r.outcome)).toEqual(["matched", "failed", "failed"]);
    expect(results[2]).toMatchObject({
      error: "answer is another paper: asked DOI:10.1000/p2, got DOI 10.1000/p0",
    });
  });

  it("trusts the position when the answer has no external ids", async () => {
    const { client } = await setup({ paper: () => ({ paperId: "bare", title: "T", externalIds: null }) });
    const { results } = await runAll(client, doiPapers(2));
    expect(results.map((r) => r.outcome)).toEqual(["matched", "matched"]);
  });

  it("gives not_found for a null entry and keeps the others", async () => {
    const { client } = await setup({ paper: (id) => (id.endsWith("p1") ? null : s2PaperFor(id)) });
    const { results } = await runAll(client, doiPapers(3));
    expect(results.map((r) => r.outcome)).toEqual(["matched", "not_found", "matched"]);
  });

  it("sends ARXIV:<id without version>, and only the DOI when a paper has both", async () => {
    const { client, log } = await setup();
    const papers = [
      testPaper({ paper_id: "X", title: "X", arxiv_id: "arXiv:2106.01234v2" }),
      testPaper({ paper_id: "Y", title: "Y", arxiv_id: "1706.03762v5", doi: "https://doi.org/10.5555/ABC" }),
    ];
    const { results } = await runAll(client, papers);
    expect(batchIds(log[0])).toEqual(["ARXIV:2106.01234", "DOI:10.5555/abc"]);
    const ids = matched(results[0]).records.identifiers?.map((r) => r.data.identifier_type);
    expect(ids).toEqual(["s2_paper", "s2_corpus", "arxiv"]);
    expect(matched(results[0]).fill).toBeUndefined(); // arxiv_id is set (with its version): kept as is
  });

  it("fails every paper of a batch whose answer has the wrong length", async () => {
    const { client } = await setup({ override: () => ({ body: [s2PaperFor("DOI:10.1000/p0")] }) });
    const { results } = await runAll(client, doiPapers(2));
    expect(results).toEqual([
      { paper_id: "P0", outcome: "failed", error: "permanent: batch answer has 1 entries for 2 ids" },
      { paper_id: "P1", outcome: "failed", error: "permanent: batch answer has 1 entries for 2 ids" },
    ]);
  });

  it("fails only the paper whose entry has an unexpected shape", async () => {
    const { client } = await setup({ paper: (id) => (id.endsWith("p0") ? { paperId: 42 } : s2PaperFor(id)) });
    const { results } = await runAll(client, doiPapers(2));
    expect(results[0]).toMatchObject({ outcome: "failed", error: expect.stringContaining("at paperId") });
    expect(results[1]?.outcome).toBe("matched");
  });
});

const ATTENTION = {
  paperId: "204e3073870fae3d05bcbc2f6a8e263d9b72e776",
  externalIds: { ArXiv: "1706.03762", CorpusId: 13756489 },
  title: "Attention is All you Need",
  year: 2017,
  citationCount: 136941,
  openAccessPdf: { url: "", status: null, license: null },
  authors: [{ authorId: "40348417", name: "Ashish Vaswani", affiliations: ["Google Brain"] }],
  matchScore: 133.32,
};

describe("SemanticScholarClient: title match", () => {
  it("accepts a candidate the title matcher confirms, and fills arXiv id and affiliations", async () => {
    const { client, log } = await setup({ match: () => ATTENTION });
    const paper = testPaper({ paper_id: "T", title: "Attention Is All You Need", authors: ["A. Vaswani"] });
    const { results, apiCalls } = await runAll(client, [paper]);
    const url = new URL(log[0]?.url ?? "", "http://x");
    expect([log[0]?.method, url.pathname]).toEqual(["GET", "/graph/v1/paper/search/match"]);
    expect(url.searchParams.get("query")).toBe("Attention Is All You Need");
    expect(url.searchParams.get("fields")).toBe(S2_FIELDS);
    expect(apiCalls).toBe(1);
    const update = matched(results[0]);
    expect(update.records.citations?.[0]?.data.count).toBe(136941);
    expect(update.records.urls).toBeUndefined();
    expect(update.fill).toEqual({ arxiv_id: "1706.03762" });
    expect(update.affiliations).toEqual([{ index: 0, name: "A. Vaswani", affiliations: ["Google Brain"] }]);
  });

  it("rejects a near miss however high its matchScore", async () => {
    const { client } = await setup({ match: () => ({ ...ATTENTION, matchScore: 999 }) });
    const paper = testPaper({ paper_id: "N", title: "Attention Is Not All You Need" });
    expect((await runAll(client, [paper])).results).toEqual([
      {
        paper_id: "N",
        outcome: "not_found",
        answer: expect.objectContaining({ status: "not_found", payload: null }),
      },
    ]);
  });

  it("after a rejected near miss, takes the verified candidate of one /paper/search over the year range", async () => {
    const decoy = {
      ...ATTENTION,
      paperId: "d".repeat(40),
      title: "Attention Is Not All You Need",
      citationCount: 9e5,
    };
    const { client, log } = await setup({ match: () => decoy, search: () => [decoy, ATTENTION] });
    const paper = testPaper({
      paper_id: "T",
      title: "Attention Is All You Need [Oral]",
      year: 2017,
      authors: ["A. Vaswani"],
    });
    const { results, apiCalls } = await runAll(client, [paper]);
    expect(apiCalls).toBe(2);
    const search = new URL(log[1]?.url ?? "", "http://x");
    expect(search.pathname).toBe("/graph/v1/paper/search");
    expect(Object.fromEntries(search.searchParams)).toMatchObject({
      query: "Attention Is All You Need",
      year: "2016-2018",
      limit: "10",
      fields: S2_FIELDS,
    });
    const ids = matched(results[0]).records.identifiers ?? [];
    expect(ids.find((r) => r.data.identifier_type === "s2_paper")?.data.identifier_value).toBe(
      ATTENTION.paperId,
    );
  });

  it("asks match and search with the cleaned title (no entities, LaTeX or track label; no hyphens in search)", async () => {
    const { client, log } = await setup({ search: () => [] });
    const paper = testPaper({
      paper_id: "C",
      title: "\\textit{Self-Supervised} Nets &amp; Trees (Extended Abstract)",
    });
    expect((await runAll(client, [paper])).results).toEqual([
      {
        paper_id: "C",
        outcome: "not_found",
        answer: expect.objectContaining({ status: "not_found", payload: null }),
      },
    ]);
    const queries = log.map((r) => new URL(r.url, "http://x").searchParams.get("query"));
    expect(queries).toEqual(["Self-Supervised Nets & Trees", "Self Supervised Nets Trees"]);
  });

  it("fails (for a retry on resume) when the fallback search fails", async () => {
    const { client } = await setup({
      override: (r) =>
        r.url.includes("/paper/search?") ? { status: 400, body: { error: "bad" } } : undefined,
    });
    const { results } = await runAll(client, [testPaper({ paper_id: "F", title: "Missing" })]);
    expect(results[0]).toMatchObject({ outcome: "failed" });
  });

  it("reads 404 Title match not found as not_found, but another 404 as a failure", async () => {
    const { client } = await setup({
      override: (r) => (r.url.includes("Other") ? { status: 404, body: "<html>nope</html>" } : undefined),
    });
    const papers = [
      testPaper({ paper_id: "M", title: "Missing" }),
      testPaper({ paper_id: "O", title: "Other" }),
    ];
    const { results } = await runAll(client, papers);
    expect(results[0]).toEqual({
      paper_id: "M",
      outcome: "not_found",
      answer: expect.objectContaining({ status: "not_found", payload: null }),
    });
    expect(results[1]).toMatchObject({ outcome: "failed", error: "not_found: HTTP 404 <html>nope</html>" });
  });
});

describe("SemanticScholarClient: errors, retries and the API key", () => {
  it("retries a 429 and then succeeds, counting both calls", async () => {
    const S2_429 = { message: "Too Many Requests. Please wait and try again.", code: "429" };
    const { client, log } = await setup({
      override: (r) => (r.index === 0 ? { status: 429, body: S2_429 } : undefined),
    });
    const { results, apiCalls } = await runAll(client, doiPapers(2));
    expect(log).toHaveLength(2);
    expect(apiCalls).toBe(2);
    expect(results.map((r) => r.outcome)).toEqual(["matched", "matched"]);
  });

  it("fails the batch's papers after a persistent 500, without the key in the message", async () => {
    const { client, log, events } = await setup(
      { override: () => ({ status: 500, body: { message: `upstream error for key ${KEY}` } }) },
      { apiKey: KEY },
    );
    const { results, apiCalls } = await runAll(client, doiPapers(2));
    expect(log).toHaveLength(3);
    expect(apiCalls).toBe(3);
    expect(results).toEqual([
      { paper_id: "P0", outcome: "failed", error: "transient: HTTP 500 upstream error for key ***" },
      { paper_id: "P1", outcome: "failed", error: "transient: HTTP 500 upstream error for key ***" },
    ]);
    expect(events.map((e) => e.type)).toContain("retry");
    expect(JSON.stringify(events)).not.toContain(KEY);
  });

  it("throws HttpError auth on 403 and sends the key only as the x-api-key header", async () => {
    const { client, log, events } = await setup(
      { override: () => ({ status: 403, body: { message: `Forbidden: ${KEY}` } }) },
      { apiKey: KEY },
    );
    const error = await client.lookupBatch(doiPapers(1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).kind).toBe("auth");
    expect(log).toHaveLength(1);
    expect(log[0]?.headers["x-api-key"]).toBe(KEY);
    expect(log[0]?.url).not.toContain(KEY);
    const seen = JSON.stringify([
      String(error),
      (error as HttpError).url,
      (error as HttpError).excerpt,
      events,
    ]);
    expect(seen).not.toContain(KEY);
    expect(seen).toContain("Forbidden: ***");
  });

  it("sends no x-api-key header without a key", async () => {
    const { client, log } = await setup();
    await client.lookupBatch(doiPapers(1));
    expect(log[0]?.headers["x-api-key"]).toBeUndefined();
  });
});
