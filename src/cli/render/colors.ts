/**
 * The few terminal styles cf uses, from chalk. chalk is loaded only when a command prints styled
 * text to a terminal (loadColors), never at start-up: `cf --help` must stay near bare Node's
 * start-up time. Whether to colour at all is decided by deps.ts (TTY, NO_COLOR, FORCE_COLOR) and
 * passed in as a level, so chalk's own environment detection plays no part.
 */

export interface Colors {
  /** 0: no color; 1 or more: ANSI colors (chalk's levels). */
  readonly level: number;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const plain = (text: string) => text;

/** No styles: what pipes, files and NO_COLOR get. */
export const PLAIN_COLORS: Colors = {
  level: 0,
  dim: plain,
  red: plain,
  green: plain,
  yellow: plain,
  cyan: plain,
};

/** Styles at `level` (chalk loaded on first use; level 0 needs no chalk). */
export async function loadColors(level: number): Promise<Colors> {
  if (level <= 0) return PLAIN_COLORS;
  const { Chalk } = await import("chalk");
  const chalk = new Chalk({ level: Math.min(level, 3) as 1 | 2 | 3 });
  return {
    level,
    dim: (text) => chalk.dim(text),
    red: (text) => chalk.red(text),
    green: (text) => chalk.green(text),
    yellow: (text) => chalk.yellow(text),
    cyan: (text) => chalk.cyan(text),
  };
}
