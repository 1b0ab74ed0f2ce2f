import { hostname } from "node:os";
import { isProcessAlive } from "../../../src/storage/process-alive.js";
import { lockInfoSchema } from "../../../src/storage/session-lock.js";
import type { Applied, Damage } from "./damage.js";
import { type Fingerprint, missingFrom, sameContent } from "./fake-session.js";

/**
 * What a damaged session must do: the catalog never throws and reports refusals of the small files
 * as `corrupt`; resuming either recovers with a warning that names the file and loses nothing
 * committed, or refuses (non-zero, naming the file) leaving the directory byte-for-byte unchanged.
 * Damage that goes unnoticed is accepted only by a documented class below, never globally.
 */

/** Damage that cannot be detected in principle, with why; anything else unnoticed is a failure. */
export const UNDETECTABLE: ReadonlyArray<{
  reason: string;
  applies: (d: Damage, a: Applied) => boolean;
  /** A valid edit may change what it edits: then only "nothing committed was lost" is required. */
  validEdit?: boolean;
}> = [
  {
    reason: "the damaged bytes parse to the same JSON (whitespace, trailing newline): nothing changed",
    applies: (_, a) => a.noop,
  },
  {
    reason:
      "session.json has no checksum (the Python tool's format); a change that still validates (a character of created_at, hostname, an options value) cannot be told from an edit, and no session content depends on it",
    applies: (d) => d.file === "session.json",
  },
  {
    reason: "checkpoint.json.bak is read only when checkpoint.json fails verification",
    applies: (d) => d.file === "checkpoint.json.bak",
  },
  {
    reason:
      "a journal cut at a record boundary (or emptied) is what a crash before those appends leaves: nothing records how many records it held; those batches are redone",
    applies: (d, a) => d.file === "journal.jsonl" && d.kind !== "delete" && a.atLineBoundary,
  },
  {
    reason:
      "a re-framed journal record (checksum recomputed: an edit, not corruption) with null where the schema allows it (last_error, resets_at) or reads it as a default (original) is a valid record; it may change a status field, never drop a record",
    applies: (d) => d.file === "journal.jsonl" && d.kind === "wrong-type" && d.value === null,
    validEdit: true,
  },
  {
    reason: "the lock holds no session data: a stale damaged lock is taken over without a warning",
    applies: (d) => d.file === "lock",
  },
];

/** The small files the catalog reads; damage to the others is found only by resuming (by design). */
const CATALOG_FILES = new Set(["session.json", "checkpoint.json", "checkpoint.json.bak"]);

export interface Observation {
  catalog: { status: string; problem: string | null } | { threw: string };
  resume:
    | { kind: "refused"; exitCode: number; message: string; corruptError: boolean; unchanged: boolean }
    | { kind: "resumed"; warnings: string[]; state?: Fingerprint; output: string };
}

export interface Expectation {
  golden: string;
  /** The state resuming must hold: everything committed, minus what the damage says was dropped. */
  min?: Fingerprint;
  /** What an unnoticed damage must leave (the full state, or the journal prefix kept). */
  exact?: Fingerprint;
  /** For lock damage: whether a resume must succeed (free) or be refused with exit 75 (busy). */
  lock?: "free" | "busy";
}

/** The lock verdict the contract asks for: unreadable and old → take over; fresh → busy; valid → by holder. */
export function lockExpectation(text: string | undefined, old: boolean): "free" | "busy" {
  if (text === undefined) return "free";
  let parsed: ReturnType<typeof lockInfoSchema.safeParse>;
  try {
    parsed = lockInfoSchema.safeParse(JSON.parse(text));
  } catch {
    return old ? "free" : "busy";
  }
  if (!parsed.success) return old ? "free" : "busy";
  // A valid lock of another host cannot be told from a live remote holder (the hint says how to clear it).
  if (parsed.data.hostname !== hostname()) return "busy";
  return isProcessAlive(parsed.data.pid) ? "busy" : "free";
}

/** Problems with what was observed for one damage (empty: the product behaved). */
export function judge(damage: Damage, applied: Applied, seen: Observation, want: Expectation): string[] {
  const problems: string[] = [];
  const { catalog, resume } = seen;
  if ("threw" in catalog) problems.push(`the catalog threw: ${catalog.threw}`);
  if (damage.file === "lock") {
    if (want.lock === "busy") {
      if (resume.kind !== "refused" || resume.exitCode !== 75)
        problems.push("a busy lock was not refused with 75");
      if (!("threw" in catalog) && catalog.status !== "running")
        problems.push(`busy lock listed ${catalog.status}`);
    } else if (resume.kind !== "resumed") {
      problems.push(`a stale damaged lock made the session unusable: ${resume.message}`);
    } else if (!("threw" in catalog) && ["running", "corrupt"].includes(catalog.status)) {
      problems.push(`a stale lock was listed ${catalog.status}`);
    }
  }
  if (resume.kind === "refused") {
    if (!resume.unchanged) problems.push("refused but the session directory changed");
    if (resume.exitCode === 0) problems.push("refused with exit code 0");
    if (damage.file !== "lock") {
      if (!resume.corruptError) problems.push(`refused with an unexpected error: ${resume.message}`);
      if (!resume.message.includes(damage.file))
        problems.push(`the refusal does not name ${damage.file}: ${resume.message}`);
      if (CATALOG_FILES.has(damage.file) && !("threw" in catalog)) {
        if (catalog.status !== "corrupt")
          problems.push(`resume refuses but the catalog says ${catalog.status}`);
        else if (!catalog.problem?.includes(damage.file))
          problems.push(`catalog problem does not name the file: ${catalog.problem}`);
      }
    }
    return problems;
  }
  if (!("threw" in catalog) && catalog.status === "corrupt")
    problems.push(`resumable but listed corrupt: ${catalog.problem}`);
  if (resume.warnings.length > 0) {
    if (!resume.warnings.some((w) => w.includes(damage.file))) {
      problems.push(`no warning names ${damage.file}: ${resume.warnings.join(" | ")}`);
    }
    if (
      damage.file === "checkpoint.json" &&
      !("threw" in catalog) &&
      !catalog.problem?.includes("checkpoint.json")
    ) {
      problems.push(`recovered from .bak but the catalog notes no problem (${catalog.status})`);
    }
    if (want.min && resume.state) {
      const lost = missingFrom(want.min, resume.state);
      if (lost.length > 0)
        problems.push(`recovered state lost committed work: ${lost.slice(0, 3).join("; ")}`);
    }
  } else {
    const allowed = UNDETECTABLE.find((u) => u.applies(damage, applied));
    if (!allowed) problems.push("the damage went unnoticed (no warning, no refusal)");
    if (want.exact && resume.state) {
      const lost = missingFrom(want.exact, resume.state);
      if (lost.length > 0 || (!allowed?.validEdit && !sameContent(want.exact, resume.state))) {
        problems.push(
          `unnoticed damage changed the session: ${lost.slice(0, 3).join("; ") || "counters/extra records"}`,
        );
      }
    }
  }
  if (resume.output !== want.golden) problems.push("the resumed output differs from the golden output");
  return problems;
}
