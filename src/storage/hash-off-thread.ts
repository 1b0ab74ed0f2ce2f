import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { Worker } from "node:worker_threads";
import { READ_NOFOLLOW } from "./fs.js";

/**
 * The sha256 of a file computed on another thread: opening a session hashes its papers snapshot
 * (hundreds of MB) while this thread reads progress.json and builds the session's state (issue 16:
 * a resume on two cores starts sooner). If a worker cannot start, the file is hashed here. Like
 * every session read, a symbolic link in the file's place is not followed (ELOOP).
 * The worker's code is a string: it runs the same from the built files and from the TypeScript
 * sources under test.
 */
const WORKER_CODE = `
const { parentPort, workerData } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const { openSync, readSync, closeSync } = require("node:fs");
const hash = createHash("sha256");
const fd = openSync(workerData.file, workerData.flags);
try {
  const block = Buffer.allocUnsafe(4 * 1024 * 1024);
  for (;;) {
    const read = readSync(fd, block, 0, block.length, null);
    if (read === 0) break;
    hash.update(block.subarray(0, read));
  }
} finally {
  closeSync(fd);
}
parentPort.postMessage(hash.digest("hex"));
`;

export function hashFileOffThread(file: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let worker: Worker;
    try {
      worker = new Worker(WORKER_CODE, { eval: true, workerData: { file, flags: READ_NOFOLLOW } });
    } catch {
      hashHere(file).then(resolve, reject);
      return;
    }
    worker.unref(); // a process that ends early (a refused session) does not wait for it
    worker.once("message", (digest: string) => resolve(digest));
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (code !== 0) reject(new Error(`the hashing thread exited with code ${code}`));
    });
  });
}

async function hashHere(file: string): Promise<string> {
  const hash = createHash("sha256");
  // Numeric open flags work here (fs.open takes them); the type only names the string forms.
  const stream = createReadStream(file, { flags: READ_NOFOLLOW as unknown as string });
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
