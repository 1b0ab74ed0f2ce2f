import { defineSource } from "../descriptor.js";

/** The public OpenAlex API. */
export const OPENALEX_BASE_URL = "https://api.openalex.org";

/** OpenAlex: works by DOI lists and title searches (client.ts). */
export const openalex = defineSource({
  name: "openalex",
  label: "OpenAlex",
  aliases: [],
  legacyPhases: ["openalex_enrichment"],
  baseUrl: { default: OPENALEX_BASE_URL, flag: "--openalex-url", env: "CF_OPENALEX_URL" },
  rate: { flag: "--openalex-rps", withKey: 10, withoutKey: 10 },
  apiKey: { flag: "--openalex-api-key", env: "OPENALEX_API_KEY", sentAs: "api_key" },
  // api-facts "Rate limits / pricing" (2026): by id free, a list $0.0001, any search $0.001; $1/day free.
  pricing: { singleton: 0, list: 0.0001, search: 0.001, freeDailyUsd: 1 },
  options: [
    {
      id: "email",
      flag: "--openalex-email",
      value: "<email>",
      description: "e-mail for OpenAlex's polite pool (env OPENALEX_EMAIL)",
      env: "OPENALEX_EMAIL",
    },
    {
      id: "maxCost",
      flag: "--openalex-max-cost",
      value: "<usd>",
      description:
        "stop OpenAlex once this run has spent this many US dollars (0: free lookups by id only); the session stays resumable (default: no cap but the API's own)",
      kind: "usd",
    },
  ],
  async createClient({ client, apiKey, options }) {
    const { createOpenAlexClient } = await import("./client.js");
    return createOpenAlexClient({
      ...client,
      ...(apiKey ? { apiKey } : {}),
      ...(options.email ? { email: options.email } : {}),
      ...(options.maxCost !== undefined ? { maxCostUsd: Number(options.maxCost) } : {}),
    });
  },
});
