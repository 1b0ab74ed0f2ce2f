import { execFile } from "node:child_process";
import { mkdtemp, open, readFile, rm, statfs } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/** Oversized input files for the bad-input suite, and a `cf` run that reports its peak memory. */

const PEAK_RSS = path.resolve(import.meta.dirname, "../spawned/peak-rss.mjs");

/** A sparse file of `bytes` NUL bytes: "a 1 GB file" in no time and no disk space. */
export async function writeSparseFile(file: string, bytes: number): Promise<void> {
  const handle = await open(file, "w");
  try {
    await handle.truncate(bytes);
  } finally {
    await handle.close();
  }
}

/**
 * A `cf collect` file of at least `bytes` bytes, streamed in chunks of generated papers; with
 * `brokenLast`, its last paper has a year that is not a number. Returns the bytes and the papers.
 */
export async function writeLargeJson(
  file: string,
  bytes: number,
  { brokenLast = false } = {},
): Promise<{ bytes: number; papers: number }> {
  const handle = await open(file, "w");
  let written = 0;
  let index = 0;
  const write = async (text: string) => {
    const buffer = Buffer.from(text, "utf8");
    await handle.write(buffer);
    written += buffer.length;
  };
  try {
    await write('{"collection_metadata": {"generator": "cf fault suite"}, "papers": [\n');
    while (written < bytes) {
      const chunk: string[] = [];
      for (let i = 0; i < 10_000; i++, index++) {
        const paper = {
          paper_id: `big_${index}`,
          title: `Scaling study number ${index} of very large paper collections`,
          authors: [`Author ${index % 997}`, "Ada Quill"],
          venue: "ICML",
          year: 2000 + (index % 25),
        };
        chunk.push(`${index === 0 ? "" : ",\n"}${JSON.stringify(paper)}`);
      }
      await write(chunk.join(""));
    }
    if (brokenLast) {
      await write(
        `,\n${JSON.stringify({ paper_id: `big_${index}`, title: "Broken", venue: "ICML", year: "soon" })}`,
      );
      index += 1;
    }
    await write("\n]}\n");
  } finally {
    await handle.close();
  }
  return { bytes: written, papers: index };
}

/** Free bytes on the file system holding `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const info = await statfs(dir);
  return info.bavail * info.bsize;
}

export interface MeasuredRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
  peakRssKb: number;
}

function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.FORCE_COLOR;
  delete env.CF_CHECKPOINT_DIR;
  return env;
}

/**
 * Run the built `cf` with `args` in `cwd`, timing it and reading its peak resident memory. A run
 * still going after `timeoutMs` is killed and reported as such (it leaves no peak to read).
 */
export async function runMeasured(args: string[], cwd: string, timeoutMs = 60_000): Promise<MeasuredRun> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), "cf-rss-"));
  const rssFile = path.join(scratch, "peak");
  const started = performance.now();
  try {
    const result = await new Promise<Omit<MeasuredRun, "ms" | "peakRssKb">>((resolve, reject) => {
      execFile(
        process.execPath,
        [PEAK_RSS, ...args],
        { cwd, env: { ...cleanEnv(), CF_PEAK_RSS_FILE: rssFile }, timeout: timeoutMs },
        (error, stdout, stderr) => {
          if (error?.killed) {
            reject(new Error(`cf ${args.join(" ")} still running after ${timeoutMs} ms: killed`));
            return;
          }
          const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
    const ms = performance.now() - started;
    return { ...result, ms, peakRssKb: Number(await readFile(rssFile, "utf8")) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
