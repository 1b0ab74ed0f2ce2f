import { createHash } from "node:crypto";
import { symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { hashFileOffThread } from "../../src/storage/hash-off-thread.js";
import { testdir } from "../helpers/testdir.js";

describe("hashFileOffThread", () => {
  it("gives the sha256 of the file's bytes, across its 4 MB reads", async () => {
    const dir = await testdir();
    for (const size of [0, 1, 4 * 1024 * 1024, 9 * 1024 * 1024 + 7]) {
      const bytes = Buffer.alloc(size, 0);
      for (let i = 0; i < size; i += 4093) bytes[i] = i % 251;
      const file = path.join(dir, `f${size}`);
      await writeFile(file, bytes);
      expect(await hashFileOffThread(file)).toBe(createHash("sha256").update(bytes).digest("hex"));
    }
  });

  it("fails for a file it cannot read", async () => {
    await expect(hashFileOffThread(path.join(await testdir(), "missing"))).rejects.toThrow(/ENOENT/);
  });

  it("never reads through a symbolic link (session files are opened with O_NOFOLLOW)", async () => {
    const dir = await testdir();
    const outside = path.join(dir, "outside.txt");
    await writeFile(outside, "not a session file\n");
    const link = path.join(dir, "papers_enriched.json");
    await symlink(outside, link);
    await expect(hashFileOffThread(link)).rejects.toThrow(/ELOOP/);
  });
});
