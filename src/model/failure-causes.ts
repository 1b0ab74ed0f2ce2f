/**
 * Failure messages grouped into causes. Thousands of papers failing for one reason (a DNS failure, an
 * outage) leave thousands of messages that differ only in what is particular to each paper: the
 * request URL and its query, DOIs, ids, counts. Normalising those away leaves one cause to count.
 */

export interface FailureCause {
  cause: string;
  count: number;
  /**
   * `connection`: `count` is attempts that got no HTTP answer (they fail no paper: the source
   * stopped, its papers stay pending). Absent: `count` is failed papers.
   */
  kind?: "connection";
}

/** Counts by cause, summed (a session's connection failures over its runs); a new object. */
export function addCounts(
  a: Readonly<Record<string, number>> | undefined,
  b: Readonly<Record<string, number>> | undefined,
): Record<string, number> {
  const sum: Record<string, number> = { ...a };
  for (const [cause, count] of Object.entries(b ?? {})) sum[cause] = (sum[cause] ?? 0) + count;
  return sum;
}

/**
 * Failed papers' causes and failed connection attempts' (marked `kind: "connection"`) in one list,
 * most frequent first.
 */
export function withConnectionFailures(
  causes: readonly FailureCause[],
  connection: Readonly<Record<string, number>> | undefined,
): FailureCause[] {
  const attempts = Object.entries(connection ?? {})
    .filter(([, count]) => count > 0)
    .map(([cause, count]) => ({ cause, count, kind: "connection" as const }));
  return [...causes, ...attempts].sort(byCount);
}

function byCount(a: FailureCause, b: FailureCause): number {
  return b.count - a.count || (a.cause < b.cause ? -1 : a.cause > b.cause ? 1 : 0);
}

/** Longer causes are cut: a cut made before normalising (messages are capped) must not split a cause. */
const MAX_CAUSE_CHARS = 160;

// Socket errors that mean the host was never reached, from undici's `request failed (CODE: detail)`.
const CONNECT_CODES = "ENOTFOUND|EAI_AGAIN|ECONNREFUSED|EHOSTUNREACH|ENETUNREACH";
const CONNECT_FAILURE = new RegExp(
  `request failed \\((${CONNECT_CODES}): (?:getaddrinfo|connect) \\1 ([^\\s)]+)\\)`,
  "g",
);

const URL_PATTERN = /\bhttps?:\/\/[^\s"'<>]+/g;
const DOI = /\b10\.\d{4,9}\/[^\s"'<>,;]+/gi;
const ARXIV = /\b(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?\/\d{7})(?:v\d+)?\b/g;
const TIMESTAMP = /\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?/g;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const HEX_ID = /\b[0-9a-f]{16,}\b/gi;
const OPENALEX_ID = /\b[WASICFT]\d{4,}\b/g;
/** A number in a dotted JSON path: `results.3.id`, `3.title`. */
const PATH_INDEX = /(?<=[A-Za-z_]\.)\d+\b|\b\d+(?=\.[A-Za-z_])/g;
/** Any other whole number, except HTTP statuses (`HTTP 503`, `429 Too Many…`), durations, addresses. */
const NUMBER = /(?<![\w.:/-])(?<!HTTP )(?![1-5]\d\d [A-Z])\d+(?![\w.:/%-])(?!\s?(?:ms|s|seconds?)\b)/g;
/** The request a message names (`GET https://…?filter=…: `): the operation before it says which. */
const REQUEST = /\b(?:GET|POST|PUT|DELETE|HEAD) https?:\/\/\S+?: /g;

/** The cause of one failure message: what is particular to the paper normalised away. */
export function failureCause(message: string): string {
  let text = message.replace(/\s+/g, " ").trim().replace(REQUEST, "");
  text = text.replace(
    CONNECT_FAILURE,
    (_all, code: string, host: string) => `cannot connect to ${host} (${code})`,
  );
  text = text.replace(URL_PATTERN, normaliseUrl);
  text = text
    .replace(DOI, "<doi>")
    .replace(TIMESTAMP, "<time>")
    .replace(ARXIV, "<arxiv>")
    .replace(UUID, "<id>")
    .replace(HEX_ID, "<id>")
    .replace(OPENALEX_ID, "<id>")
    .replace(PATH_INDEX, "N")
    .replace(NUMBER, "N");
  if (text === "") return "unknown error";
  return text.length > MAX_CAUSE_CHARS ? `${text.slice(0, MAX_CAUSE_CHARS - 1)}…` : text;
}

/** Causes with their counts, most frequent first (ties by cause, so the order is stable). */
export function groupFailureCauses(messages: Iterable<string>): FailureCause[] {
  const counts = new Map<string, number>();
  for (const message of messages) {
    const cause = failureCause(message);
    counts.set(cause, (counts.get(cause) ?? 0) + 1);
  }
  return [...counts].map(([cause, count]) => ({ cause, count })).sort(byCount);
}

/** Per source, the causes of its failures (sources in the order first seen). */
export function failureCausesBySource<S extends string>(
  failures: Iterable<{ source: S; error: string }>,
): Map<S, FailureCause[]> {
  const messages = new Map<S, string[]>();
  for (const failure of failures) {
    const list = messages.get(failure.source) ?? [];
    list.push(failure.error);
    messages.set(failure.source, list);
  }
  return new Map([...messages].map(([source, list]) => [source, groupFailureCauses(list)]));
}

/** Origin and path; the query and fragment dropped, id-like path segments (DOIs, W123…) as `…`. */
function normaliseUrl(match: string): string {
  // A URL ending a clause ("GET https://host/works: request failed") keeps its punctuation outside.
  const trail = /[:,.;)\]…]+$/.exec(match)?.[0] ?? "";
  const url = match.slice(0, match.length - trail.length);
  const cut = url.search(/[?#]/);
  const base = cut === -1 ? url : url.slice(0, cut);
  const origin = /^https?:\/\/[^/]*/.exec(base)?.[0] ?? base;
  const segments = base
    .slice(origin.length)
    .split("/")
    .map((segment) => (/[:%]|\d{3,}/.test(segment) ? "…" : segment));
  return `${origin}${segments.join("/")}${trail}`;
}
