import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const BENCH = path.resolve(import.meta.dirname, "../../bench/run.mjs");

// Keeps `npm run bench` from rotting: the quick run must produce every metric with a number.
// Nothing is asserted about the values themselves: CI machines are too noisy for that.
describe("npm run bench --quick (smoke)", () => {
  it("measures every section and prints one JSON object per metric", { timeout: 300_000 }, async () => {
    const { stdout } = await run(process.execPath, [BENCH, "--quick", "--json"], {
      maxBuffer: 10 * 1024 * 1024,
    });
    const rows = stdout
      .trim()
      .split("\n")
      .map(
        (line) =>
          JSON.parse(line) as {
            metric: string;
            value: number | null;
            unit: string;
            target: number | null;
            ok: boolean | null;
          },
      );
    const sections = new Set(rows.map((r) => r.metric.split(".")[0]));
    expect([...sections].sort()).toEqual([
      "cache",
      "checkpoint",
      "cost",
      "matching",
      "memory",
      "resume",
      "scale",
      "sessions",
      "startup",
      "throughput",
    ]);
    // The quick scale run must finish: its whole run enriched every paper (scale.mjs checks it).
    expect(rows.find((r) => r.metric === "scale.full_run_rss.2000")?.value).not.toBeNull();
    for (const row of rows) {
      expect(typeof row.unit, row.metric).toBe("string");
      if (row.value !== null) expect(Number.isFinite(row.value), row.metric).toBe(true);
    }
    expect(rows.filter((r) => r.metric.endsWith("calls_per_paper")).every((r) => r.value !== null)).toBe(
      true,
    );
    // Quick mode judges by its own size: DOI calls against full batches of the papers it ran (a count,
    // not a timing, so it must pass), and no target for a rate measured over fewer than 100 requests.
    const QUICK_PAPERS = 60;
    const byName = new Map(rows.map((r) => [r.metric, r]));
    for (const [source, batch] of [
      ["openalex", 100],
      ["semantic_scholar", 500],
    ] as const) {
      const row = byName.get(`throughput.doi.${source}.calls_per_paper`);
      expect(row?.target, source).toBeCloseTo(Math.ceil(QUICK_PAPERS / batch) / QUICK_PAPERS, 10);
      expect(row?.ok, `${source}: ${row?.value} calls per paper (${row?.unit})`).toBe(true);
    }
    for (const row of rows.filter((r) => r.metric.endsWith("rate_fraction"))) {
      const requests = Number(/\((\d+) requests/.exec(row.unit)?.[1]);
      if (requests < 100) expect(row.target, `${row.metric}: ${row.unit}`).toBeNull();
    }
  });
});
