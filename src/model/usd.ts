/**
 * Dollar amounts (what a metered API charged), rounded to the millionth after every step so that
 * sums of $0.0001 steps never drift (0.1 + 0.2 is not 0.3 in floating point).
 */

/** A dollar amount rounded to the millionth (what sums of reported costs are kept at). */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}

/** `a + b` in dollars, without floating-point drift. */
export function addUsd(a: number, b: number): number {
  return roundUsd(a + b);
}
