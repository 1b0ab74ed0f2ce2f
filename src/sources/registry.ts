import type { SourceDescriptor } from "./descriptor.js";
import { openalex } from "./openalex/source.js";
import { semanticScholar } from "./semantic-scholar/source.js";

/**
 * Every source cf can query, in their fixed order: the default `--sources`, the order of flags,
 * table columns and output records, and which source's value wins when two fill the same field
 * (the earlier). Adding a source: one folder with its `source.ts` descriptor, and one line here.
 * Descriptors load no client code, so anything (the model too) may import this list.
 */
export const SOURCES = [openalex, semanticScholar] as const;

export type SourceName = (typeof SOURCES)[number]["name"];

export const SOURCE_NAMES = SOURCES.map((source) => source.name) as [SourceName, ...SourceName[]];

/** The descriptor of `name`, if it names a source. */
export function sourceDescriptor(name: string): SourceDescriptor<SourceName> | undefined {
  return SOURCES.find((source) => source.name === name);
}

/** A label without case, spaces or punctuation: `Semantic Scholar`, `semantic-scholar` and `semanticscholar` are one. */
function foldLabel(label: string): string {
  return label.toLowerCase().replace(/[^a-z0-9]/g, "");
}

const BY_FOLDED = new Map<string, string>(
  SOURCES.flatMap((s) => [s.name, ...s.aliases].map((label) => [foldLabel(label), s.name])),
);
const RANK = new Map<string, number>(SOURCE_NAMES.map((name, i) => [name, i + 1]));

/**
 * A source label as written by older tools or by hand (`semanticscholar`, `Semantic Scholar`,
 * `OpenAlex`), read as the name it stands for; other labels as they are.
 */
export function normalizeSourceLabel(label: string): string {
  return BY_FOLDED.get(foldLabel(label)) ?? label;
}

/** 1 for the first source, 2 for the next …; 0 for any other label (e.g. records of the input). */
export function sourceRank(label: string): number {
  return RANK.get(label) ?? 0;
}

/** Which source's value wins a field two of them fill (the higher): the earlier source; 0 for others. */
export function fillPriority(label: string): number {
  const rank = sourceRank(label);
  return rank === 0 ? 0 : SOURCES.length + 1 - rank;
}
