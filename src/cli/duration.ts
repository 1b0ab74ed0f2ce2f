import { UsageError } from "../errors.js";

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parse `30m`, `12h`, `7d` (also `s` and `w`) into milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(text.trim());
  if (!match) {
    throw new UsageError(`${flag} "${text}" is not a duration`, {
      hint: `Use a number and a unit, e.g. 30m, 12h or 7d.`,
    });
  }
  return Number(match[1]) * (UNITS[match[2] as string] as number);
}

/** Human size: 1.2 MB, 340 KB, 12 B. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${bytes} B`;
}
