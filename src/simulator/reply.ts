/** What a simulated route answers, before faults and transport. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Ids or DOIs the request asked for (for the request log). */
  ids?: number;
}

/** The body OpenAlex (Flask) sends for an unknown path or DOI: HTML, not JSON (paper-qa cassette, 2025-11-04). */
export const OPENALEX_404_HTML = `<!doctype html>
<html lang=en>
<title>404 Not Found</title>
<h1>Not Found</h1>
<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>
`;

/** An HTML 429 as seen in front of OpenAlex in 2025 (RSD-as-a-service#1640): no JSON, no headers to go by. */
export const HTML_429 = `<html>
<head><title>429 Too Many Requests</title></head>
<body>
<center><h1>429 Too Many Requests</h1></center>
<hr><center>nginx</center>
</body>
</html>
`;

/** A JSON reply. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

/** An HTML reply. */
export function html(status: number, body: string, headers: Record<string, string> = {}): Reply {
  return { status, headers: { "content-type": "text/html; charset=utf-8", ...headers }, body };
}

/** The OpenAlex HTML 404. */
export const openAlexNotFound = (): Reply => html(404, OPENALEX_404_HTML);

/** An OpenAlex 400 in the elastic API's shape. */
export const openAlexBadRequest = (message: string): Reply =>
  json(400, { error: "Invalid query parameters error.", message });

/** Only the listed top-level fields of `object`, in its own order; all of it when `select` is undefined. */
export function pickFields(object: Record<string, unknown>, select: ReadonlySet<string> | undefined) {
  if (!select) return object;
  return Object.fromEntries(Object.entries(object).filter(([k]) => select.has(k)));
}
