import { describe, expect, it } from "vitest";
import { PLAIN_COLORS } from "../../../src/cli/render/colors.js";
import { progressLine } from "../../../src/cli/render/progress.js";
import { renderSummary } from "../../../src/cli/render/summary.js";
import type { SourceProgress } from "../../../src/core/engine.js";
import type { ConsolidationStats } from "../../../src/core/stats.js";

const base: SourceProgress = {
  source: "openalex",
  total: 600,
  doneAtStart: 0,
  done: 300,
  enriched: 280,
  notFound: 20,
  failed: 0,
  apiCalls: 12,
  cached: 0,
  cachedAtStart: 0,
  waiting: 0,
  waitingFor: [],
  costUsd: 0,
  costUsdAtStart: 0,
};

describe("the progress line", () => {
  it("shows papers waiting for another source's ids as waiting, naming the source", () => {
    const line = progressLine({ ...base, waiting: 223, waitingFor: ["semantic_scholar"] }, 10, PLAIN_COLORS);
    expect(line).toContain("waiting 223 for Semantic Scholar");
    expect(progressLine(base, 10, PLAIN_COLORS)).not.toContain("waiting");
  });

  it("shows what this run spent and what the API says is left today", () => {
    const line = progressLine(
      { ...base, costUsd: 0.52, costUsdAtStart: 0.21, budget: { remainingUsd: 0.69, limitUsd: 1 } },
      10,
      PLAIN_COLORS,
    );
    expect(line).toContain("$0.31 spent, $0.69 left today");
    expect(progressLine({ ...base, costUsd: 0.0233 }, 10, PLAIN_COLORS)).toMatch(/\$0\.0233 spent$/);
    expect(progressLine(base, 10, PLAIN_COLORS)).not.toContain("spent");
  });
});

describe("the summary's cost row", () => {
  const stats = (cost: number) =>
    ({
      total_papers: 10,
      papers_with_citations: 0,
      papers_with_abstracts: 0,
      papers_with_urls: 0,
      papers_with_dois: 0,
      duration_seconds: 1,
      sources: {
        openalex: {
          status: "completed",
          papers_done: 10,
          papers_enriched: 9,
          papers_not_found: 1,
          papers_failed: 0,
          api_calls: 3,
          papers_cached: 0,
          ...(cost > 0 ? { cost_usd: cost } : {}),
          last_error: null,
        },
      },
    }) as unknown as ConsolidationStats;

  it("gives the session's cost, and this run's share when they differ", async () => {
    const { default: Table } = await import("cli-table3");
    expect(renderSummary(stats(0.0233), Table, PLAIN_COLORS, { openalex: 0.0233 })).toMatch(
      /Cost \(USD\)\s*│\s*\$0\.0233\s*│/,
    );
    expect(renderSummary(stats(0.5), Table, PLAIN_COLORS, { openalex: 0.1 })).toContain(
      "$0.50 (this run $0.10)",
    );
    expect(renderSummary(stats(0), Table, PLAIN_COLORS, { openalex: 0 })).not.toContain("Cost");
  });
});
