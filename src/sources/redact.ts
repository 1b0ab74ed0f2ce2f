/**
 * Keeping secrets out of everything cf prints, logs or stores: API keys, e-mail addresses and
 * credentials in URLs are replaced by `***`. The one scrubber of the sources (see {@link scrubSecrets}).
 */

/** Query parameters whose values are secret (keys, tokens, the polite-pool e-mail). */
export const SECRET_PARAM = /^(api[_-]?key|key|mailto|email|token|access_token)$/i;
/** Request headers whose values are secret. */
export const SECRET_HEADER = /key|token|secret|authorization|cookie/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Replace credentials (`user:password@` → `***@`) and the values of key, api_key, token, mailto and
 * e-mail-like query params by `***`.
 */
export function redactUrl(url: string): string {
  const safe = redactUserinfo(url);
  const q = safe.indexOf("?");
  if (q < 0) return safe;
  const end = safe.includes("#", q) ? safe.indexOf("#", q) : safe.length;
  const pairs = safe.slice(q + 1, end).split("&");
  const redacted = pairs.map((pair) => {
    const [name = "", value] = pair.split("=", 2);
    if (value === undefined || !(SECRET_PARAM.test(decode(name)) || EMAIL.test(decode(value)))) return pair;
    return `${name}=***`;
  });
  return `${safe.slice(0, q + 1)}${redacted.join("&")}${safe.slice(end)}`;
}

/** `scheme://user:password@host/…` → `scheme://***@host/…` (the last `@` of the authority ends the userinfo). */
function redactUserinfo(url: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url);
  if (!scheme) return url;
  const start = scheme[0].length;
  const rest = url.slice(start);
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd < 0 ? rest : rest.slice(0, authorityEnd);
  const at = authority.lastIndexOf("@");
  return at < 0 ? url : `${url.slice(0, start)}***${url.slice(start + at)}`;
}

/**
 * The secrets a URL carries: the password (or a lone user name, often a token) of its userinfo, raw
 * and decoded, and the values of key-like query params.
 */
export function urlSecrets(url: string): string[] {
  if (!URL.canParse(url)) return [];
  const parsed = new URL(url);
  const found: string[] = [];
  const cred = parsed.password || parsed.username;
  if (cred) found.push(cred, decodePercent(cred));
  for (const [name, value] of parsed.searchParams) if (SECRET_PARAM.test(name) && value) found.push(value);
  return [...new Set(found)];
}

/** The URL without `user:password@`, and the Basic authorization those credentials stand for. */
export function splitCredentials(url: string): { url: string; authorization?: string } {
  if (!URL.canParse(url)) return { url };
  const parsed = new URL(url);
  if (parsed.username === "" && parsed.password === "") return { url };
  const pair = `${decodePercent(parsed.username)}:${decodePercent(parsed.password)}`;
  parsed.username = "";
  parsed.password = "";
  return { url: parsed.toString(), authorization: `Basic ${Buffer.from(pair).toString("base64")}` };
}

/** The values of the entries whose names match `names` (a `Bearer ` prefix dropped). */
export function secretsOf(record: Record<string, string> | undefined, names: RegExp): string[] {
  return Object.entries(record ?? {})
    .filter(([k]) => names.test(k))
    .map(([, v]) => v.replace(/^Bearer\s+/i, ""));
}

/**
 * `text` with every secret, as given and percent-encoded, replaced by `***`. Scrub whole texts
 * before cutting them, so a cut can never leave part of a secret behind. Empty secrets are skipped.
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret === "") continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join("***");
  }
  return out;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}

function decodePercent(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
