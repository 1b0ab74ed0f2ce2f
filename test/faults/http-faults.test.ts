import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FAULT_KINDS } from "../../src/simulator/faults.js";
import { comparableOutput, duplicateRecords, simFlags, simulatorFor, writeInput } from "../helpers/e2e.js";
import { runMeasured } from "../helpers/faults/big-input.js";
import {
  coveringSeed,
  filesContaining,
  goldenFor,
  onlySession,
  resumeToGolden,
} from "../helpers/faults/http-runs.js";
import {
  type ProxyLogEntry,
  proxiedUrls,
  requestTarget,
  retryAfterGaps,
  startLoggingProxy,
} from "../helpers/faults/logging-proxy.js";
import { runCases, SEED, size } from "../helpers/faults/tier.js";
import { startEndlessServer, startTestServer } from "../helpers/http/http-server.js";
import { s2PaperFor } from "../helpers/http/s2-fake.js";
import { doiInputPapers } from "../helpers/papers.js";
import { runCli } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

const PAPERS = 100;
/** Papers of the run where every request fails: few, since each request is tried 5 times with backoff. */
const DOOMED_PAPERS = 12;
const SEEDS = size("http_seeds", 2, 20);
const FAULT_RATE = 0.1;
/** A hang outlasts the 1 s timeout the runs are given (--http-timeout 1). */
const HANG_MS = 4000;

type Case =
  | { kind: "mixed"; faultSeed: number }
  | { kind: "all-fail" }
  | { kind: "bad-key" }
  | { kind: "endless-body" }
  | { kind: "same-answer" };

/** Peak memory allowed to a run whose every answer is endless: the 64 MB cap, buffered, plus the process. */
const ENDLESS_RSS_MB = 400;

const outputArgs = (input: string) => ["consolidate", "--input", input, "--output", "out.json"];

async function readOutput(dir: string) {
  return JSON.parse(await readFile(path.join(dir, "out.json"), "utf8"));
}

/**
 * The requests whose every 429 the client received, by its debug log (-vv: "http retry|error METHOD
 * url 429"). On a loaded machine a 429 can arrive after the 1 s timeout already abandoned the
 * attempt; the client then backs off as after a timeout, which says nothing about Retry-After.
 */
function clientSaw429(stderr: string, log: readonly ProxyLogEntry[]): Set<string> {
  const reported = new Map<string, number>();
  for (const [, method, url] of stderr.matchAll(/^http (?:retry|error) (GET|POST) (\S+) 429$/gm)) {
    const target = requestTarget(method!, url!);
    reported.set(target, (reported.get(target) ?? 0) + 1);
  }
  const sent = new Map<string, number>();
  for (const e of log) if (e.status === 429) sent.set(e.target, (sent.get(e.target) ?? 0) + 1);
  return new Set([...sent].filter(([target, n]) => (reported.get(target) ?? 0) >= n).map(([t]) => t));
}

/** 10% of requests fail with every kind of fault; the run (plus a fault-free resume) gives the golden output. */
async function mixedCase(faultSeed: number, golden: string): Promise<string> {
  const dir = await testdir("cf-http-");
  const input = await writeInput(dir, PAPERS);
  const sim = await simulatorFor({ faults: { rate: FAULT_RATE, seed: faultSeed, hangMs: HANG_MS } });
  const proxy = await startLoggingProxy(sim.url);
  const { openalexUrl, s2Url } = proxiedUrls(proxy);
  const flags = simFlags(sim).map((f) => (f === sim.openalexUrl ? openalexUrl : f === sim.s2Url ? s2Url : f));
  const run = await runCli([...outputArgs(input), "--http-timeout", "1", "-vv", ...flags], { cwd: dir });
  const where = `fault seed ${faultSeed}`;
  expect([0, 1], `${where}: ${run.stderr}`).toContain(run.code);

  const kinds = new Set(sim.requestLog.flatMap((e) => (e.fault ? [e.fault] : [])));
  expect([...kinds].sort(), `${where}: fault kinds met`).toEqual([...FAULT_KINDS].sort());
  // Retry-After: 1 is honoured: the same request comes back no sooner than a second later.
  const seen = clientSaw429(run.stderr, proxy.log);
  const gaps = retryAfterGaps(proxy.log, seen);
  expect(gaps.length, `${where}: no throttled request was retried`).toBeGreaterThan(0);
  for (const gap of gaps) {
    expect(
      gap.sinceRequestMs,
      `${where}: retried ${gap.sinceRequestMs} ms after a 429`,
    ).toBeGreaterThanOrEqual(1000);
    // Timers may fire a few ms early by the wall clock; the answer itself took time to send.
    expect(
      gap.sinceAnswerMs,
      `${where}: retried ${gap.sinceAnswerMs} ms after the 429 arrived`,
    ).toBeGreaterThanOrEqual(990);
  }
  // Hangs were abandoned at the 1 s timeout, not waited out.
  const longest = Math.max(...proxy.log.map((e) => e.done - e.at));
  expect(longest, `${where}: a request was waited on for ${longest} ms`).toBeLessThan(HANG_MS - 1000);

  if (run.code === 1) {
    // Some papers failed even after 5 attempts: listed, the session resumable, the resume completes them.
    expect(run.stdout).toMatch(/Failed lookups \(\d+; retried on resume\):/);
    expect((await onlySession(dir)).status).toBe("failed");
    await resumeToGolden(dir, outputArgs(input), golden);
  } else {
    expect(await comparableOutput(path.join(dir, "out.json")), where).toBe(golden);
    expect((await onlySession(dir)).status).toBe("completed");
  }
  expect(await duplicateRecords(path.join(dir, "out.json"))).toEqual([]);
  const faults = sim.requestLog.filter((e) => e.fault).length;
  const minGap = Math.min(...gaps.map((g) => g.sinceAnswerMs));
  const late = proxy.log.filter((e) => e.status === 429 && !seen.has(e.target)).length;
  return `seed ${faultSeed}: exit ${run.code}, ${faults} faults in ${sim.requestLog.length} requests, ${gaps.length} Retry-After retries (shortest wait ${minGap} ms)${late > 0 ? `, ${late} 429(s) came after the timeout` : ""}`;
}

/** Every request fails: each paper is listed as failed, the session stays resumable, the resume completes. */
async function allFailCase(golden: string): Promise<void> {
  const dir = await testdir("cf-http-");
  const input = await writeInput(dir, DOOMED_PAPERS);
  const sim = await simulatorFor({ faults: { rate: 1, kinds: ["500", "503", "reset"], seed: SEED } });
  // Every request is retried with backoff: on a loaded machine this run can pass the default 20 s
  // (the child would then be killed, exit 1 with no summary).
  const run = await runCli([...outputArgs(input), ...simFlags(sim)], { cwd: dir, timeoutMs: 90_000 });
  expect(run.code, run.stderr).toBe(1);
  expect(run.stdout).toContain(`Failed lookups (${2 * DOOMED_PAPERS}; retried on resume):`);
  expect(run.stdout).toMatch(/ {2}openalex \S+: OpenAlex (DOI list|title search) \(transient\): /);
  expect(run.stdout).toContain(`… and ${2 * DOOMED_PAPERS - 10} more`);
  expect(run.stderr).toContain("Not complete: some lookups failed");
  const stats = (await readOutput(dir)).consolidation_metadata.stats;
  expect(stats.sources.openalex).toMatchObject({ status: "failed", papers_failed: DOOMED_PAPERS });
  expect(stats.sources.semantic_scholar).toMatchObject({ status: "failed", papers_failed: DOOMED_PAPERS });
  expect((await onlySession(dir)).status).toBe("failed");
  const resumed = await resumeToGolden(dir, outputArgs(input), golden);
  expect(resumed.stdout).not.toContain("Failed lookups");
  expect((await onlySession(dir)).status).toBe("completed");
}

/** A rejected OpenAlex key stops OpenAlex only, says why, never shows the key, and stays resumable. */
async function badKeyCase(golden: string): Promise<void> {
  const dir = await testdir("cf-http-");
  const input = await writeInput(dir, PAPERS);
  const digest = (label: string) =>
    createHash("sha256").update(`${label}:${SEED}`).digest("hex").slice(0, 24);
  const [wrongKey, rightKey] = [`wrong-${digest("wrong")}`, `right-${digest("right")}`];
  const sim = await simulatorFor({ requireKeys: { openalex: rightKey } });
  const run = await runCli([...outputArgs(input), ...simFlags(sim), "--openalex-api-key", wrongKey], {
    cwd: dir,
  });
  expect(run.code, run.stderr).toBe(1);
  expect(run.stderr).toMatch(
    /stopped: OpenAlex refused the API key \(HTTP 401 Invalid or missing API key.*\): check the key given by --openalex-api-key or OPENALEX_API_KEY/,
  );
  const stats = (await readOutput(dir)).consolidation_metadata.stats;
  expect(stats.sources.openalex.status).toBe("failed");
  expect(stats.sources.semantic_scholar).toMatchObject({ status: "completed", papers_failed: 0 });
  // The source stopped: only the requests already in flight were sent, none retried.
  const openalex = sim.requestLog.filter((e) => e.api === "openalex");
  expect(openalex.length).toBeLessThanOrEqual(16);
  expect(openalex.every((e) => e.status === 401)).toBe(true);
  const session = await onlySession(dir);
  expect(session.status).toBe("failed");
  expect(session.sources.semantic_scholar?.status).toBe("completed");
  expect(`${run.stdout}${run.stderr}`).not.toContain(wrongKey);
  expect(await filesContaining(dir, wrongKey)).toEqual([]);

  // Fixed key: the resume does OpenAlex only and ends equal to the golden run.
  const fixed = await simulatorFor({ requireKeys: { openalex: rightKey } });
  const resumed = await runCli(
    [...outputArgs(input), "--resume", ...simFlags(fixed), "--openalex-api-key", rightKey],
    { cwd: dir },
  );
  expect(resumed.code, resumed.stderr).toBe(0);
  expect(fixed.requestLog.filter((e) => e.api === "s2")).toEqual([]);
  expect(await comparableOutput(path.join(dir, "out.json"))).toBe(golden);
  expect(`${resumed.stdout}${resumed.stderr}`).not.toContain(rightKey);
  expect(await filesContaining(dir, rightKey)).toEqual([]);
}

/** Papers with DOIs only, so each source asks in batches (OpenAlex lists, Semantic Scholar /paper/batch). */
async function doiInput(dir: string, n: number): Promise<void> {
  await writeFile(path.join(dir, "in.json"), JSON.stringify(doiInputPapers(n)));
}

/**
 * Case 9 of the hardening issue: every answer is a 200 whose body never ends. Each is cut at 64 MB,
 * the papers fail with the reason (not retried), memory stays bounded, the session stays resumable.
 */
async function endlessBodyCase(): Promise<string> {
  const dir = await testdir("cf-http-");
  await doiInput(dir, DOOMED_PAPERS);
  const srv = await startEndlessServer();
  try {
    const run = await runMeasured(
      [
        ...outputArgs("in.json"),
        "--no-progress",
        "--openalex-url",
        srv.url,
        "--s2-url",
        `${srv.url}/graph/v1`,
        "--openalex-rps",
        "100",
        "--s2-rps",
        "100",
      ],
      dir,
    );
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain(`Failed lookups (${2 * DOOMED_PAPERS}; retried on resume):`);
    expect(run.stdout).toMatch(/response larger than 64 MB/);
    // One request per batch: a body past the cap is a permanent failure, never retried.
    const batches = srv.requests.filter((r) => /\/works\?|\/paper\/batch/.test(r.url));
    expect(batches.length, srv.requests.map((r) => r.url).join("\n")).toBe(2);
    const peakMb = run.peakRssKb / 1024;
    expect(peakMb, `peak RSS ${peakMb.toFixed(0)} MB`).toBeLessThan(ENDLESS_RSS_MB);
    expect((await onlySession(dir)).status).toBe("failed");
    return `endless bodies: ${srv.requests.length} request(s), peak RSS ${peakMb.toFixed(0)} MB, ${(run.ms / 1000).toFixed(1)} s`;
  } finally {
    await srv.close();
  }
}

/**
 * Case 10: a Semantic Scholar batch that answers the same paper for every id. Answers carrying another
 * DOI than asked fail those papers with the reason; only the true one is matched; not completed.
 */
async function sameAnswerCase(): Promise<void> {
  const dir = await testdir("cf-http-");
  await doiInput(dir, DOOMED_PAPERS);
  const same = s2PaperFor("DOI:10.1000/p0", { paperId: "same-paper" });
  const srv = await startTestServer((req) => {
    if (req.method === "POST" && req.url.includes("/paper/batch")) {
      const { ids } = JSON.parse(req.body) as { ids: string[] };
      return { body: ids.map(() => same) };
    }
    return { status: 404, body: { error: "unexpected" } };
  });
  try {
    const run = await runCli(
      [
        ...outputArgs("in.json"),
        "--no-progress",
        "--sources",
        "semantic_scholar",
        "--s2-url",
        `${srv.url}/graph/v1`,
        "--s2-rps",
        "100",
      ],
      { cwd: dir },
    );
    expect(run.code, run.stderr).toBe(1);
    const wrong = DOOMED_PAPERS - 1;
    expect(run.stdout).toContain(`Failed lookups (${wrong}; retried on resume):`);
    expect(run.stdout).toContain("answer is another paper: asked DOI:10.1000/p1, got DOI 10.1000/p0");
    const out = await readOutput(dir);
    const stats = out.consolidation_metadata.stats.sources.semantic_scholar;
    expect(stats).toMatchObject({ status: "failed", papers_failed: wrong });
    const s2Ids = out.papers.flatMap(
      (p: { identifiers: { data: { identifier_type: string; identifier_value: string } }[] }) =>
        p.identifiers
          .filter((r) => r.data.identifier_type === "s2_paper")
          .map((r) => r.data.identifier_value),
    );
    expect(s2Ids).toEqual(["same-paper"]);
    expect((await onlySession(dir)).status).toBe("failed");
  } finally {
    await srv.close();
  }
}

describe("fault suite: HTTP faults", () => {
  it(
    "429s (with and without Retry-After), 5xx, resets, cut bodies and hangs: the output equals the golden one",
    async () => {
      const golden = await goldenFor(PAPERS);
      const doomedGolden = await goldenFor(DOOMED_PAPERS);
      const cases: Case[] = [];
      let faultSeed = SEED;
      for (let i = 0; i < SEEDS; i++) {
        // A 100-paper run makes about 85 requests; the first 70 already meet every fault kind.
        faultSeed = coveringSeed(faultSeed + 1, FAULT_RATE, 70);
        cases.push({ kind: "mixed", faultSeed });
      }
      cases.push(
        { kind: "all-fail" },
        { kind: "bad-key" },
        { kind: "endless-body" },
        { kind: "same-answer" },
      );
      const notes: string[] = [];
      const failures = await runCases("http-faults", cases, async (c) => {
        if (c.kind === "mixed") notes.push(await mixedCase(c.faultSeed, golden));
        else if (c.kind === "all-fail") await allFailCase(doomedGolden);
        else if (c.kind === "endless-body") notes.push(await endlessBodyCase());
        else if (c.kind === "same-answer") await sameAnswerCase();
        else await badKeyCase(golden);
      });
      console.log(`http-faults:\n  ${notes.join("\n  ")}`);
      expect(failures).toEqual([]);
    },
    60_000 + SEEDS * 30_000,
  );
});
