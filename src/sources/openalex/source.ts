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
  options: [
    {
      id: "email",
      flag: "--openalex-email",
      value: "<email>",
      description: "e-mail for OpenAlex's polite pool (env OPENALEX_EMAIL)",
      env: "OPENALEX_EMAIL",
    },
  ],
  async createClient({ client, apiKey, options }) {
    const { createOpenAlexClient } = await import("./client.js");
    return createOpenAlexClient({
      ...client,
      ...(apiKey ? { apiKey } : {}),
      ...(options.email ? { email: options.email } : {}),
    });
  },
});
