import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import {
  addCounts,
  failureCause,
  failureCausesBySource,
  groupFailureCauses,
  withConnectionFailures,
} from "../../src/model/failure-causes.js";
import { createOpenAlexClient } from "../../src/sources/openalex/client.js";
import { createSemanticScholarClient } from "../../src/sources/semantic-scholar/client.js";
import { simulatorFor } from "../helpers/e2e.js";
import { makePapers } from "../helpers/papers.js";

/** Messages in the formats of src/sources (OpenAlex: `OpenAlex <what> (<kind>): …`; S2: `<kind>: …`). */
const DOIS = ["10.1145/3292500.3330701", "10.1109/cvpr.2016.90", "10.48550/arXiv.1706.03762"];

describe("failureCause", () => {
  it.each([
    [
      "OpenAlex DOI list (transient): request failed (ENOTFOUND: getaddrinfo ENOTFOUND api.openalex.org)",
      "OpenAlex DOI list (transient): cannot connect to api.openalex.org (ENOTFOUND)",
    ],
    [
      `OpenAlex DOI list (transient): GET https://api.openalex.org/works?filter=doi:${DOIS.join("|")}&per_page=100&select=id,doi: request failed (ENOTFOUND: getaddrinfo ENOTFOUND api.openalex.org)`,
      "OpenAlex DOI list (transient): cannot connect to api.openalex.org (ENOTFOUND)",
    ],
    [
      "OpenAlex DOI lookup (transient): HTTP 503 Service Unavailable: try again later",
      "OpenAlex DOI lookup (transient): HTTP 503 Service Unavailable: try again later",
    ],
    [
      "OpenAlex title search (transient): timed out after 30000 ms",
      "OpenAlex title search (transient): timed out after 30000 ms",
    ],
    [
      "OpenAlex DOI list: unexpected response (results.17.id: Invalid input: expected string, received null)",
      "OpenAlex DOI list: unexpected response (results.N.id: Invalid input: expected string, received null)",
    ],
    [
      "OpenAlex DOI lookup (permanent): HTTP 400 Invalid DOI 10.1234/abc(1)x at 2026-01-02T03:04:05Z, request 8f14e45fceea167a5a36dedd4bea2543",
      "OpenAlex DOI lookup (permanent): HTTP 400 Invalid DOI <doi> at <time>, request <id>",
    ],
    [
      "transient: request failed (ECONNRESET: read ECONNRESET)",
      "transient: request failed (ECONNRESET: read ECONNRESET)",
    ],
    [
      "transient: request failed (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:41234)",
      "transient: cannot connect to 127.0.0.1:41234 (ECONNREFUSED)",
    ],
    [
      "transient: HTTP 429 <html><head><title>429 Too Many Requests</title></head><body>Retry in 17 s</body>",
      "transient: HTTP 429 <html><head><title>429 Too Many Requests</title></head><body>Retry in 17 s</body>",
    ],
    [
      "permanent: unexpected answer shape at 3.externalIds: Invalid input: expected object, received string",
      "permanent: unexpected answer shape at N.externalIds: Invalid input: expected object, received string",
    ],
    [
      "permanent: batch answer has 499 entries for 500 ids",
      "permanent: batch answer has N entries for N ids",
    ],
    [
      "not_found: HTTP 404 Paper with id DOI:10.1109/cvpr.2016.90 not found",
      "not_found: HTTP 404 Paper with id DOI:<doi> not found",
    ],
    [
      "OpenAlex DOI lookup (not_found): GET https://api.openalex.org/works/W2741809807?select=id: HTTP 404",
      "OpenAlex DOI lookup (not_found): HTTP 404",
    ],
    ["ARXIV:2106.09685 and cs/0112017v2 failed", "ARXIV:<arxiv> and <arxiv> failed"],
    ["   ", "unknown error"],
  ])("%s", (message, cause) => {
    expect(failureCause(message)).toBe(cause);
  });

  it("cuts long causes, so a message capped at different points stays one cause", () => {
    const excerpt = "x".repeat(400);
    const a = failureCause(`transient: HTTP 500 ${excerpt}`.slice(0, 299));
    const b = failureCause(`transient: HTTP 500 ${excerpt}`.slice(0, 250));
    expect(a).toBe(b);
    expect(a.length).toBeLessThanOrEqual(160);
  });
});

describe("failed connection attempts among the causes", () => {
  it("addCounts sums counts by cause into a new object", () => {
    const a = { x: 2, y: 1 };
    expect(addCounts(a, { y: 3, z: 1 })).toEqual({ x: 2, y: 4, z: 1 });
    expect(a).toEqual({ x: 2, y: 1 });
    expect(addCounts(undefined, { z: 1 })).toEqual({ z: 1 });
    expect(addCounts({ x: 1 }, undefined)).toEqual({ x: 1 });
  });

  it("withConnectionFailures lists them with failed papers' causes, most frequent first, marked", () => {
    const papers = groupFailureCauses(["HTTP 500", "HTTP 500", "HTTP 500", "bad JSON"]);
    expect(
      withConnectionFailures(papers, {
        "cannot connect to api.openalex.org (DNS lookup failed: ENOTFOUND)": 32,
        "cannot connect to api.openalex.org (connection timed out: ETIMEDOUT)": 2,
        ignored: 0,
      }),
    ).toEqual(
      [
        {
          cause: "cannot connect to api.openalex.org (DNS lookup failed: ENOTFOUND)",
          count: 32,
          kind: "connection",
        },
        { cause: "HTTP 500", count: 3 },
        { cause: "bad JSON", count: 1 },
        {
          cause: "cannot connect to api.openalex.org (connection timed out: ETIMEDOUT)",
          count: 2,
          kind: "connection",
        },
      ].sort((a, b) => b.count - a.count),
    );
    expect(withConnectionFailures(papers, undefined)).toEqual(papers);
  });
});

describe("groupFailureCauses", () => {
  it("groups per-paper messages into causes, most frequent first, ties by cause", () => {
    const messages = [
      ...DOIS.map(
        (doi) =>
          `OpenAlex DOI list (transient): GET https://api.openalex.org/works?filter=doi:${doi}: request failed (ENOTFOUND: getaddrinfo ENOTFOUND api.openalex.org)`,
      ),
      ...DOIS.map(
        () =>
          "OpenAlex DOI list (transient): request failed (ENOTFOUND: getaddrinfo ENOTFOUND api.openalex.org)",
      ),
      "OpenAlex title search (transient): timed out after 30000 ms",
      "OpenAlex: no answer for this DOI",
    ];
    expect(groupFailureCauses(messages)).toEqual([
      { cause: "OpenAlex DOI list (transient): cannot connect to api.openalex.org (ENOTFOUND)", count: 6 },
      { cause: "OpenAlex title search (transient): timed out after 30000 ms", count: 1 },
      { cause: "OpenAlex: no answer for this DOI", count: 1 },
    ]);
  });

  it("groups per source", () => {
    const bySource = failureCausesBySource([
      { source: "openalex", error: "OpenAlex title search (transient): timed out after 30000 ms" },
      { source: "semantic_scholar", error: "permanent: batch answer has 3 entries for 5 ids" },
      { source: "semantic_scholar", error: "permanent: batch answer has 9 entries for 10 ids" },
    ]);
    expect([...bySource]).toEqual([
      ["openalex", [{ cause: "OpenAlex title search (transient): timed out after 30000 ms", count: 1 }]],
      ["semantic_scholar", [{ cause: "permanent: batch answer has N entries for N ids", count: 2 }]],
    ]);
  });
});

describe("causes of the messages the real clients write", () => {
  it("a refused connection: every OpenAlex paper fails with one cause", async () => {
    const port = await closedPort();
    const client = createOpenAlexClient({
      baseUrl: `http://127.0.0.1:${port}`,
      version: "test",
      httpOptions: { maxAttempts: 1 },
    });
    const papers = makePapers(6); // DOIs on even papers, titles only on odd ones
    const messages: string[] = [];
    for (const batch of client.planBatches(papers)) {
      const { results } = await client.lookupBatch(batch);
      for (const r of results) if (r.outcome === "failed") messages.push(r.error);
    }
    expect(messages).toHaveLength(6);
    const causes = groupFailureCauses(messages);
    expect(causes.reduce((n, c) => n + c.count, 0)).toBe(6);
    // One cause per operation (DOI list, title search), none naming a paper.
    expect(causes.length).toBeLessThanOrEqual(2);
    for (const { cause } of causes) {
      expect(cause).toContain(`cannot connect to 127.0.0.1:${port} (ECONNREFUSED)`);
      expect(cause).not.toMatch(/10\.1000|P000/);
    }
  });

  it("Semantic Scholar answering 503 to everything: one cause for every paper", async () => {
    const sim = await simulatorFor({ faults: { rate: 1, kinds: ["503"], seed: 1 } });
    const client = createSemanticScholarClient({
      baseUrl: sim.s2Url,
      version: "test",
      ratePerSecond: 100,
      httpOptions: { maxAttempts: 1 },
    });
    const papers = makePapers(5);
    const messages: string[] = [];
    for (const batch of client.planBatches(papers)) {
      const { results } = await client.lookupBatch(batch);
      for (const r of results) if (r.outcome === "failed") messages.push(r.error);
    }
    expect(messages).toHaveLength(5);
    const causes = groupFailureCauses(messages);
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatchObject({ count: 5 });
    expect(causes[0]?.cause).toMatch(/^transient: HTTP 503/);
  });
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
