import type { CostEstimate, RunPlan } from "../../core/plan.js";
import { formatDuration } from "./progress.js";
import { sourceLabel } from "./source-labels.js";
import { formatUsd as usd } from "./usd.js";

/** The dry run's plan: papers by kind, per source its requests, time and (OpenAlex) cost. */
export function renderPlan(
  papers: number,
  plan: RunPlan,
  migrated: string | undefined,
  options: {
    input: string;
    checkpointInterval: number;
    /** Lines between the first line and the input's: which session the run would continue. */
    preface?: readonly string[];
  },
): string {
  // A title search without a verified match costs one more, broader search (README "Matching").
  const fallbacks = (requests: number) => {
    const most = Math.min(plan.titleOnly, requests);
    return most > 0 ? `up to ${most} more if title searches need their fallback; ` : "";
  };
  const left = (s: RunPlan["sources"][number]) =>
    s.left < papers ? `${s.left} of ${papers} papers left to look up; ` : "";
  const cached = (s: RunPlan["sources"][number]) =>
    s.cached > 0 ? `${s.cached} of ${s.left} papers answered by the cache; ` : "";
  const lines = [
    `DRY RUN: nothing is fetched or written.`,
    ...(options.preface ?? []),
    `Input: ${options.input}: ${papers} papers valid (${plan.withDoi} with a DOI, ${plan.arxivOnly} with only an arXiv id, ${plan.titleOnly} with only a title).`,
    ...(migrated ? [`  ${migrated}.`] : []),
    ...plan.sources.flatMap((s) => [
      `  ${s.source}: ${left(s)}${cached(s)}${s.requests} request(s) at ${s.ratePerSecond}/s ≈ ${formatDuration(s.seconds)} (${fallbacks(s.requests)}not counting retries or single-DOI fallbacks)`,
      ...(s.cost ? costLines(s.cost) : []),
    ]),
    `Checkpoint every ${options.checkpointInterval} minute(s) (0 = only at the end).`,
  ];
  return `${lines.join("\n")}\n`;
}

/** The cost of a metered source's plan, with what cross-source ids may save and the days on a free key. */
export function costLines(cost: CostEstimate): string[] {
  const range = (min: number, max: number, format: (n: number) => string) =>
    min === max ? format(min) : `${format(min)}–${format(max)}`;
  const parts = [
    `${cost.lists} list request(s)`,
    `${cost.singletons} lookup(s) by id (free)`,
    `${range(cost.searches.min, cost.searches.max, String)} title search(es)`,
  ];
  const lines = [`    cost ≈ ${range(cost.usd.min, cost.usd.max, usd)}: ${parts.join(", ")}.`];
  if (cost.shared > 0) {
    const helpers = cost.sharedWith.map(sourceLabel).join(" and ");
    lines.push(
      `    ${helpers} answers ${cost.shared} title-only paper(s) first: each it identifies is looked up by id for free instead of searched, so cross-source ids save between 0 and ${2 * cost.shared} search(es) (up to ${usd(cost.savedUsd.max)}).`,
    );
  }
  if (cost.searched > 0) {
    lines.push(
      `    ${cost.searched} title-only paper(s) will be searched (no other source can identify them first).`,
    );
  }
  if (cost.usd.max > cost.freeDailyUsd) {
    const days = (amount: number) => Math.max(1, Math.ceil(amount / cost.freeDailyUsd));
    lines.push(
      `    On a free key (${usd(cost.freeDailyUsd)}/day) that is ${range(days(cost.usd.min), days(cost.usd.max), String)} day(s): the run stops with exit 75 when the day's budget is spent; resume the next day.`,
    );
  }
  return lines;
}
