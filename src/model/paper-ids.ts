/**
 * Ids of papers that have none (or a blank one). The Python loader used `{venue}_{year}_{index:04d}`;
 * legacy files also hold papers without a venue, which get `{year}_{index:04d}`.
 */

/** True when `value` is not a usable explicit `paper_id` (missing, null, empty or whitespace). */
export function isBlankPaperId(value: unknown): boolean {
  return typeof value !== "string" || value.trim() === "";
}

/** `{venue}_{year}_{index:04d}`, or `{year}_{index:04d}` when the venue is blank. */
export function generatedPaperId(venue: string, paperYear: number, index: number): string {
  const tail = `${paperYear}_${String(index).padStart(4, "0")}`;
  return venue.trim() === "" ? tail : `${venue}_${tail}`;
}

/**
 * `base`, or `base_2`, `base_3`, … : the first one in neither `taken` nor `reserved`; it is added to
 * `taken`. With every explicit id of the file taken (or reserved) first, a generated id never steals
 * an id a paper was given, and the same file always gets the same ids (which a resume relies on).
 */
export function claimPaperId(
  base: string,
  taken: Set<string>,
  reserved?: { has(id: string): boolean },
): string {
  let id = base;
  for (let n = 2; taken.has(id) || reserved?.has(id); n += 1) id = `${base}_${n}`;
  taken.add(id);
  return id;
}
