import { sourceDescriptor } from "../../sources/registry.js";

/**
 * The on-screen name of a source (its id when unknown). A response-cache name for another API
 * address, `openalex@http://gateway/x`, reads `OpenAlex at http://gateway/x`.
 */
export function sourceLabel(source: string): string {
  const at = source.indexOf("@");
  if (at > 0 && sourceDescriptor(source.slice(0, at))) {
    return `${sourceLabel(source.slice(0, at))} at ${source.slice(at + 1)}`;
  }
  return sourceDescriptor(source)?.label ?? source;
}

/** The flag and variable that carry a source's key (empty when the source is unknown). */
export function sourceKeySettings(source: string): { flag: string; env: string } {
  const { flag, env } = sourceDescriptor(source)?.apiKey ?? { flag: "", env: "" };
  return { flag, env };
}
