import type { SourceProgress } from "../../core/engine.js";
import { safeStyled } from "../../model/safe-text.js";
import { roundUsd } from "../../model/usd.js";
import type { Colors } from "./colors.js";
import { sourceLabel } from "./source-labels.js";
import { formatUsd } from "./usd.js";

/** Progress display: a live multi-line spinner on a terminal, a plain log line every 10 s otherwise. */

/** `1h 02m`, `5m 06s`, `42s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m ${String(sec).padStart(2, "0")}s`;
  return `${sec}s`;
}

/** One source's line: done/total, percent, rate, ETA, enriched, errors. */
export function progressLine(p: SourceProgress, elapsedSeconds: number, color: Colors): string {
  const pct = p.total === 0 ? 100 : (p.done / p.total) * 100;
  // Papers the cache answered took no time: the rate (and so the ETA) counts only looked-up ones.
  const lookedUp = p.done - p.doneAtStart - (p.cached - p.cachedAtStart);
  const rate = elapsedSeconds > 0 ? Math.max(0, lookedUp) / elapsedSeconds : 0;
  const remaining = p.total - p.done;
  const eta = remaining === 0 ? "done" : rate > 0 ? `ETA ${formatDuration(remaining / rate)}` : "ETA ?";
  const label = sourceLabel(p.source).padEnd(16);
  const errors = p.failed > 0 ? color.red(`  errors ${p.failed}`) : "";
  const cached = p.cached > 0 ? `  cached ${p.cached}` : "";
  return `${label} ${p.done}/${p.total}  ${pct.toFixed(1)}%  ${rate.toFixed(1)} papers/s  ${eta}  enriched ${p.enriched}${cached}${errors}${waiting(p)}${spend(p)}`;
}

/** Papers held for another source's ids: waiting by design, not stuck. */
function waiting(p: SourceProgress): string {
  if (p.waiting === 0) return "";
  const helpers = p.waitingFor.map(sourceLabel).join(", ");
  return `  waiting ${p.waiting} for ${helpers || "other sources"}`;
}

/** A metered source's spend: this run's, and what the API says is left today ("$0.31 spent, $0.69 left today"). */
function spend(p: SourceProgress): string {
  const run = roundUsd(p.costUsd - p.costUsdAtStart);
  const left = p.budget?.remainingUsd;
  if (run === 0 && left === undefined) return "";
  return `  ${formatUsd(run)} spent${left === undefined ? "" : `, ${formatUsd(left)} left today`}`;
}

export interface ProgressView {
  update(progress: SourceProgress): void;
  /**
   * A line that stays (a snapshot saved, a warning). It may quote input or server text: control and
   * bidi characters are shown escaped, except cf's own colours and newlines (safeStyled).
   */
  note(line: string): void;
  stop(): void;
}

interface ViewOptions {
  write: (text: string) => void;
  color: Colors;
  now?: () => number;
}

/** Plain log lines every `everyMs` (default 10 s), for pipes, CI and `--no-progress`. */
export function createLogProgress(options: ViewOptions & { everyMs?: number }): ProgressView {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const latest = new Map<string, SourceProgress>();
  const emit = () => {
    if (latest.size === 0) return;
    const elapsed = (now() - started) / 1000;
    const stamp = new Date().toISOString().slice(11, 19);
    const lines = [...latest.values()].map((p) => `[${stamp}] ${progressLine(p, elapsed, options.color)}`);
    options.write(`${lines.join("\n")}\n`);
  };
  const timer = setInterval(emit, options.everyMs ?? 10_000);
  timer.unref();
  return {
    update: (p) => latest.set(p.source, p),
    note: (line) => options.write(`${safeStyled(line)}\n`),
    stop: () => {
      clearInterval(timer);
      emit();
    },
  };
}

/** A live spinner with one line per source (ora, loaded by the caller). */
export function createSpinnerProgress(
  ora: typeof import("ora").default,
  stream: NodeJS.WriteStream,
  color: Colors,
): ProgressView {
  const started = performance.now();
  const latest = new Map<string, SourceProgress>();
  const spinner = ora({ stream, text: "Starting…", discardStdin: false }).start();
  const render = () => {
    const elapsed = (performance.now() - started) / 1000;
    spinner.text = [...latest.values()].map((p) => progressLine(p, elapsed, color)).join("\n  ");
  };
  const timer = setInterval(render, 1000);
  timer.unref();
  return {
    update: (p) => {
      latest.set(p.source, p);
      render();
    },
    note: (line) => {
      spinner.clear();
      stream.write(`${safeStyled(line)}\n`);
      spinner.render();
    },
    stop: () => {
      clearInterval(timer);
      render();
      spinner.stopAndPersist({ symbol: color.green("✔") });
    },
  };
}
