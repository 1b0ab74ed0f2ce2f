import path from "node:path";
import type { CacheSettings } from "../core/run-cache.js";
import { UsageError } from "../errors.js";
import { parseDuration } from "./duration.js";

/** Where the response cache lives unless `--cache` or `CF_CACHE` says otherwise (beside the sessions). */
export const DEFAULT_CACHE_FILE = path.join(".cf_state", "cache.sqlite");

/** The cache file of a command: `--cache`, else `CF_CACHE`, else the default; resolved against `cwd`. */
export function cacheFileFrom(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  const chosen = flag?.trim() || env.CF_CACHE?.trim() || DEFAULT_CACHE_FILE;
  return path.resolve(cwd, chosen);
}

/** `--max-age` when not given. */
export const DEFAULT_MAX_AGE = "30d";

/**
 * `CF_NO_CACHE=1` (also `true`, `yes`, `on`) turns the cache off like `--no-cache`; `0`, `false`,
 * `no`, `off` or empty leave it on. Anything else is refused (exit 2) rather than guessed.
 */
export function cacheDisabledByEnv(env: NodeJS.ProcessEnv): boolean {
  const value = env.CF_NO_CACHE?.trim() ?? "";
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off|)$/i.test(value)) return false;
  throw new UsageError(`CF_NO_CACHE="${value}" is neither on nor off`, {
    hint: "Set CF_NO_CACHE=1 to turn the response cache off, or unset it.",
  });
}

/**
 * A run's cache settings from its flags: undefined with `--no-cache`, or with `CF_NO_CACHE=1`
 * unless `--cache <file>` names one. `--max-age` must be a duration (exit 2 otherwise).
 */
export function cacheSettingsFrom(
  options: { cache?: string | false | undefined; maxAge: string; refresh: boolean },
  env: NodeJS.ProcessEnv,
  cwd: string,
): Omit<CacheSettings, "onWarning"> | undefined {
  const maxAgeMs = parseDuration(options.maxAge, "--max-age");
  if (options.cache === false) return undefined;
  if (options.cache === undefined && cacheDisabledByEnv(env)) return undefined;
  return { file: cacheFileFrom(options.cache, env, cwd), maxAgeMs, refresh: options.refresh };
}
