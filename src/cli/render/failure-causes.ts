import type { FailureCause } from "../../model/failure-causes.js";
import { safeText } from "../../model/safe-text.js";
import type { Colors } from "./colors.js";

/** Per source, its most frequent failure causes: `32 × <cause>`, counts aligned. */

export interface SourceCauses {
  source: string;
  /** Failed lookups of this source (the sum of its causes' counts). */
  failed: number;
  /** Most frequent first. */
  causes: readonly FailureCause[];
}

/** The lines, indented by `indent`; nothing when no source has failures. */
export function failureCauseLines(
  sources: readonly SourceCauses[],
  color: Colors,
  limit: number,
  indent = "  ",
): string[] {
  const lines: string[] = [];
  for (const { source, failed, causes } of sources) {
    if (causes.length === 0) continue;
    const shown = causes.slice(0, limit);
    const width = String(shown[0]?.count ?? 0).length;
    lines.push(`${indent}${source}, ${failed} failed:`);
    for (const { cause, count } of shown)
      lines.push(`${indent}  ${String(count).padStart(width)} × ${safeText(cause)}`);
    const rest = causes.slice(limit);
    if (rest.length > 0) {
      const lookups = rest.reduce((n, c) => n + c.count, 0);
      lines.push(color.dim(`${indent}  … and ${rest.length} other cause(s) (${lookups} failed)`));
    }
  }
  return lines;
}

/** The block printed after the end-of-run table: a heading and the lines, or nothing. */
export function renderFailureCauses(sources: readonly SourceCauses[], color: Colors, limit = 3): string {
  const lines = failureCauseLines(sources, color, limit);
  if (lines.length === 0) return "";
  return `${[color.red("Most frequent failure causes:"), ...lines].join("\n")}\n`;
}
