/**
 * HTTP proxies from the environment, as curl and npm read them: `HTTPS_PROXY` for https URLs (else
 * `HTTP_PROXY`, as undici does), `HTTP_PROXY` for http ones, lower-case forms first, and `NO_PROXY`
 * for hosts reached directly.
 * Node's built-in fetch ignores these variables, so with a proxy set cf fetches through undici's
 * `EnvHttpProxyAgent` (loaded only then: it costs ~80 ms of start-up).
 */

export interface ProxySettings {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy?: string;
}

/** The fetch function the HTTP client uses (the global one, or undici's through the proxy). */
export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;

const pick = (env: NodeJS.ProcessEnv, name: string): string | undefined => {
  const value = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return value !== undefined && value.trim() !== "" ? value.trim() : undefined;
};

/** The proxy variables of an environment; empty when none is set. */
export function proxySettings(env: NodeJS.ProcessEnv): ProxySettings {
  const settings: ProxySettings = {};
  const httpProxy = pick(env, "http_proxy");
  const httpsProxy = pick(env, "https_proxy");
  const noProxy = pick(env, "no_proxy");
  if (httpProxy) settings.httpProxy = httpProxy;
  if (httpsProxy) settings.httpsProxy = httpsProxy;
  if (noProxy) settings.noProxy = noProxy;
  return settings;
}

/** A proxy URL with its password (and a user-only credential) replaced by `***`. */
export function redactProxyUrl(proxy: string): string {
  try {
    const url = new URL(proxy);
    if (url.password) url.password = "***";
    else if (url.username) url.username = "***";
    return url.toString().replace(/\/$/, "");
  } catch {
    return proxy.replace(/\/\/[^@/]*@/, "//***@");
  }
}

/** The proxy a URL goes through under these settings (NO_PROXY applied), or undefined for direct. */
export function proxyFor(target: string, settings: ProxySettings): string | undefined {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return undefined;
  }
  const proxy = url.protocol === "https:" ? (settings.httpsProxy ?? settings.httpProxy) : settings.httpProxy;
  if (!proxy || bypassed(url, settings.noProxy)) return undefined;
  return proxy;
}

/** NO_PROXY as curl reads it: `*`, host names (a leading dot optional, matching subdomains), IPs, `:port`. */
function bypassed(url: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return noProxy
    .split(/[\s,]+/)
    .filter((entry) => entry !== "")
    .some((entry) => {
      if (entry === "*") return true;
      const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry.toLowerCase());
      if (!m) return false;
      const name = m[1]!.replace(/^\[|\]$/g, "").replace(/^\*?\./, "");
      if (m[2] !== undefined && m[2] !== port) return false;
      return host === name || host.endsWith(`.${name}`);
    });
}

/** One line for `-v`: which proxy serves which scheme, credentials redacted. */
export function describeProxySettings(settings: ProxySettings): string | undefined {
  const parts = [
    settings.httpsProxy || settings.httpProxy
      ? `https via ${redactProxyUrl(settings.httpsProxy ?? settings.httpProxy ?? "")}`
      : undefined,
    settings.httpProxy ? `http via ${redactProxyUrl(settings.httpProxy)}` : undefined,
    settings.noProxy ? `not for ${settings.noProxy}` : undefined,
  ].filter((p): p is string => p !== undefined);
  return parts.length > 0 ? `proxy: ${parts.join("; ")}` : undefined;
}

/** A fetch that goes through the environment's proxies, or undefined when none is set (use the global fetch). */
export async function proxyFetch(settings: ProxySettings): Promise<FetchFunction | undefined> {
  if (!settings.httpProxy && !settings.httpsProxy) return undefined;
  const undici = await import("undici");
  const dispatcher = new undici.EnvHttpProxyAgent({
    ...(settings.httpProxy ? { httpProxy: settings.httpProxy } : {}),
    ...(settings.httpsProxy ? { httpsProxy: settings.httpsProxy } : {}),
    ...(settings.noProxy ? { noProxy: settings.noProxy } : {}),
  });
  return (url, init) =>
    undici.fetch(url, {
      ...(init as Parameters<typeof undici.fetch>[1]),
      dispatcher,
    }) as unknown as Promise<Response>;
}
