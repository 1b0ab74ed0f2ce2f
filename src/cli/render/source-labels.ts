import { sourceDescriptor } from "../../sources/registry.js";

/** The on-screen name of a source (its id when unknown). */
export function sourceLabel(source: string): string {
  return sourceDescriptor(source)?.label ?? source;
}

/** The flag and variable that carry a source's key (empty when the source is unknown). */
export function sourceKeySettings(source: string): { flag: string; env: string } {
  const { flag, env } = sourceDescriptor(source)?.apiKey ?? { flag: "", env: "" };
  return { flag, env };
}
