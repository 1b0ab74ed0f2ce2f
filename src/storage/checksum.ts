import { createHash } from "node:crypto";

/**
 * The checkpoint checksum: sha256 over the file's JSON (2-space indent) written without the
 * `checksum` key. Verifying re-serialises the parsed object the same way, so it really verifies,
 * unlike the Python tool's (bug B4).
 */
export function checksumOf(value: Record<string, unknown>): string {
  const { checksum: _ignored, ...rest } = value;
  return createHash("sha256")
    .update(JSON.stringify(rest, null, 2), "utf8")
    .digest("hex");
}

/** Serialise an object with its checksum as the last key. */
export function withChecksum<T extends Record<string, unknown>>(value: T): string {
  const { checksum: _ignored, ...rest } = value;
  return `${JSON.stringify({ ...rest, checksum: checksumOf(rest) }, null, 2)}\n`;
}

/** True when the parsed object's checksum matches its content. */
export function checksumMatches(value: Record<string, unknown>): boolean {
  return typeof value.checksum === "string" && value.checksum === checksumOf(value);
}
