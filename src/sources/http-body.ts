import type { Fail } from "./http-error.js";

/** Reading a response body under a size cap, and turning it into JSON or a classified failure. */

/** Default cap on one response body (64 MB): a body that never ends must not exhaust memory. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

/** "64 MB" for whole megabytes, else the byte count. */
export function sizeText(bytes: number): string {
  const mb = 1024 * 1024;
  return bytes % mb === 0 ? `${bytes / mb} MB` : `${bytes} bytes`;
}

/**
 * The body as text, read chunk by chunk; undefined (and the stream cancelled) as soon as it passes
 * `maxBytes`, so an endless body never holds more than the cap in memory.
 */
export async function readBody(res: Response, maxBytes: number): Promise<string | undefined> {
  const declared = Number(res.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => {});
    return undefined;
  }
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/** The JSON of a 2xx body (null when empty); a body cut short is `transient`, anything else `permanent`. */
export function parseBody(res: Response, text: string, excerpt: string, fail: Fail): unknown {
  const type = res.headers.get("content-type") ?? "";
  const extra = { status: res.status, excerpt };
  if (res.status === 204 || (text === "" && type === "")) return null;
  if (!/json/i.test(type) && !(type === "" && /^\s*[[{]/.test(text))) {
    throw fail("permanent", `expected JSON, got ${type || "no content type"}: ${excerpt}`, extra);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : "";
    const position = Number(/position (\d+)/.exec(message)?.[1] ?? Number.NaN);
    const cutShort = /end of JSON input/.test(message) || position >= text.trimEnd().length;
    if (cutShort) throw fail("transient", "JSON body ended early", extra);
    throw fail("permanent", `invalid JSON body: ${excerpt}`, extra);
  }
}

/** The body as a JSON object, or undefined. */
export function tryJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

// S2 answers {"error": ...} or {"message": ...}; OpenAlex {"error", "message"}.
/** The server's own words from an error body, when it is JSON with `error` and/or `message`. */
export function jsonDetail(text: string): string | undefined {
  const json = tryJson(text);
  const parts = [json?.error, json?.message].filter((p): p is string => typeof p === "string" && p !== "");
  return parts.length > 0 ? parts.join(": ").slice(0, 200) : undefined;
}
