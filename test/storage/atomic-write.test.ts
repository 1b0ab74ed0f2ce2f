import { spawnSync } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { StorageError } from "../../src/errors.js";
import {
  isTempFileName,
  removeStaleTempFiles,
  removeTempFiles,
  writeFileAtomic,
} from "../../src/storage/atomic-write.js";
import { type MutatingOp, nodeStorageFs, withOpHook } from "../../src/storage/fs.js";
import { isProcessAlive } from "../../src/storage/process-alive.js";
import { testdir } from "../helpers/testdir.js";

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected`), { code });
}

describe("writeFileAtomic", () => {
  it("follows the crash-safe order: open, write, fsync, close, rename, fsync dir", async () => {
    const dir = await testdir();
    const trace: string[] = [];
    const fs = withOpHook(nodeStorageFs, (op, p) => {
      trace.push(
        `${op}:${path.basename(p) === path.basename(dir) ? "<dir>" : isTempFileName(path.basename(p)) ? "<tmp>" : path.basename(p)}`,
      );
    });
    const target = path.join(dir, "f.json");
    const written = await writeFileAtomic(fs, target, "hello");
    expect(trace).toEqual([
      "open:<tmp>",
      "write:<tmp>",
      "fsync:<tmp>",
      "close:<tmp>",
      "rename:f.json",
      "dirsync:<dir>",
    ]);
    expect(await readFile(target, "utf8")).toBe("hello");
    expect(written).toEqual({
      bytes: 5,
      sha256: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
    });
  });

  it("streams chunks (an async iterable) and hashes what it wrote", async () => {
    const dir = await testdir();
    async function* chunks() {
      for (let i = 0; i < 3000; i += 1) yield `${"x".repeat(999)}\n`;
    }
    const written = await writeFileAtomic(nodeStorageFs, path.join(dir, "big"), chunks());
    expect(written.bytes).toBe(3_000_000);
    expect((await readFile(path.join(dir, "big"))).length).toBe(3_000_000);
  });

  it("is done with each chunk before it asks for the next: a producer may reuse one buffer", async () => {
    const dir = await testdir();
    const sizes = [100, 3, 1 << 20, 700_000, 700_000, 5, 3 << 20, 1, 900_000];
    const expected = Buffer.concat(sizes.map((size, i) => Buffer.alloc(size, 65 + i)));
    function* reusing() {
      const buffer = Buffer.alloc(3 << 20);
      for (const [i, size] of sizes.entries()) {
        buffer.fill(65 + i, 0, size);
        yield buffer.subarray(0, size);
        buffer.fill(0); // overwritten as soon as the writer asks for the next chunk
      }
    }
    let writes = 0;
    const fs = withOpHook(nodeStorageFs, (op) => {
      if (op === "write") writes += 1;
    });
    const written = await writeFileAtomic(fs, path.join(dir, "big"), reusing());
    expect((await readFile(path.join(dir, "big"))).equals(expected)).toBe(true);
    expect(written.bytes).toBe(expected.length);
    expect(writes).toBeLessThanOrEqual(8); // gathered into writes of about 1 MB, not one per chunk
  });

  const ops: MutatingOp[] = ["open", "write", "fsync", "close", "rename"];
  for (const failing of ops) {
    for (const code of ["ENOSPC", "EIO"]) {
      it(`keeps the old file and leaves no temp file when ${failing} fails with ${code}`, async () => {
        const dir = await testdir();
        const target = path.join(dir, "f.json");
        await writeFile(target, "old");
        const fs = withOpHook(nodeStorageFs, (op) => {
          if (op === failing) throw errno(code);
        });
        const error = await writeFileAtomic(fs, target, "new content").catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StorageError);
        expect((error as Error).message).toMatch(
          code === "ENOSPC" ? /^disk full while writing/ : /^I\/O error while writing/,
        );
        expect(await readFile(target, "utf8")).toBe("old");
        expect(await readdir(dir)).toEqual(["f.json"]);
      });
    }
  }

  it("never shares a temp file between two concurrent writers of one target", async () => {
    const dir = await testdir();
    const target = path.join(dir, "f.json");
    const contents = Array.from({ length: 50 }, (_, i) => `{"writer":${i}}`);
    await Promise.all(contents.map((c) => writeFileAtomic(nodeStorageFs, target, c)));
    expect(contents).toContain(await readFile(target, "utf8"));
    expect(await readdir(dir)).toEqual(["f.json"]);
  });

  it("writes the same bytes and sha256 from a string, a sync iterable and an async iterable of parts", async () => {
    const dir = await testdir();
    const parts = Array.from({ length: 3000 }, (_, i) => `{"n":${i},"text":"${"é".repeat(i % 500)}"},\n`);
    function* sync() {
      yield* parts;
    }
    async function* later() {
      for (const part of parts) yield Buffer.from(part);
    }
    const results = [];
    for (const [name, content] of [
      ["whole", parts.join("")],
      ["sync", sync()],
      ["async", later()],
    ] as const) {
      const target = path.join(dir, `${name}.txt`);
      results.push(await writeFileAtomic(nodeStorageFs, target, content));
      expect(await readFile(target, "utf8")).toBe(parts.join(""));
    }
    expect(new Set(results.map((r) => r.sha256)).size).toBe(1);
    expect(results[0]?.bytes).toBeGreaterThan(1 << 20); // more than one write
  });
});

describe("temp file sweeps", () => {
  /** Temp names as tempPathFor makes them, for `target` and a writer pid. */
  const temp = (target: string, pid: number, hex: string) => `.${target}.${pid}.${hex.repeat(8)}.tmp`;

  it("removeTempFiles removes every temp file of the directory, whoever wrote it, and nothing else", async () => {
    const dir = await testdir();
    const names = [
      temp("checkpoint.json", 4242, "a"),
      temp("papers.json", process.ppid, "b"),
      "session.json",
    ];
    for (const name of names) await writeFile(path.join(dir, name), "x");
    await removeTempFiles(nodeStorageFs, dir);
    expect(await readdir(dir)).toEqual(["session.json"]);
    await expect(removeTempFiles(nodeStorageFs, path.join(dir, "missing"))).rejects.toMatchObject({
      code: "ENOENT",
    });
  });

  it("removeStaleTempFiles removes the target's temp files of this process and of dead ones only", async () => {
    const dir = await testdir();
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    expect(isProcessAlive(dead)).toBe(false);
    const ours = temp("out.json", process.pid, "a");
    const deadWriter = temp("out.json", dead, "b");
    const liveWriter = temp("out.json", process.ppid, "c"); // may be writing it right now
    const otherTarget = temp("other.json", dead, "d");
    for (const name of [ours, deadWriter, liveWriter, otherTarget, "out.json"]) {
      await writeFile(path.join(dir, name), "x");
    }
    await removeStaleTempFiles(nodeStorageFs, path.join(dir, "out.json"));
    expect((await readdir(dir)).sort()).toEqual([liveWriter, otherTarget, "out.json"].sort());
    // A directory that cannot be listed is nothing to sweep.
    await removeStaleTempFiles(nodeStorageFs, path.join(dir, "missing", "out.json"));
  });
});
