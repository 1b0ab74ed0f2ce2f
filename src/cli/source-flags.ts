import { SOURCES } from "../sources/registry.js";

/**
 * The flags of `cf consolidate` that each source brings (base URL, rate, key, its own options), as
 * the registry describes them: `--help` lists them and the options schema validates them from here.
 */

export interface SourceFlag {
  /** `--s2-url`: the flag as messages name it. */
  name: string;
  /** `--s2-url <url>`: the flag as commander takes it. */
  flags: string;
  description: string;
  /** `url` (a validated base URL), `rate` (a positive number), `usd` (a number ≥ 0) or `text`. */
  kind: "url" | "rate" | "usd" | "text";
  /** The variable read when the flag is not given. */
  env?: string;
}

/**
 * The source flags in `--help` order: every base URL, then every rate (before `--http-timeout`),
 * then every key, then the sources' own options (after it).
 */
export const SOURCE_FLAGS: { readonly connection: SourceFlag[]; readonly credentials: SourceFlag[] } = {
  connection: [
    ...SOURCES.map((source): SourceFlag => {
      const { flag, env } = source.baseUrl;
      const description = `${source.label} base URL (env ${env})`;
      return { name: flag, flags: `${flag} <url>`, description, kind: "url", env };
    }),
    ...SOURCES.map((source): SourceFlag => {
      const { flag, withKey, withoutKey } = source.rate;
      const rate = withKey === withoutKey ? `${withKey}` : `${withKey} with a key, ${withoutKey} without`;
      const description = `${source.label} requests per second (default ${rate})`;
      return { name: flag, flags: `${flag} <n>`, description, kind: "rate" };
    }),
  ],
  credentials: [
    ...SOURCES.map((source): SourceFlag => {
      const { flag, env, sentAs } = source.apiKey;
      const description = `${source.label} API key, sent as ${sentAs} (env ${env})`;
      return { name: flag, flags: `${flag} <key>`, description, kind: "text", env };
    }),
    ...SOURCES.flatMap((source) =>
      source.options.map(
        ({ flag, value, description, env, kind }): SourceFlag => ({
          name: flag,
          flags: `${flag} ${value}`,
          description,
          kind: kind ?? "text",
          ...(env ? { env } : {}),
        }),
      ),
    ),
  ],
};

/** The key of a flag's value in commander's options: `--ss-api-key` → `ssApiKey`. */
export function attributeOf(flag: string): string {
  return flag.replace(/^--/, "").replace(/-(.)/g, (_, c: string) => c.toUpperCase());
}

/** "OpenAlex and Semantic Scholar": every source's label, for descriptions. */
export function sourceLabels(): string {
  const labels = SOURCES.map((source) => source.label);
  return labels.length <= 1 ? labels.join("") : `${labels.slice(0, -1).join(", ")} and ${labels.at(-1)}`;
}
