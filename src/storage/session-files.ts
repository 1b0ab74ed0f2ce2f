import { z } from "zod";
import { SOURCE_NAMES } from "../model/records.js";

/** Zod schemas of the small session files. Every read goes through one of these. */

export const SESSION_FILE = "session.json";
export const CHECKPOINT_FILE = "checkpoint.json";
export const CHECKPOINT_BACKUP_FILE = "checkpoint.json.bak";
export const PROGRESS_FILE = "progress.json";
export const LOCK_FILE = "lock";

export const CHECKPOINT_FORMAT = "cf-checkpoint";
export const CHECKPOINT_FORMAT_VERSION = 1;

export const sourceNameSchema = z.enum(SOURCE_NAMES);

export const sourceStatusSchema = z.enum([
  "pending",
  "in_progress",
  "completed",
  "failed",
  "budget_exhausted",
  // Stopped because its server could not be reached (network, DNS, proxy): resumable, papers pending.
  "unreachable",
]);
export type SourceStatus = z.infer<typeof sourceStatusSchema>;

/** session.json: ours has every field; the Python tool's has session_id, created_at, interval, pid. */
export const sessionFileSchema = z.looseObject({
  session_id: z.string().min(1),
  /** The Python tool's session this one continues (issue 15): its id and directory. */
  /**
   * The Python tool's session this one continues; `basis` says whether its papers came from the
   * input file or (the file gone) from the session itself.
   */
  adopted_from: z
    .object({ session_id: z.string(), dir: z.string(), basis: z.enum(["input", "session"]).optional() })
    .optional(),
  created_at: z.string().min(1),
  updated_at: z.string().optional(),
  pid: z.number().int().optional(),
  hostname: z.string().optional(),
  cf_version: z.string().optional(),
  input_file: z.string().optional(),
  input_sha256: z.string().optional(),
  input_papers: z.number().int().nonnegative().optional(),
  sources: z.array(sourceNameSchema).optional(),
  checkpoint_interval_minutes: z.number().nonnegative().optional(),
  options: z.record(z.string(), z.unknown()).optional(),
});
export type SessionFile = z.infer<typeof sessionFileSchema>;

/** `{cause: failed attempts}`, e.g. `{"cannot connect to api.openalex.org (DNS lookup failed: ENOTFOUND)": 32}`. */
export const connectionFailuresSchema = z.record(z.string(), z.number().int().nonnegative());

export const sourceStateSchema = z.object({
  status: sourceStatusSchema,
  papers_done: z.number().int().nonnegative(),
  papers_enriched: z.number().int().nonnegative(),
  papers_not_found: z.number().int().nonnegative(),
  papers_failed: z.number().int().nonnegative(),
  api_calls: z.number().int().nonnegative(),
  /** Papers answered by the response cache instead of a request (absent in files before the cache). */
  papers_cached: z.number().int().nonnegative().optional(),
  /** What this source's requests cost in USD, as the API reported it (absent when nothing was charged). */
  cost_usd: z.number().nonnegative().optional(),
  last_error: z.string().nullable(),
  /** When a budget-exhausted source can run again (ISO), if known. */
  resets_at: z.string().nullable().optional(),
  /**
   * Attempts that got no HTTP answer at all (DNS, refused, TLS, proxy, timeout), by cause in plain
   * words, summed over the session's runs: they fail no paper (the source stops, its papers stay
   * pending), so this is where they are told. Absent when there were none (and in older files).
   */
  connection_failures: connectionFailuresSchema.optional(),
});
export type SourceState = z.infer<typeof sourceStateSchema>;

const fileRefSchema = z.object({
  generation: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().nonnegative(),
});
export type FileRef = z.infer<typeof fileRefSchema>;

/** checkpoint.json in cf's format: the commit record of a snapshot. */
export const checkpointSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  format_version: z.literal(CHECKPOINT_FORMAT_VERSION),
  session_id: z.string().min(1),
  input_file: z.string().min(1),
  total_papers: z.number().int().nonnegative(),
  generation: z.number().int().nonnegative(),
  journal_seq: z.number().int().nonnegative(),
  sources: z.partialRecord(sourceNameSchema, sourceStateSchema),
  files: z.object({ papers: fileRefSchema, progress: fileRefSchema }),
  completed_at: z.string().nullable(),
  output_file: z.string().nullable(),
  last_checkpoint_time: z.string(),
  timestamp: z.string(),
  checksum: z.string().regex(/^[0-9a-f]{64}$/),
});
export type Checkpoint = z.infer<typeof checkpointSchema>;

/** checkpoint.json as the Python tool wrote it (reference §5.2): only what listing needs. */
export const legacyCheckpointSchema = z.looseObject({
  session_id: z.string(),
  input_file: z.string(),
  total_papers: z.number().int().nonnegative(),
  sources: z.union([z.string(), z.record(z.string(), z.unknown())]),
  last_checkpoint_time: z.string(),
  timestamp: z.string(),
});
export type LegacyCheckpoint = z.infer<typeof legacyCheckpointSchema>;

export const paperOutcomeSchema = z.enum(["matched", "not_found", "failed"]);
export type PaperOutcome = z.infer<typeof paperOutcomeSchema>;

/**
 * progress.json: per source, the outcome of every paper looked up so far, and each paper's input
 * hash. cf writes them compactly, one code per paper in `paper_ids` order (`outcome_codes`,
 * `input_hash_codes`: a million papers load in a fraction of a second); files of earlier versions
 * give them as objects keyed by paper id (`sources`, `input_hashes`), still read.
 */
export const progressFileSchema = z
  .object({
    generation: z.number().int().nonnegative(),
    journal_seq: z.number().int().nonnegative(),
    /** Earlier versions: per source, paper id → outcome. */
    sources: z.partialRecord(sourceNameSchema, z.record(z.string(), paperOutcomeSchema)).optional(),
    /** Per source, one character per paper of `paper_ids`: `.` not looked up, `m` matched, `n` not found, `f` failed. */
    outcome_codes: z.partialRecord(sourceNameSchema, z.string()).optional(),
    /** Last error per failed paper, so the summary can list them. */
    errors: z.partialRecord(sourceNameSchema, z.record(z.string(), z.string())).default({}),
    /**
     * Short hash of each paper as it was in the input file, to detect input changes on resume: 16 hex
     * digits per paper of `paper_ids` (16 `-` for none).
     */
    input_hash_codes: z.string().optional(),
    /** Input hashes by paper id: earlier versions' form, and a hash not of 16 hex digits. */
    input_hashes: z.record(z.string(), z.string()).default({}),
    /**
     * The ids of the papers in the papers file of the same generation, in its line order: resuming
     * finds each paper's line without parsing it. Absent in files of earlier versions.
     */
    paper_ids: z.array(z.string()).optional(),
    /**
     * The byte length of each paper's line in that papers file (without the separating comma):
     * resuming finds the lines without reading the file through. Absent in files of earlier versions.
     */
    line_lengths: z.array(z.number().int().nonnegative()).optional(),
  })
  .superRefine(checkCodeLengths);

/** The code strings must have one code per paper of `paper_ids`. */
function checkCodeLengths(
  progress: {
    outcome_codes?: Partial<Record<string, string>> | undefined;
    input_hash_codes?: string | undefined;
    paper_ids?: string[] | undefined;
  },
  context: z.RefinementCtx,
): void {
  const size = progress.paper_ids?.length;
  for (const [source, codes] of Object.entries(progress.outcome_codes ?? {})) {
    if (codes !== undefined && codes.length !== size) {
      context.addIssue({
        code: "custom",
        path: ["outcome_codes", source],
        message: `expected one code per paper of paper_ids (${size ?? "absent"}), found ${codes.length}`,
      });
    }
  }
  const hashes = progress.input_hash_codes;
  if (hashes !== undefined && hashes.length !== (size ?? -1) * 16) {
    context.addIssue({
      code: "custom",
      path: ["input_hash_codes"],
      message: `expected 16 characters per paper of paper_ids (${size ?? "absent"}), found ${hashes.length}`,
    });
  }
}

export type ProgressFile = z.infer<typeof progressFileSchema>;

/** A JSON object whose entries are not checked one by one. */
function uncheckedMap<T>() {
  return z.custom<Record<string, T>>(
    (value) => typeof value === "object" && value !== null && !Array.isArray(value),
    "expected an object",
  );
}

/**
 * progress.json whose sha256 checkpoint.json vouches for: the exact bytes cf wrote from validated
 * state, so its maps (one entry per paper and source) get a shape check, not one per entry
 * (a tenth of a second per 100,000 papers on resume).
 */
export const trustedProgressFileSchema: z.ZodType<ProgressFile> = z
  .object({
    ...progressFileSchema.shape,
    sources: z.partialRecord(sourceNameSchema, uncheckedMap<PaperOutcome>()).optional(),
    errors: z.partialRecord(sourceNameSchema, uncheckedMap<string>()).default({}),
    input_hashes: uncheckedMap<string>().default({}),
    paper_ids: z.custom<string[]>((value) => Array.isArray(value), "expected a list of paper ids").optional(),
    line_lengths: z
      .custom<number[]>((value) => Array.isArray(value), "expected a list of lengths")
      .optional(),
  })
  .superRefine(checkCodeLengths);

/** The schema for progress.json bytes of digest `sha256`: the trusted one when the checkpoint vouches for them. */
export function progressSchemaFor(sha256: string, vouchedSha256: string): z.ZodType<ProgressFile> {
  return sha256 === vouchedSha256 ? trustedProgressFileSchema : progressFileSchema;
}
