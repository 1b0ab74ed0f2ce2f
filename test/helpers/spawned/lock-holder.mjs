// Child process for test/storage/session-lock.test.ts; uses the compiled module (run `npm run build` first).
//   hold <dir>: take the lock, print "locked", then wait until killed.
//   race <dir>: print "ready", wait for a "go" line, try once and print "won" or "busy"; a winner keeps the
//               lock until a "done" line, then prints "verified" or "lost" and releases.
import { createInterface } from "node:readline";
import { acquireSessionLock } from "../../../dist/storage/session-lock.js";

const [mode, dir] = process.argv.slice(2);
const input = createInterface({ input: process.stdin });
const lines = input[Symbol.asyncIterator]();

function finish(code) {
  process.exitCode = code;
  input.close();
  process.stdin.destroy();
}

async function tryAcquire() {
  try {
    return await acquireSessionLock(dir);
  } catch (error) {
    if (error?.code === "E_SESSION_LOCKED") return undefined;
    throw error;
  }
}

try {
  if (mode === "hold") {
    if ((await tryAcquire()) === undefined) throw new Error("lock is busy");
    console.log("locked");
    setInterval(() => undefined, 60_000);
  } else if (mode === "race") {
    console.log("ready");
    await lines.next();
    const lock = await tryAcquire();
    console.log(lock === undefined ? "busy" : "won");
    if (lock !== undefined) {
      await lines.next();
      console.log((await lock.verify()) ? "verified" : "lost");
      await lock.release();
    }
    finish(0);
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
} catch (error) {
  console.log(`error ${error instanceof Error ? error.message : String(error)}`);
  finish(1);
}
