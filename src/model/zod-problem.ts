/** What a failed zod parse says, for messages: the one place that reads a ZodError's issues. */

/** The first issue of a failed parse, with its path joined by dots (`""` at the root). */
export interface ZodProblem {
  path: readonly PropertyKey[];
  where: string;
  message: string;
}

/** The first issue of `error` (a ZodError); `message` is `fallback` when there is none. */
export function zodProblem(
  error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] },
  fallback = "invalid",
): ZodProblem {
  const issue = error.issues[0];
  const path = issue?.path ?? [];
  return { path, where: path.map(String).join("."), message: issue?.message ?? fallback };
}
