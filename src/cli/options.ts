import { z } from "zod";
import { UsageError } from "../errors.js";
import { zodProblem } from "../model/zod-problem.js";

/** Validate commander's raw options with a zod schema; a failure is a usage error naming the flag. */
export function parseOptions<T extends z.ZodType>(schema: T, raw: Record<string, unknown>): z.infer<T> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const { path, message } = zodProblem(result.error, "invalid value");
  const flag = `--${String(path[0] ?? "").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  throw new UsageError(`${flag}: ${message}`);
}

export const checkpointDirOption = { checkpointDir: z.string().min(1).optional() };
