import { appendFileSync } from "node:fs";

/**
 * Fault-suite sizes. The CI tier runs inside `npm test`; `npm run test:faults` sets
 * CF_FAULT_TIER=full. Any size can be overridden with CF_FAULT_<NAME> (e.g. CF_FAULT_KILLS=500).
 */
export const TIER: "ci" | "full" = process.env.CF_FAULT_TIER === "full" ? "full" : "ci";

/** The size of something for the current tier, unless CF_FAULT_<name> overrides it. */
export function size(name: string, ci: number, full: number): number {
  const override = Number(process.env[`CF_FAULT_${name.toUpperCase()}`]);
  if (Number.isInteger(override) && override > 0) return override;
  return TIER === "full" ? full : ci;
}

/** A seed for generated cases: CF_FAULT_SEED, else a fixed one (so CI is reproducible). */
export const SEED = Number(process.env.CF_FAULT_SEED ?? 20261125);

export interface SuiteResult {
  suite: string;
  cases: number;
  failures: number;
  ms: number;
}

/**
 * Record a suite's outcome for the `npm run test:faults` table (a JSON line appended to the file in
 * CF_FAULT_REPORT; nothing when unset). Call it before asserting, so failures are counted too.
 */
export function recordSuite(result: SuiteResult): void {
  const file = process.env.CF_FAULT_REPORT;
  if (file) appendFileSync(file, `${JSON.stringify({ ...result, tier: TIER })}\n`);
}

/** Run `cases` checks, collecting failures instead of stopping at the first; records the suite. */
export async function runCases<T>(
  suite: string,
  cases: readonly T[],
  check: (item: T, index: number) => Promise<void>,
): Promise<string[]> {
  const started = performance.now();
  const failures: string[] = [];
  for (const [index, item] of cases.entries()) {
    try {
      await check(item, index);
    } catch (error) {
      failures.push(
        `case ${index} (${JSON.stringify(item)?.slice(0, 200)}): ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  recordSuite({ suite, cases: cases.length, failures: failures.length, ms: performance.now() - started });
  return failures;
}
