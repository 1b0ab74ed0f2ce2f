import { describe, expect, it } from "vitest";
import { PLAIN_COLORS } from "../../../src/cli/render/colors.js";
import { renderFailures } from "../../../src/cli/render/summary.js";

const REFUSED = "cannot connect to 127.0.0.1:9 (connection refused: ECONNREFUSED)";

describe("renderFailures: the end-of-run failure causes", () => {
  it("nothing when no paper failed and no connection attempt did", () => {
    expect(renderFailures([], PLAIN_COLORS)).toBe("");
    expect(renderFailures([], PLAIN_COLORS, 10, { openalex: {} })).toBe("");
  });

  it("an unreachable API's failed connection attempts, though no paper failed", () => {
    const text = renderFailures([], PLAIN_COLORS, 10, { openalex: { [REFUSED]: 10 } });
    expect(text).toBe(
      [
        "Most frequent failure causes:",
        "  openalex, 10 failed connection attempts:",
        `    10 × ${REFUSED}`,
        "",
      ].join("\n"),
    );
    expect(text).not.toContain("Failed lookups");
  });

  it("failed papers' causes and failed connection attempts of the same source together", () => {
    const failures = [1, 2, 3].map((i) => ({
      source: "semantic_scholar" as const,
      paper_id: `P${i}`,
      error: "transient: HTTP 503 Service Unavailable",
    }));
    const text = renderFailures(failures, PLAIN_COLORS, 10, { semantic_scholar: { [REFUSED]: 1 } });
    expect(text).toContain("  semantic_scholar, 3 failed, 1 failed connection attempt:\n");
    expect(text).toContain("    3 × transient: HTTP 503 Service Unavailable\n    1 × cannot connect");
    expect(text).toContain("Failed lookups (3; retried on resume):");
  });
});
