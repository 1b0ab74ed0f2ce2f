// Shared helpers of the benchmarks: medians, child processes with peak RSS, synthetic papers.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const BIN = path.join(ROOT, "bin", "cf.js");
export const dist = (rel) => import(path.join(ROOT, "dist", rel));

/** `cf consolidate` flags for the simulator `sim` at `limits` requests per second ({ openalex, s2 }). */
export function simulatorFlags(sim, limits) {
  return [
    "--openalex-url",
    sim.openalexUrl,
    "--s2-url",
    sim.s2Url,
    "--openalex-rps",
    String(limits.openalex),
    "--s2-rps",
    String(limits.s2),
  ];
}

/** The median of a list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Run a command to its end; resolves with exit code, wall ms, peak RSS (KB, from GNU time when
 * available) and output. `onStart(child)` sees the child.
 */
export function runTimed(command, args, { cwd, env, onStart, rss = true } = {}) {
  return new Promise((resolve) => {
    const useTime = rss && process.platform === "linux";
    const started = performance.now();
    const child = useTime
      ? spawn("/usr/bin/time", ["-f", "__RSS_KB=%M", command, ...args], {
          cwd,
          env: { ...process.env, ...env },
        })
      : spawn(command, args, { cwd, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => {
      stdout += c;
    });
    child.stderr.on("data", (c) => {
      stderr += c;
    });
    onStart?.(child);
    child.on("close", (code) => {
      const ms = performance.now() - started;
      const match = /__RSS_KB=(\d+)/.exec(stderr);
      resolve({
        code,
        ms,
        rssKb: match ? Number(match[1]) : undefined,
        stdout,
        stderr: stderr.replace(/__RSS_KB=\d+\n?/, ""),
      });
    });
  });
}

/** Papers of the fixed benchmark shape: 4 authors and a DOI. */
export function benchPapers(count, { mix = "doi" } = {}) {
  const papers = [];
  for (let i = 0; i < count; i++) {
    const paper = {
      title: `Benchmark paper ${i} on scalable consolidation of records`,
      authors: ["Ada Quill", "Bo Renner", "Cy Ostrow", "Di Lund"].map((n) => ({
        name: `${n} ${i % 97}`,
        affiliations: [],
        email: "",
      })),
      venue: "ICML",
      year: 2023,
      paper_id: `B${String(i).padStart(7, "0")}`,
    };
    if (mix === "doi" || (mix === "mixed" && i % 10 < 7)) paper.doi = `10.5555/bench.${i}`;
    papers.push(paper);
  }
  return papers;
}

const WORDS =
  "model data training compute scale transformer attention layer token budget loss gradient".split(" ");

/** A 120-word abstract. */
export function abstract(i) {
  return Array.from({ length: 120 }, (_, k) => WORDS[(i + k) % WORDS.length]).join(" ");
}

/** The 8 records per paper of the benchmark shape (per source: citation, abstract, URL, identifier). */
export function benchUpdate(paperId, source, i) {
  const record = (data) => ({ source, timestamp: "2026-01-01T00:00:00", original: false, data });
  return {
    paper_id: paperId,
    source,
    records: {
      citations: [record({ count: i % 500 })],
      abstracts: [record({ text: abstract(i), language: "en" })],
      urls: [record({ url: `https://example.org/${source}/${paperId}.pdf` })],
      identifiers: [
        record({
          identifier_type: source === "openalex" ? "openalex" : "s2_paper",
          identifier_value: `${source}-${paperId}`,
        }),
      ],
    },
  };
}

/**
 * Write an input of `count` benchmark papers (DOI `10.5555/bench.<i>`) as a stream, 10,000 at a
 * time: no giant string here either.
 */
export async function writeBenchInput(file, count) {
  const out = createWriteStream(file);
  out.write('{"papers":[\n');
  for (let i = 0; i < count; i += 10_000) {
    const chunk = benchPapers(Math.min(10_000, count - i)).map((p, k) => ({
      ...p,
      paper_id: `B${String(i + k).padStart(7, "0")}`,
      doi: `10.5555/bench.${i + k}`,
    }));
    const text = chunk.map((p) => JSON.stringify(p)).join(",\n");
    if (!out.write(`${i === 0 ? "" : ",\n"}${text}`)) await once(out, "drain");
  }
  out.end("\n]}\n");
  await once(out, "finish");
}

/** `cf consolidate` from in.json to out.json in its directory, against `sim`, without live progress. */
export function consolidateArgs(sim, limits, extra = []) {
  return [
    BIN,
    "consolidate",
    "--input",
    "in.json",
    "--output",
    "out.json",
    "--no-progress",
    ...extra,
    ...simulatorFlags(sim, limits),
  ];
}
