import type { ConnectionHealth } from "./connection-health.js";
import type { HttpEvent } from "./http.js";
import type { FetchFunction, ProxySettings } from "./proxy.js";
import type { SourceClient } from "./types.js";

/**
 * What cf knows about one source outside its client: its names, its defaults, its flags and
 * variables. Each source folder exports one (its `source.ts`) and registry.ts lists them. A
 * descriptor imports types only, so the model, `cf --help` and the renderers can read every
 * descriptor without loading a client; `createClient` loads the client when a run needs it.
 */
export interface SourceDescriptor<N extends string = string> {
  /** The name in files, flags (`--sources`) and records: `semantic_scholar`. */
  readonly name: N;
  /** The name on screen: `Semantic Scholar`. */
  readonly label: string;
  /** Older spellings of `name` in files of the Python tool, read as `name` (`semanticscholar`). */
  readonly aliases: readonly string[];
  /** The Python tool's checkpoint phases of this source, which mean a run was interrupted. */
  readonly legacyPhases: readonly string[];
  /** The API's base URL: its default, the flag that overrides it and that flag's variable. */
  readonly baseUrl: { readonly default: string; readonly flag: string; readonly env: string };
  /** Requests per second: the flag, and the default with and without an API key. */
  readonly rate: { readonly flag: string; readonly withKey: number; readonly withoutKey: number };
  /** The API key: its flag and variable, and how it is sent (`api_key`, `x-api-key`). */
  readonly apiKey: { readonly flag: string; readonly env: string; readonly sentAs: string };
  /**
   * What a metered API charges per request kind, in USD (OpenAlex, 2026), and what a free key may
   * spend per day; absent for a free API. The dry run prices its plan with it.
   */
  readonly pricing?: {
    readonly singleton: number;
    readonly list: number;
    readonly search: number;
    readonly freeDailyUsd: number;
  };
  /** More string flags, after the key flags in `--help`; their values reach `createClient` by `id`. */
  readonly options: readonly SourceOption[];
  /** The client for a run (loaded on first use, so that `cf --help` stays fast). */
  createClient(settings: SourceSettings): Promise<SourceClient>;
}

/** A string flag of a source, e.g. `--openalex-email <email>` (env `OPENALEX_EMAIL`). */
export interface SourceOption {
  readonly id: string;
  /** `--openalex-email` */
  readonly flag: string;
  /** `<email>`, as `--help` shows the value. */
  readonly value: string;
  readonly description: string;
  readonly env?: string;
  /** `usd`: a dollar amount (a number ≥ 0, checked before the run); default free text. */
  readonly kind?: "text" | "usd";
}

/** How a run asks a descriptor for its client: the resolved flags and what every client shares. */
export interface SourceSettings {
  /** Options every client takes as they are. */
  client: ClientSettings;
  /** The key, when one is given (an empty one is none). */
  apiKey?: string;
  /** The values given for {@link SourceDescriptor.options}, by id (empty ones left out). */
  options: Readonly<Record<string, string>>;
}

export interface ClientSettings {
  baseUrl: string;
  ratePerSecond: number;
  version: string;
  httpOptions: {
    timeoutMs: number;
    health: ConnectionHealth;
    proxy?: ProxySettings;
    fetch?: FetchFunction;
  };
  onEvent?: (event: HttpEvent) => void;
}

/** A descriptor with its name kept as a literal type (for `SourceName`). */
export function defineSource<const N extends string>(descriptor: SourceDescriptor<N>): SourceDescriptor<N> {
  return descriptor;
}
