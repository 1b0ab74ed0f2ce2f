import { z } from "zod";
import { cacheScope } from "../core/run-cache.js";
import { UsageError } from "../errors.js";
import { createConnectionHealth } from "../sources/connection-health.js";
import type { ClientSettings, SourceDescriptor } from "../sources/descriptor.js";
import type { FetchFunction, ProxySettings } from "../sources/proxy.js";
import { redactUrl } from "../sources/redact.js";
import { SOURCE_NAMES, SOURCES, type SourceName, sourceDescriptor } from "../sources/registry.js";
import type { SourceClient } from "../sources/types.js";
import { validateSessionId } from "../storage/session-id.js";
import { VERSION } from "../version.js";
import { DEFAULT_MAX_AGE } from "./cache-location.js";
import { checkpointDirOption, parseOptions } from "./options.js";
import { attributeOf, SOURCE_FLAGS, type SourceFlag } from "./source-flags.js";

/** `cf consolidate` flags: validated, with environment fallbacks, turned into clients. */

// Number("") is 0: an empty flag value must be refused, not read as zero.
const blankIsNaN = (value: unknown) =>
  typeof value === "string" && value.trim() === "" ? Number.NaN : value;

const positiveNumber = (flag: string) =>
  z.coerce
    .number({ error: `${flag} must be a number` })
    .positive(`${flag} must be greater than 0`)
    .finite();

// "$0.50" reads as 0.50: people write amounts the way they see them.
const dollars = (flag: string) =>
  z.preprocess(
    (value) => (typeof value === "string" ? value.trim().replace(/^\$/, "") : value),
    z.coerce
      .number({ error: `${flag} must be an amount in US dollars, e.g. 0.50` })
      .min(0, `${flag} must be 0 or more`)
      .finite(),
  );

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

/** The schemas of source flags, by commander key, in the order given (the first bad flag is named). */
function sourceFlagSchemas(flags: readonly SourceFlag[]): Record<never, z.ZodType> {
  const schemaOf = (flag: SourceFlag): z.ZodType => {
    if (flag.kind === "url") return baseUrl.optional();
    if (flag.kind === "rate") return z.preprocess(blankIsNaN, positiveNumber(flag.name)).optional();
    if (flag.kind === "usd") return z.preprocess(blankIsNaN, dollars(flag.name)).optional();
    return z.string().optional();
  };
  return Object.fromEntries(flags.map((flag) => [attributeOf(flag.name), schemaOf(flag)]));
}

export const consolidateOptionsSchema = z.object({
  /** Absent only with --resume --session-id (the session names its input: see input-location.ts). */
  input: z.string().min(1).optional(),
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
  cache: z.union([z.string().trim().min(1, "name a file (or use --no-cache)"), z.literal(false)]).optional(),
  maxAge: z.string().default(DEFAULT_MAX_AGE),
  refresh: z.boolean().default(false),
  verbose: z.number().int().default(0),
  ...sourceFlagSchemas(SOURCE_FLAGS.connection),
  // Timers overflow past 2^31 ms (then fire at once), so an hour is the ceiling.
  httpTimeout: z
    .preprocess(
      blankIsNaN,
      positiveNumber("--http-timeout").max(3600, "--http-timeout must be at most 3600 seconds"),
    )
    .default(30),
  ...sourceFlagSchemas(SOURCE_FLAGS.credentials),
  ...checkpointDirOption,
});

/** The options; source flags are read by their commander key (see {@link flagValue}). */
export type ConsolidateOptions = z.infer<typeof consolidateOptionsSchema> & Readonly<Record<string, unknown>>;

const FLAGS_WITH_ENV = [...SOURCE_FLAGS.connection, ...SOURCE_FLAGS.credentials].filter((flag) => flag.env);

/** Parse the raw flags and fill in environment variables. */
export function resolveConsolidateOptions(
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): ConsolidateOptions {
  const withEnv = { ...raw };
  for (const { name, env: variable = "" } of FLAGS_WITH_ENV) {
    const key = attributeOf(name);
    withEnv[key] = raw[key] ?? (env[variable] || undefined);
  }
  try {
    return parseOptions(consolidateOptionsSchema, withEnv);
  } catch (error) {
    throw fromEnvironment(error, raw, env);
  }
}

/** A bad value that came from a variable (CF_OPENALEX_URL …) says so, besides naming the flag. */
function fromEnvironment(error: unknown, raw: Record<string, unknown>, env: NodeJS.ProcessEnv): unknown {
  if (!(error instanceof UsageError)) return error;
  for (const { name, env: variable = "" } of FLAGS_WITH_ENV) {
    if (error.message.startsWith(`${name}:`) && raw[attributeOf(name)] === undefined && env[variable]) {
      return new UsageError(`${error.message} (the value comes from ${variable})`);
    }
  }
  return error;
}

/** The value given for a source flag (`--s2-url`), from the command line or its variable. */
function flagValue<T extends string | number>(options: ConsolidateOptions, flag: string): T | undefined {
  return options[attributeOf(flag)] as T | undefined;
}

const baseUrlOf = (options: ConsolidateOptions, source: SourceDescriptor) =>
  flagValue<string>(options, source.baseUrl.flag) ?? source.baseUrl.default;

const apiKeyOf = (options: ConsolidateOptions, source: SourceDescriptor) =>
  flagValue<string>(options, source.apiKey.flag);

/** Whether an API key was given for `source` (a refusal without one is about the missing key). */
export function keyGiven(options: ConsolidateOptions, source: string): boolean {
  const descriptor = sourceDescriptor(source);
  return descriptor ? !!apiKeyOf(options, descriptor) : false;
}

/** Per source (every one, selected or not), a value computed from the options. */
function perSource<T>(pick: (source: SourceDescriptor<SourceName>) => T): Record<SourceName, T> {
  return Object.fromEntries(SOURCES.map((source) => [source.name, pick(source)])) as Record<SourceName, T>;
}

/** The request rate each source will use. */
export function sourceRates(options: ConsolidateOptions): Record<SourceName, number> {
  return perSource(
    (source) =>
      flagValue<number>(options, source.rate.flag) ??
      (apiKeyOf(options, source) ? source.rate.withKey : source.rate.withoutKey),
  );
}

/**
 * Batches in flight per source: enough to keep the rate with slow answers (rate × 0.3 s covers
 * 300 ms of latency), at least 4, at most 16. More in flight also means more redone after a kill.
 */
export function sourceConcurrency(options: ConsolidateOptions): Record<SourceName, number> {
  const rates = sourceRates(options);
  return perSource((source) => Math.min(16, Math.max(4, Math.ceil(rates[source.name] * 0.3))));
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
export async function buildClients(
  options: ConsolidateOptions,
  onEvent?: ClientSettings["onEvent"],
  network: NetworkSetup = {},
): Promise<SourceClient[]> {
  const rates = sourceRates(options);
  return Promise.all(
    options.sources.map(async (name) => {
      const source = sourceDescriptor(name)!;
      const apiKey = apiKeyOf(options, source);
      const given = source.options.flatMap(({ id, flag }) => {
        const value = flagValue<string | number>(options, flag);
        // 0 is a value (a cap of nothing); an empty text is none.
        return value === undefined || value === "" ? [] : [[id, String(value)] as const];
      });
      const health = createConnectionHealth();
      const client = await source.createClient({
        client: {
          baseUrl: baseUrlOf(options, source),
          ratePerSecond: rates[name],
          httpOptions: {
            timeoutMs: options.httpTimeout * 1000,
            health,
            ...(network.proxy ? { proxy: network.proxy } : {}),
            ...(network.fetch ? { fetch: network.fetch } : {}),
          },
          version: VERSION,
          ...(onEvent ? { onEvent: (event) => onEvent({ ...event, source: name }) } : {}),
        },
        ...(apiKey ? { apiKey } : {}),
        options: Object.fromEntries(given),
      });
      // The tracker sees every attempt that got no answer: the engine reports them by cause.
      return { ...client, connectionFailures: () => health.failures() };
    }),
  );
}

/** Per source, the name its answers are kept under in the response cache (by its API address). */
export function cacheScopes(options: ConsolidateOptions): Record<SourceName, string> {
  return perSource((source) =>
    cacheScope(source.name, redactUrl(baseUrlOf(options, source)), source.baseUrl.default),
  );
}

/** The options recorded in session.json: what shapes the run, never a key or e-mail. */
export function recordedOptions(options: ConsolidateOptions, outputFile: string): Record<string, unknown> {
  return {
    output: outputFile,
    sources: options.sources,
    checkpoint_interval_minutes: options.checkpointInterval,
    // Never a password or key: a base URL may carry credentials for a gateway. `--s2-url` → `s2_url`.
    ...Object.fromEntries(
      SOURCES.map((source) => [
        source.baseUrl.flag.slice(2).replaceAll("-", "_"),
        redactUrl(baseUrlOf(options, source)),
      ]),
    ),
    rates: sourceRates(options),
  };
}
