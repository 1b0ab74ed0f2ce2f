import type { z } from "zod";
import { safeText } from "./safe-text.js";

/** One problem of a paper, named by its JSON path for the messages of an input file's refusal. */
export interface PaperIssue {
  /** JSON path inside the paper, e.g. `authors[1].name`. Empty for the paper itself. */
  path: string;
  message: string;
}

/** `["authors", 1, "name"]` → `authors[1].name` (keys terminal-safe: see safeText). */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? safeText(String(part)) : `.${safeText(String(part))}`;
  }
  return out;
}

/** A zod issue as a PaperIssue, quoting the offending value from `raw`. */
export function toPaperIssue(issue: z.core.$ZodIssue, raw: unknown): PaperIssue {
  return { path: formatPath(issue.path), message: describeIssue(issue, raw) };
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const value = valueAt(raw, issue.path);
  if (value === undefined && issue.code === "invalid_type") return "is required but missing";
  if (issue.code === "invalid_type") return `must be ${issue.expected}, got ${describeValue(value)}`;
  return `${issue.message} (got ${describeValue(value)})`;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = raw;
  for (const part of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

/**
 * A short description of a JSON value for messages: `"soon"`, `number 5`, `an array`. Strings are
 * terminal-safe (control and bidi characters escaped, see safeText).
 */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string")
    return value.length > 40 ? `a string "${safeText(value.slice(0, 40))}…"` : `"${safeText(value)}"`;
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}
