import type { ConnectionFailure } from "./connection-health.js";
import { type ProxySettings, proxyFor, redactProxyUrl } from "./proxy.js";

/**
 * Turns a fetch rejection that came without any HTTP answer into a {@link ConnectionFailure}: which
 * host could not be reached (the API's or the proxy's) and why, in plain words. Undefined when the
 * rejection is something else (an abort by the caller, a bug).
 */

const CODE_WORDS: Record<string, string> = {
  ENOTFOUND: "DNS lookup failed",
  EAI_AGAIN: "DNS lookup failed, temporarily",
  EAI_FAIL: "DNS lookup failed",
  EAI_NONAME: "DNS lookup failed",
  ECONNREFUSED: "connection refused",
  EHOSTUNREACH: "host unreachable",
  EHOSTDOWN: "host down",
  ENETUNREACH: "network unreachable",
  ENETDOWN: "network down",
  ECONNRESET: "connection reset",
  ECONNABORTED: "connection aborted",
  EPIPE: "connection closed",
  ETIMEDOUT: "connection timed out",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
  UND_ERR_SOCKET: "connection closed by the other side",
  UND_ERR_CLOSED: "connection closed",
};
/** Certificate verification failures (not a handshake that was cut or timed out). */
const CERTIFICATE_CODE =
  /^(CERT_|UNABLE_TO_(GET_ISSUER_CERT|VERIFY_LEAF|DECRYPT_CERT)|DEPTH_ZERO_SELF_SIGNED|SELF_SIGNED_CERT|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH)/;
/** Codes of failures before any byte of the request was sent. */
const UNSENT_CODES = new Set([
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_FAIL",
  "EAI_NONAME",
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "UND_ERR_CONNECT_TIMEOUT",
]);
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|EPROTO$|HOSTNAME_MISMATCH)/;

interface ErrnoLike {
  code?: unknown;
  message?: unknown;
  hostname?: unknown;
  address?: unknown;
  port?: unknown;
  cause?: unknown;
}

/** The innermost errors first: undici wraps the socket error in `cause`, sometimes twice. */
function causes(error: unknown): ErrnoLike[] {
  const chain: ErrnoLike[] = [];
  let current: unknown = error;
  for (let i = 0; i < 5 && current !== null && typeof current === "object"; i++) {
    chain.push(current as ErrnoLike);
    current = (current as ErrnoLike).cause;
  }
  // AggregateError (happy eyeballs: IPv4 and IPv6 both refused) holds the reasons in `errors`.
  const last = chain.at(-1) as { errors?: unknown } | undefined;
  if (last && Array.isArray(last.errors) && last.errors[0]) chain.push(last.errors[0] as ErrnoLike);
  return chain.reverse();
}

export function connectionFailureOf(
  error: unknown,
  url: string,
  proxy: ProxySettings | undefined,
  timeoutMs: number,
): ConnectionFailure | undefined {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return undefined;
  }
  const via = proxy ? proxyFor(url, proxy) : undefined;
  const viaProxy = via ? redactProxyUrl(via) : undefined;
  const proxyHost = via ? hostOf(via) : undefined;
  const base = { host: target.host, ...(viaProxy ? { proxy: viaProxy } : {}) };
  const name = error instanceof Error ? error.name : "";
  if (name === "TimeoutError") {
    return {
      ...base,
      code: "TIMEOUT",
      description: `no answer within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}`,
    };
  }
  if (name === "AbortError") return undefined;
  const chain = causes(error);
  const messages = chain.map((c) => (typeof c.message === "string" ? c.message : "")).join(" | ");
  // undici's ProxyAgent: "Proxy response (407) !== 200 when HTTP Tunneling" (CONNECT), and
  // "Proxy Authentication Required (407)" for an absolute-URI request.
  const tunnel = /Proxy response \((\d+)\)/i.exec(messages);
  const auth = /Proxy Authentication Required \((\d+)\)/i.exec(messages);
  if ((tunnel || auth) && proxyHost) {
    const status = (tunnel ?? auth)![1]!;
    return {
      host: proxyHost,
      proxy: viaProxy!,
      code: `PROXY_${status}`,
      description: tunnel
        ? `the proxy answered HTTP ${status} to the tunnel request`
        : `the proxy answered HTTP ${status}: proxy credentials missing or refused`,
      unsent: true,
      // Credentials the proxy wants are not going to appear by retrying.
      ...(status === "407" ? { final: true } : {}),
    };
  }
  // llhttp could not parse the answer: the server answered, but not in HTTP.
  const parse = chain.find((c) => typeof c.code === "string" && c.code.startsWith("HPE_"));
  if (parse) {
    return {
      ...base,
      code: parse.code as string,
      description: `its answer is not HTTP: ${parse.code}`,
      answered: true,
    };
  }
  const coded = chain.find(
    (c) => typeof c.code === "string" && (c.code in CODE_WORDS || TLS_CODE.test(c.code)),
  );
  if (!coded) {
    // A TypeError "fetch failed" without a known code is still a failure to get any answer.
    if (!(error instanceof TypeError)) return undefined;
    const detail = chain.map((c) => c.code).find((c): c is string => typeof c === "string");
    return {
      ...base,
      code: detail ?? "FETCH_FAILED",
      description: detail ? `request failed: ${detail}` : "request failed",
    };
  }
  const code = coded.code as string;
  const words = CODE_WORDS[code] ?? (CERTIFICATE_CODE.test(code) ? "TLS certificate refused" : "TLS failure");
  // A certificate that is not trusted stays untrusted however often it is tried.
  const final = {
    ...(CERTIFICATE_CODE.test(code) ? { final: true as const } : {}),
    ...(UNSENT_CODES.has(code) || TLS_CODE.test(code) ? { unsent: true as const } : {}),
  };
  // Whose connection failed: the proxy's when the failing address is the proxy's.
  const failedHost = typeof coded.hostname === "string" ? coded.hostname : undefined;
  const failedPort =
    typeof coded.port === "number" || typeof coded.port === "string" ? String(coded.port) : undefined;
  const proxyUrl = via ? safeUrl(via) : undefined;
  const isProxy =
    proxyUrl !== undefined &&
    (failedHost !== undefined
      ? failedHost === proxyUrl.hostname
      : failedPort !== undefined && failedPort === portOf(proxyUrl) && failedPort !== portOf(target));
  if (isProxy)
    return { host: proxyHost!, proxy: viaProxy!, code, description: `proxy ${words}: ${code}`, ...final };
  return { ...base, code, description: `${words}: ${code}`, ...final };
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function hostOf(proxy: string): string {
  return safeUrl(proxy)?.host ?? proxy;
}

function portOf(url: URL): string {
  return url.port || (url.protocol === "https:" ? "443" : "80");
}
