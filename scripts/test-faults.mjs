#!/usr/bin/env node
// `npm run test:faults [-- --ci]`: the fault suites (test/faults) at full size, then a table of each
// suite's cases, failures and time. Sizes can be changed with CF_FAULT_<NAME> variables (see
// test/helpers/faults/tier.ts) and the seed with CF_FAULT_SEED.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const tier = process.argv.includes("--ci") ? "ci" : "full";
const dir = mkdtempSync(path.join(os.tmpdir(), "cf-faults-"));
const report = path.join(dir, "report.jsonl");
const run = spawnSync(
  process.execPath,
  [path.join("node_modules", "vitest", "vitest.mjs"), "run", "--project", "main", "test/faults"],
  { stdio: "inherit", env: { ...process.env, CF_FAULT_TIER: tier, CF_FAULT_REPORT: report } },
);
let rows = [];
try {
  rows = readFileSync(report, "utf8")
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
} catch {
  // no suite reported
}
rmSync(dir, { recursive: true, force: true });
const total = rows.reduce(
  (a, r) => ({ cases: a.cases + r.cases, failures: a.failures + r.failures, ms: a.ms + r.ms }),
  {
    cases: 0,
    failures: 0,
    ms: 0,
  },
);
const lines = [
  `Fault suites, ${tier} tier (seed ${process.env.CF_FAULT_SEED ?? 20261125}), ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus().length} CPUs`,
  "",
  "| suite | cases | failures | time |",
  "|---|---:|---:|---:|",
  ...rows.map((r) => `| ${r.suite} | ${r.cases} | ${r.failures} | ${(r.ms / 1000).toFixed(1)} s |`),
  `| **total** | **${total.cases}** | **${total.failures}** | **${(total.ms / 1000).toFixed(1)} s** |`,
];
process.stdout.write(`\n${lines.join("\n")}\n`);
process.exitCode = run.status === 0 && total.failures === 0 ? 0 : 1;
