import { describe, expect, it } from "vitest";
import { BatchLane } from "../../src/storage/batch-lane.js";

/** A lane whose records stay waiting until flushed, like group commit with a long delay. */
function lane() {
  const events: string[] = [];
  const waiting: Array<{ batch: string; resolve: () => void; reject: (error: unknown) => void }> = [];
  const control = { fail: undefined as Error | undefined };
  const lane = new BatchLane<string>(
    (batch) =>
      new Promise<void>((resolve, reject) => {
        events.push(`record ${batch}`);
        waiting.push({ batch, resolve, reject });
      }),
    () => {
      events.push("flush");
      for (const item of waiting.splice(0)) {
        if (control.fail) item.reject(control.fail);
        else {
          events.push(`journaled ${item.batch}`);
          item.resolve();
        }
      }
    },
  );
  return { lane, events, control };
}

const settled = async (promise: Promise<unknown>) => {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe("BatchLane", () => {
  it("lets the worker go on at once after its first batch, which waits for the group", async () => {
    const { lane: l, events } = lane();
    await l.add("b1");
    expect(events).toEqual(["record b1"]);
  });

  it("flushes only when the worker would wait for its previous batch, and journals in order", async () => {
    const { lane: l, events } = lane();
    const progress: string[] = [];
    await l.add("b1", () => progress.push("b1"));
    const second = l.add("b2", () => progress.push("b2"));
    expect(events).toEqual(["record b1", "flush", "journaled b1"]);
    await second; // resolves once b1 is journaled; b2 is only now recorded
    expect(progress).toEqual(["b1"]);
    expect(events).toEqual(["record b1", "flush", "journaled b1", "record b2"]);
    await l.drain();
    expect(events).toEqual(["record b1", "flush", "journaled b1", "record b2", "flush", "journaled b2"]);
    expect(progress).toEqual(["b1", "b2"]);
  });

  it("does not flush when the previous batch is already journaled", async () => {
    const { lane: l, events } = lane();
    await l.add("b1");
    await l.drain();
    events.length = 0;
    await l.add("b2");
    expect(events).toEqual(["record b2"]);
    await l.drain();
  });

  it("a batch that is not yet journaled does not count: drain waits for it", async () => {
    const { lane: l } = lane();
    await l.add("b1");
    const draining = l.drain();
    expect(await settled(draining)).toBe(true);
    const held = new BatchLane<string>(
      () => new Promise<void>(() => undefined), // never journaled
      () => undefined,
    );
    await held.add("b1");
    expect(await settled(held.drain())).toBe(false);
  });

  it("reports a failed journal write to the worker, and records nothing after it", async () => {
    const { lane: l, events, control } = lane();
    const error = new Error("EIO");
    control.fail = error;
    await l.add("b1");
    const second = l.add("b2");
    await expect(second).rejects.toBe(error);
    await expect(l.drain()).rejects.toBe(error);
    expect(events).toEqual(["record b1", "flush", "flush"]);
  });
});
