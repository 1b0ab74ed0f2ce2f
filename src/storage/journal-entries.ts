import { z } from "zod";
import { paperUpdateSchema } from "../model/paper-update.js";
import {
  connectionFailuresSchema,
  paperOutcomeSchema,
  sourceNameSchema,
  sourceStatusSchema,
} from "./session-files.js";

/** What the session journal records: completed batches and source status changes. */

export const batchEntrySchema = z.object({
  type: z.literal("batch"),
  source: sourceNameSchema,
  at: z.string(),
  api_calls: z.number().int().nonnegative(),
  /** Papers of this batch answered by the response cache, without a request. */
  cached: z.number().int().nonnegative().optional(),
  /** What this batch's requests cost in USD, as the API reported it (absent when nothing). */
  cost_usd: z.number().nonnegative().optional(),
  outcomes: z.record(z.string(), paperOutcomeSchema),
  errors: z.record(z.string(), z.string()).optional(),
  updates: z.array(paperUpdateSchema),
});
export type BatchEntry = z.infer<typeof batchEntrySchema>;

export const sourceStatusEntrySchema = z.object({
  type: z.literal("source_status"),
  source: sourceNameSchema,
  at: z.string(),
  status: sourceStatusSchema,
  last_error: z.string().nullable(),
  resets_at: z.string().nullable().optional(),
  /** Failed connection attempts to add to the source's (see SourceState), by cause. */
  connection_failures: connectionFailuresSchema.optional(),
});
export type SourceStatusEntry = z.infer<typeof sourceStatusEntrySchema>;

export const journalEntrySchema = z.discriminatedUnion("type", [batchEntrySchema, sourceStatusEntrySchema]);
export type JournalPayload = z.infer<typeof journalEntrySchema>;
