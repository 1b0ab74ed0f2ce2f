import { setFlagsFromString } from "node:v8";

/**
 * How far V8 lets the heap grow past what the last full collection kept, in percent (issue 16).
 * By default V8 grows it up to 4x when a process allocates fast, as a long consolidation does
 * (every answer parsed, merged and written back): a run whose live data is about 120 MB then peaks
 * near 700 MB of RSS. Collecting at 1.5x keeps a 100,000-paper run under 400 MB for about a tenth
 * more time (README, Performance: `npm run bench -- --only scale`).
 */
export const HEAP_GROWING_PERCENT = 50;

/** Apply the heap growth limit to this process (V8 reads the flag at each collection). */
export function tuneGarbageCollection(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
