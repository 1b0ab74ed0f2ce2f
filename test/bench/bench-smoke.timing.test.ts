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
          JSON.parse(line) as { metric: string; value: number | null; unit: string; ok: boolean | null },
      );
    const sections = new Set(rows.map((r) => r.metric.split(".")[0]));
    expect([...sections].sort()).toEqual([
      "checkpoint",
      "matching",
      "memory",
      "resume",
      "sessions",
      "startup",
      "throughput",
    ]);
    for (const row of rows) {
      expect(typeof row.unit, row.metric).toBe("string");
      if (row.value !== null) expect(Number.isFinite(row.value), row.metric).toBe(true);
    }
    expect(rows.filter((r) => r.metric.endsWith("calls_per_paper")).every((r) => r.value !== null)).toBe(
      true,
    );
  });
});
