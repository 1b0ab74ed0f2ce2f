import { readFile } from "node:fs/promises";
import { canonicalJson } from "../../src/model/canonical-json.js";

/**
 * Oracles on a `cf consolidate` output file. The one place that compares outputs without their
 * timestamps: every test that asks "does this run end equal to an uninterrupted one" uses it.
 */

export interface ComparableOutputOptions {
  /**
   * `sorted` (the default): object keys sorted at every level, so papers whose keys were merged in
   * another order (a resume, another arrival order) still compare equal. `as-written`: the key order
   * in the file must match too (stricter, for runs in one process that must write the same bytes).
   */
  keyOrder?: "sorted" | "as-written";
}

/**
 * The output's papers as JSON with every `timestamp` key dropped at any depth (records carry the time
 * they were fetched): equal for equivalent runs. The metadata (run time, duration, session id) is
 * left out; everything else in the papers, array order included, must match.
 */
export async function comparableOutput(file: string, options: ComparableOutputOptions = {}): Promise<string> {
  const data = JSON.parse(await readFile(file, "utf8"));
  const text = JSON.stringify(data.papers, (key, value) => (key === "timestamp" ? undefined : value));
  return options.keyOrder === "as-written" ? text : canonicalJson(JSON.parse(text));
}

/** Records that appear more than once in a paper's list (same source and data): must be none. */
export async function duplicateRecords(file: string): Promise<string[]> {
  const data = JSON.parse(await readFile(file, "utf8"));
  const duplicates: string[] = [];
  for (const paper of data.papers) {
    for (const list of ["citations", "abstracts", "urls", "identifiers"]) {
      const keys = (paper[list] as Array<{ source: string; data: unknown }>).map(
        (r) => `${r.source}|${canonicalJson(r.data)}`,
      );
      if (new Set(keys).size !== keys.length) duplicates.push(`${paper.paper_id}.${list}`);
    }
  }
  return duplicates;
}
