import type { FailureCause } from "../../model/failure-causes.js";
import { safeText } from "../../model/safe-text.js";
import type { Colors } from "./colors.js";

/** Per source, its most frequent failure causes: `32 × <cause>`, counts aligned. */

export interface SourceCauses {
  source: string;
  /** Failed lookups of this source (the sum of its papers' causes' counts). */
  failed: number;
  /** Most frequent first; those of `kind: "connection"` count failed connection attempts. */
  causes: readonly FailureCause[];
}

/** The failed lookups and failed connection attempts of a list of causes. */
export function causeCounts(causes: readonly FailureCause[]): { failed: number; attempts: number } {
  let failed = 0;
  let attempts = 0;
  for (const cause of causes) {
    if (cause.kind === "connection") attempts += cause.count;
    else failed += cause.count;
  }
  return { failed, attempts };
}

/** `openalex, 3 failed, 12 failed connection attempts` */
function heading(source: string, failed: number, attempts: number): string {
  const parts = [source];
  if (failed > 0 || attempts === 0) parts.push(`${failed} failed`);
  if (attempts > 0) parts.push(`${attempts} failed connection attempt${attempts === 1 ? "" : "s"}`);
  return parts.join(", ");
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
    lines.push(`${indent}${heading(source, failed, causeCounts(causes).attempts)}:`);
    for (const { cause, count } of shown)
      lines.push(`${indent}  ${String(count).padStart(width)} × ${safeText(cause)}`);
    const rest = causes.slice(limit);
    if (rest.length > 0) {
      const counts = causeCounts(rest);
      const what = [
        ...(counts.failed > 0 || counts.attempts === 0 ? [`${counts.failed} failed`] : []),
        ...(counts.attempts > 0 ? [`${counts.attempts} failed connection attempts`] : []),
      ].join(", ");
      lines.push(color.dim(`${indent}  … and ${rest.length} other cause(s) (${what})`));
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
