import { describe, expect, it } from "vitest";
import { costLines } from "../../../src/cli/render/plan.js";
import type { CostEstimate } from "../../../src/core/plan.js";
import { HttpError } from "../../../src/sources/http.js";
import { openAlexPrice, openAlexRequestKind, SpendCap } from "../../../src/sources/openalex/pricing.js";
import { spendHeaders } from "../../../src/sources/spend.js";

const BASE = "https://api.openalex.org";

describe("OpenAlex prices", () => {
  it("tells singletons, lists and searches apart by URL", () => {
    expect(openAlexRequestKind(`${BASE}/works/doi:10.1000%2Fabc?select=id`)).toBe("singleton");
    expect(openAlexRequestKind(`${BASE}/works/W123`)).toBe("singleton");
    expect(openAlexRequestKind(`${BASE}/works?filter=doi:10.1/a|10.1/b&per_page=100`)).toBe("list");
    expect(
      openAlexRequestKind(`${BASE}/works?filter=title.search:deep%20nets,publication_year:2020-2022`),
    ).toBe("search");
    expect(openAlexRequestKind(`${BASE}/works?filter=publication_year:2020,default.search.no_stem:x`)).toBe(
      "search",
    );
    expect(openAlexRequestKind(`${BASE}/works?search=deep%20nets&filter=publication_year:2020-2022`)).toBe(
      "search",
    );
    expect([openAlexPrice(`${BASE}/works/W1`), openAlexPrice(`${BASE}/works?filter=doi:x`)]).toEqual([
      0, 0.0001,
    ]);
    expect(openAlexPrice(`${BASE}/works?search=x`)).toBe(0.001);
  });

  it("reads the cost headers, ignoring absent or malformed ones", () => {
    const headers = new Headers({
      "x-ratelimit-cost-usd": "0.001",
      "x-ratelimit-remaining-usd": "0.6912",
      "x-ratelimit-limit-usd": "nope",
    });
    expect(spendHeaders(headers)).toEqual({ costUsd: 0.001, remainingUsd: 0.6912 });
    expect(spendHeaders(new Headers())).toEqual({});
  });
});

describe("SpendCap (--openalex-max-cost)", () => {
  const answer = (costUsd: number) => ({
    type: "response" as const,
    method: "GET",
    url: "u",
    attempt: 1,
    status: 200,
    spend: { costUsd },
  });

  it("starts a lookup only while spent + in flight + its most stays within the cap, then stops with budget_exhausted", async () => {
    const cap = new SpendCap(0.003);
    // Two title lookups of two searches each cannot be in flight together under $0.003.
    let release: () => void = () => {};
    const first = cap.within(
      0.002,
      `${BASE}/works?api_key=SECRET`,
      () => new Promise<void>((r) => (release = r)),
    );
    const refused = await cap
      .within(0.002, `${BASE}/works?api_key=SECRET`, async () => "ran")
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HttpError);
    expect((refused as HttpError).kind).toBe("budget_exhausted");
    expect((refused as HttpError).message).toContain("--openalex-max-cost cap of $0.003");
    expect((refused as HttpError).message).not.toContain("SECRET");
    expect((refused as HttpError).url).not.toContain("SECRET");
    // Free lookups always pass.
    await expect(cap.within(0, `${BASE}/works/W1`, async () => "free")).resolves.toBe("free");
    cap.observe(answer(0.001));
    release();
    await first;
    // $0.001 spent: a $0.002 lookup fits ($0.003), a further one does not.
    await expect(cap.within(0.002, "u", async () => cap.observe(answer(0.002)))).resolves.toBeUndefined();
    await expect(cap.within(0.0001, "u", async () => "list")).rejects.toBeInstanceOf(HttpError);
  });

  it("a cap of 0 allows only free lookups", async () => {
    const cap = new SpendCap(0);
    await expect(cap.within(0, "u", async () => 1)).resolves.toBe(1);
    await expect(cap.within(0.0001, "u", async () => 1)).rejects.toBeInstanceOf(HttpError);
  });
});

describe("the dry run's cost lines", () => {
  const estimate = (over: Partial<CostEstimate>): CostEstimate => ({
    lists: 211,
    singletons: 3,
    searched: 0,
    shared: 8951,
    sharedWith: ["semantic_scholar"],
    searches: { min: 0, max: 17902 },
    usd: { min: 0.0211, max: 17.9231 },
    savedUsd: { max: 17.902 },
    freeDailyUsd: 1,
    ...over,
  });

  it("prices the plan, states what cross-source ids may save, and the days on a free key", () => {
    const text = costLines(estimate({})).join("\n");
    expect(text).toContain(
      "cost ≈ $0.0211–$17.9231: 211 list request(s), 3 lookup(s) by id (free), 0–17902 title search(es)",
    );
    expect(text).toContain("Semantic Scholar answers 8951 title-only paper(s) first");
    expect(text).toContain("save between 0 and 17902 search(es) (up to $17.902)");
    expect(text).toContain("On a free key ($1.00/day) that is 1–18 day(s)");
  });

  it("says nothing of days within a free key's day, and names papers that will be searched", () => {
    const text = costLines(
      estimate({
        shared: 0,
        sharedWith: [],
        searched: 40,
        searches: { min: 40, max: 80 },
        usd: { min: 0.04, max: 0.08 },
      }),
    ).join("\n");
    expect(text).toContain("40 title-only paper(s) will be searched");
    expect(text).not.toContain("free key");
    expect(text).not.toContain("answers");
  });
});
