import type { SourceName } from "../../model/records.js";

/** How each source is named on screen, and the flag and variable that carry its key. */
export const SOURCE_LABELS: Record<SourceName, string> = {
  openalex: "OpenAlex",
  semantic_scholar: "Semantic Scholar",
};

export const SOURCE_KEY_SETTINGS: Record<SourceName, { flag: string; env: string }> = {
  openalex: { flag: "--openalex-api-key", env: "OPENALEX_API_KEY" },
  semantic_scholar: { flag: "--ss-api-key", env: "SEMANTIC_SCHOLAR_API_KEY" },
};

/** The on-screen name of a source (its id when unknown). */
export function sourceLabel(source: string): string {
  return SOURCE_LABELS[source as SourceName] ?? source;
}
