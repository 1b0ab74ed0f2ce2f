import type { z } from "zod";
import { zodProblem } from "../model/zod-problem.js";

/** `<file>: <json.path> <message>` for the first issue of a failed parse. */
export function describeZodError(file: string, error: z.ZodError): string {
  const { where, message } = zodProblem(error);
  return `${file}: ${where || "(root)"} ${message}`;
}
