import type { AdoptionPlan } from "../../core/adopt-python.js";
import { safeText } from "../../model/safe-text.js";

/**
 * What continuing a Python tool's session takes over and leaves to do: said when a run adopts it,
 * and by `--dry-run --resume` before anything is created.
 */
export function adoptionLines(sessionId: string, plan: AdoptionPlan): string[] {
  const total = plan.papers.length;
  const sources = Object.entries(plan.done) as Array<[keyof AdoptionPlan["done"], string[]]>;
  const done = sources.map(([source, ids]) => `${source} ${ids.length}/${total}`).join(", ");
  const left = sources
    .map(([source, ids]) => {
      const again = plan.foundNothing[source] ?? 0;
      const note =
        again > 0 ? ` (about ${again} of them the Python tool looked up and found nothing for)` : "";
      return `${source} ${total - ids.length}${note}`;
    })
    .join(", ");
  return [
    `Taking over ${safeText(sessionId)}: ${total} papers, done per source: ${done}.`,
    `  Lookups left: ${left}. A paper without a record from a source is looked up again.`,
    ...plan.notes.map((note) => `  note: ${safeText(note)}`),
  ];
}
