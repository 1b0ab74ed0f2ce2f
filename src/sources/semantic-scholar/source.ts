import { defineSource } from "../descriptor.js";

/** The public Graph API base URL. */
export const S2_BASE_URL = "https://api.semanticscholar.org/graph/v1";

/** Semantic Scholar: papers by id batches and title matches (client.ts). */
export const semanticScholar = defineSource({
  name: "semantic_scholar",
  label: "Semantic Scholar",
  // The Python tool's current pipeline wrote `semanticscholar`.
  aliases: ["semanticscholar"],
  legacyPhases: ["semantic_scholar_enrichment", "semantic_scholar_complete"],
  baseUrl: { default: S2_BASE_URL, flag: "--s2-url", env: "CF_S2_URL" },
  // Default request rates (api-facts B2, reference §3.2): 1/s with a key, one per 10 s without.
  rate: { flag: "--s2-rps", withKey: 1, withoutKey: 0.1 },
  apiKey: { flag: "--ss-api-key", env: "SEMANTIC_SCHOLAR_API_KEY", sentAs: "x-api-key" },
  options: [],
  async createClient({ client, apiKey }) {
    const { createSemanticScholarClient } = await import("./client.js");
    return createSemanticScholarClient({ ...client, ...(apiKey ? { apiKey } : {}) });
  },
});
