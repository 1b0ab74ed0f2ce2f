/**
 * The few terminal styles cf uses, as ANSI escapes (what chalk did, without its load time on every
 * start: `cf --help` must stay near bare Node's start-up). Level 0 leaves text plain.
 */

export interface Colors {
  /** 0: no color; 1 or more: ANSI colors (as chalk's levels). */
  readonly level: number;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

function style(open: number, close: number): (text: string) => string {
  const start = `\u001b[${open}m`;
  const end = `\u001b[${close}m`;
  // A style closed inside the text (nested use) is opened again right after, as chalk does.
  return (text) => `${start}${text.replaceAll(end, `${end}${start}`)}${end}`;
}

const plain = (text: string) => text;

export function createColors(level: number): Colors {
  if (level <= 0) return { level: 0, dim: plain, red: plain, green: plain, yellow: plain, cyan: plain };
  return {
    level,
    dim: style(2, 22),
    red: style(31, 39),
    green: style(32, 39),
    yellow: style(33, 39),
    cyan: style(36, 39),
  };
}
