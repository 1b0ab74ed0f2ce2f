import type { z } from "zod";

/** `<file>: <json.path> <message>` for the first issue of a failed parse. */
export function describeZodError(file: string, error: z.ZodError): string {
  const issue = error.issues[0];
  return `${file}: ${issue?.path.join(".") || "(root)"} ${issue?.message ?? "invalid"}`;
}
