import { z } from "zod";
import { UsageError } from "../errors.js";
import { SOURCE_NAMES, type SourceName } from "../model/records.js";
import { createConnectionHealth } from "../sources/connection-health.js";
import { redactUrl } from "../sources/http.js";
import { createOpenAlexClient } from "../sources/openalex/client.js";
import type { FetchFunction, ProxySettings } from "../sources/proxy.js";
import {
  createSemanticScholarClient,
  S2_RATE_WITH_KEY,
  S2_RATE_WITHOUT_KEY,
} from "../sources/semantic-scholar/client.js";
import type { SourceClient } from "../sources/types.js";
import { validateSessionId } from "../storage/session-id.js";
import { VERSION } from "../version.js";
import { checkpointDirOption, parseOptions } from "./options.js";

/** `cf consolidate` flags: validated, with environment fallbacks, turned into clients. */

export const OPENALEX_DEFAULT_URL = "https://api.openalex.org";
export const S2_DEFAULT_URL = "https://api.semanticscholar.org/graph/v1";
export const OPENALEX_DEFAULT_RPS = 10;

// Number("") is 0: an empty flag value must be refused, not read as zero.
const blankIsNaN = (value: unknown) =>
  typeof value === "string" && value.trim() === "" ? Number.NaN : value;

const positiveNumber = (flag: string) =>
  z.coerce
    .number({ error: `${flag} must be a number` })
    .positive(`${flag} must be greater than 0`)
    .finite();

const sourceList = z
  .string()
  .transform((text) =>
    text
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(
        z.enum(SOURCE_NAMES, {
          error: (issue) => `unknown source "${String(issue.input)}" (use ${SOURCE_NAMES.join(", ")})`,
        }),
      )
      .min(1, "name at least one source"),
  );

/**
 * A base URL: http(s), a host, no query and no fragment (request paths are appended to it, so a `?`
 * or `#` would swallow them). Credentials (`user:password@`) are allowed for proxies and gateways;
 * they are sent as Basic authorization and never printed or stored. Messages never echo the value.
 */
const baseUrl = z.string().superRefine((text, ctx) => {
  const fail = (message: string) => ctx.addIssue({ code: "custom", message });
  const parsed = URL.canParse(text) ? new URL(text) : undefined;
  if (!parsed || !/^https?:$/.test(parsed.protocol)) return fail("must be an http(s) URL");
  if (parsed.hostname === "") return fail("must be an http(s) URL with a host");
  if (text.includes("?")) {
    return fail("must not contain a query string (?…): request paths are appended to the base URL");
  }
  if (text.includes("#")) {
    return fail("must not contain a fragment (#…): request paths are appended to the base URL");
  }
});

export const consolidateOptionsSchema = z.object({
  input: z.string().min(1),
  output: z.string().min(1).optional(),
  resume: z.boolean().default(false),
  sessionId: z
    .string()
    .superRefine((id, ctx) => {
      try {
        validateSessionId(id);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: error instanceof Error ? error.message : String(error) });
      }
    })
    .optional(),
  sources: sourceList.default([...SOURCE_NAMES]),
  checkpointInterval: z
    .preprocess(
      blankIsNaN,
      z.coerce
        .number({ error: "--checkpoint-interval must be a number of minutes" })
        .min(0, "--checkpoint-interval must be 0 (only at the end) or more")
        .finite(),
    )
    .default(5),
  yes: z.boolean().default(false),
  progress: z.boolean().default(true),
  dryRun: z.boolean().default(false),
  verbose: z.number().int().default(0),
  openalexUrl: baseUrl.optional(),
  s2Url: baseUrl.optional(),
  openalexRps: z.preprocess(blankIsNaN, positiveNumber("--openalex-rps")).optional(),
  s2Rps: z.preprocess(blankIsNaN, positiveNumber("--s2-rps")).optional(),
  // Timers overflow past 2^31 ms (then fire at once), so an hour is the ceiling.
  httpTimeout: z
    .preprocess(
      blankIsNaN,
      positiveNumber("--http-timeout").max(3600, "--http-timeout must be at most 3600 seconds"),
    )
    .default(30),
  openalexApiKey: z.string().optional(),
  ssApiKey: z.string().optional(),
  openalexEmail: z.string().optional(),
  ...checkpointDirOption,
});

export type ConsolidateOptions = z.infer<typeof consolidateOptionsSchema>;

/** Parse the raw flags and fill in environment variables. */
export function resolveConsolidateOptions(
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): ConsolidateOptions {
  const withEnv = {
    ...raw,
    openalexUrl: raw.openalexUrl ?? (env.CF_OPENALEX_URL || undefined),
    s2Url: raw.s2Url ?? (env.CF_S2_URL || undefined),
    openalexApiKey: raw.openalexApiKey ?? (env.OPENALEX_API_KEY || undefined),
    ssApiKey: raw.ssApiKey ?? (env.SEMANTIC_SCHOLAR_API_KEY || undefined),
    openalexEmail: raw.openalexEmail ?? (env.OPENALEX_EMAIL || undefined),
  };
  try {
    return parseOptions(consolidateOptionsSchema, withEnv);
  } catch (error) {
    throw fromEnvironment(error, raw, env);
  }
}

/** A bad base URL that came from CF_OPENALEX_URL / CF_S2_URL says so, besides naming the flag. */
function fromEnvironment(error: unknown, raw: Record<string, unknown>, env: NodeJS.ProcessEnv): unknown {
  if (!(error instanceof UsageError)) return error;
  const vars = [
    ["--openalex-url", raw.openalexUrl, "CF_OPENALEX_URL"],
    ["--s2-url", raw.s2Url, "CF_S2_URL"],
  ] as const;
  for (const [flag, given, name] of vars) {
    if (error.message.startsWith(`${flag}:`) && given === undefined && env[name]) {
      return new UsageError(`${error.message} (the value comes from ${name})`);
    }
  }
  return error;
}

/** The request rate each source will use. */
export function sourceRates(options: ConsolidateOptions): Record<SourceName, number> {
  return {
    openalex: options.openalexRps ?? OPENALEX_DEFAULT_RPS,
    semantic_scholar: options.s2Rps ?? (options.ssApiKey ? S2_RATE_WITH_KEY : S2_RATE_WITHOUT_KEY),
  };
}

/**
 * Batches in flight per source: enough to keep the rate with slow answers (rate × 0.3 s covers
 * 300 ms of latency), at least 4, at most 16. More in flight also means more redone after a kill.
 */
export function sourceConcurrency(options: ConsolidateOptions): Record<SourceName, number> {
  const rates = sourceRates(options);
  const width = (rate: number) => Math.min(16, Math.max(4, Math.ceil(rate * 0.3)));
  return { openalex: width(rates.openalex), semantic_scholar: width(rates.semantic_scholar) };
}

/** How requests reach the network: the proxy settings in force and the fetch that honours them. */
export interface NetworkSetup {
  proxy?: ProxySettings;
  fetch?: FetchFunction;
}

/**
 * Build the clients of the selected sources. Each gets its own reachability tracker: a source whose
 * server cannot be reached stops (papers pending) instead of failing every paper.
 */
export function buildClients(
  options: ConsolidateOptions,
  onEvent?: Parameters<typeof createOpenAlexClient>[0]["onEvent"],
  network: NetworkSetup = {},
): SourceClient[] {
  const rates = sourceRates(options);
  const httpOptions = () => ({
    timeoutMs: options.httpTimeout * 1000,
    health: createConnectionHealth(),
    ...(network.proxy ? { proxy: network.proxy } : {}),
    ...(network.fetch ? { fetch: network.fetch } : {}),
  });
  return options.sources.map((source) =>
    source === "openalex"
      ? createOpenAlexClient({
          baseUrl: options.openalexUrl ?? OPENALEX_DEFAULT_URL,
          ratePerSecond: rates.openalex,
          httpOptions: httpOptions(),
          version: VERSION,
          ...(options.openalexApiKey ? { apiKey: options.openalexApiKey } : {}),
          ...(options.openalexEmail ? { email: options.openalexEmail } : {}),
          ...(onEvent ? { onEvent } : {}),
        })
      : createSemanticScholarClient({
          baseUrl: options.s2Url ?? S2_DEFAULT_URL,
          ratePerSecond: rates.semantic_scholar,
          httpOptions: httpOptions(),
          version: VERSION,
          ...(options.ssApiKey ? { apiKey: options.ssApiKey } : {}),
          ...(onEvent ? { onEvent } : {}),
        }),
  );
}

/** The options recorded in session.json: what shapes the run, never a key or e-mail. */
export function recordedOptions(options: ConsolidateOptions, outputFile: string): Record<string, unknown> {
  return {
    output: outputFile,
    sources: options.sources,
    checkpoint_interval_minutes: options.checkpointInterval,
    // Never a password or key: a base URL may carry credentials for a gateway.
    openalex_url: redactUrl(options.openalexUrl ?? OPENALEX_DEFAULT_URL),
    s2_url: redactUrl(options.s2Url ?? S2_DEFAULT_URL),
    rates: sourceRates(options),
  };
}
