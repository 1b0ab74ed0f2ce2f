import { isIP, type Socket } from "node:net";
import { UsageError } from "../errors.js";

/**
 * HTTP proxies from the environment, as curl and npm read them: `HTTPS_PROXY` for https URLs (else
 * `HTTP_PROXY`, as npm does), `HTTP_PROXY` for http ones, lower-case forms first, and `NO_PROXY`
 * for hosts reached directly. One rule decides where a request goes: {@link proxyFor} (curl's
 * reading of NO_PROXY). Node's built-in fetch ignores these variables, so with a proxy set cf
 * fetches through undici (loaded only then: it costs ~100 ms of start-up): a direct `Agent` or a
 * `ProxyAgent` per request, chosen by that rule. https targets go through a `CONNECT` tunnel, http
 * targets as absolute-URI requests (`GET http://host/path`, as curl does: squid refuses `CONNECT`
 * to ports other than 443).
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

/** The name of the variable `pick` read (the lower-case one when both are set). */
const variableOf = (env: NodeJS.ProcessEnv, name: string): string =>
  env[name.toLowerCase()] !== undefined ? name.toLowerCase() : name.toUpperCase();

/**
 * A proxy value as a URL: without a scheme it is http (`proxy:3128`, as curl and npm read it). A
 * value that is no URL, or not http(s), is a usage error naming the variable, never the value
 * (it may hold a password).
 */
export function normalizeProxyUrl(value: string, variable: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  const url = URL.canParse(withScheme) ? new URL(withScheme) : undefined;
  const problem = !url
    ? "is not a valid proxy URL"
    : !/^https?:$/.test(url.protocol)
      ? `names a ${url.protocol.slice(0, -1)} proxy; cf supports http:// and https:// proxies`
      : url.hostname === ""
        ? "has no host"
        : undefined;
  if (problem) {
    throw new UsageError(`the ${variable} environment variable ${problem}`, {
      hint: `Set it to http://host:port (credentials as http://user:password@host:port), or unset it.`,
    });
  }
  return withScheme;
}

/** The proxy variables of an environment; empty when none is set. Throws a UsageError for a bad proxy URL. */
export function proxySettings(env: NodeJS.ProcessEnv): ProxySettings {
  const settings: ProxySettings = {};
  const raw = (name: string) => {
    const value = pick(env, name);
    return value === undefined ? undefined : normalizeProxyUrl(value, variableOf(env, name));
  };
  const httpProxy = raw("http_proxy");
  const httpsProxy = raw("https_proxy");
  const noProxy = pick(env, "no_proxy");
  if (httpProxy) settings.httpProxy = httpProxy;
  if (httpsProxy) settings.httpsProxy = httpsProxy;
  if (noProxy) settings.noProxy = noProxy;
  return settings;
}

/** A proxy URL with its whole userinfo (user name and password) replaced by `***`. */
export function redactProxyUrl(proxy: string): string {
  try {
    const url = new URL(proxy);
    const credentials = url.username !== "" || url.password !== "";
    url.username = "";
    url.password = "";
    const text = url.toString().replace(/\/$/, "");
    return credentials ? text.replace("://", "://***@") : text;
  } catch {
    return proxy.replace(/\/\/[^/]*@/, "//***@");
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

/**
 * NO_PROXY as curl reads it: entries separated by commas or spaces; `*` alone bypasses everything;
 * a host name matches itself and its subdomains (a leading `.` or `*.` is dropped: `.example.test`
 * matches `example.test` too); an IP address (IPv6 with or without brackets) matches itself, a
 * CIDR range (`127.0.0.0/8`, `::1/128`) the addresses in it; `host:port` only that port.
 */
export function bypassed(url: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return noProxy
    .split(/[\s,]+/)
    .filter((entry) => entry !== "")
    .some((raw) => {
      const entry = raw.toLowerCase();
      if (entry === "*") return true;
      const { name, entryPort } = splitEntry(entry);
      if (entryPort !== undefined && entryPort !== port) return false;
      if (name.includes("/")) return inCidr(host, name);
      const bare = name.replace(/^\*?\./, "").replace(/\.$/, "");
      if (bare === "") return false;
      if (isIP(bare) !== 0 || isIP(host) !== 0) return sameAddress(host, bare);
      return host === bare || host.endsWith(`.${bare}`);
    });
}

/** `[::1]:8080`, `::1`, `host:80`, `10.0.0.0/8` → the name and the port, if any. */
function splitEntry(entry: string): { name: string; entryPort?: string } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { name: bracketed[1]!, ...(bracketed[2] ? { entryPort: bracketed[2] } : {}) };
  // More than one colon: an IPv6 address (or range) without a port.
  if ((entry.match(/:/g) ?? []).length > 1) return { name: entry };
  const m = /^([^:]+)(?::(\d+))?$/.exec(entry);
  return m ? { name: m[1]!, ...(m[2] ? { entryPort: m[2] } : {}) } : { name: entry };
}

function sameAddress(a: string, b: string): boolean {
  if (isIP(a) === 0 || isIP(b) === 0) return a === b;
  const [x, y] = [addressBits(a), addressBits(b)];
  return x !== undefined && y !== undefined && x.bits === y.bits && x.value === y.value;
}

/** An address as a number (IPv4-mapped IPv6 read as IPv4). */
function addressBits(address: string): { bits: 32 | 128; value: bigint } | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const text = mapped ? mapped[1]! : address;
  const family = isIP(text);
  if (family === 4) {
    const value = text.split(".").reduce((n, part) => (n << 8n) + BigInt(Number(part)), 0n);
    return { bits: 32, value };
  }
  if (family !== 6) return undefined;
  const [head = "", tail] = text.split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const expand = (parts: string[]) =>
    parts.flatMap((g) => {
      if (!g.includes(".")) return [g];
      const v4 = addressBits(g)?.value ?? 0n;
      return [(v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16)];
    });
  const left = expand(groups(head));
  const right = tail === undefined ? [] : expand(groups(tail));
  const all = [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return { bits: 128, value: all.reduce((n, g) => (n << 16n) + BigInt(Number.parseInt(g, 16)), 0n) };
}

function inCidr(host: string, range: string): boolean {
  const [base = "", prefixText = ""] = range.split("/");
  const address = addressBits(host);
  const network = addressBits(base);
  const prefix = Number(prefixText);
  if (!address || !network || address.bits !== network.bits) return false;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > network.bits) return false;
  const shift = BigInt(network.bits - prefix);
  return address.value >> shift === network.value >> shift;
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

/** How requests reach the network: the fetch to use, and how to let go of its connections. */
export interface Network {
  /** undici's fetch routed by {@link proxyFor}; undefined without any proxy (use the global fetch). */
  fetch?: FetchFunction;
  /**
   * Close every connection this network opened, connections still being made included (a TLS
   * handshake or a tunnel request that never ends would keep the process alive for minutes).
   */
  close(): Promise<void>;
}

/** The network of these proxy settings: without a proxy, the global fetch; with one, undici routed by cf's rule. */
export function createNetwork(settings: ProxySettings): Network {
  if (!settings.httpProxy && !settings.httpsProxy) return { close: async () => {} };
  type Undici = Awaited<ReturnType<typeof loadUndici>>;
  type Dispatcher = import("undici").Dispatcher;
  // Sockets still connecting: closing the network destroys them (undici's own close waits for them).
  const connecting = new Set<Socket>();
  const dispatchers = new Map<string, Dispatcher>();
  let closed = false;
  let loaded: Promise<Undici> | undefined;
  const tracked =
    (undici: Undici, connect: unknown) =>
    (options: object, callback: (error: Error | null, socket: Socket | null) => void): unknown => {
      const base = (typeof connect === "function" ? connect : undici.buildConnector({})) as (
        o: object,
        cb: (error: Error | null, socket: Socket | null) => void,
      ) => unknown;
      let socket: Socket | undefined;
      const result = base(options, (error, ready) => {
        if (socket) connecting.delete(socket);
        callback(error, ready);
      });
      if (result && typeof (result as Socket).destroy === "function" && !(result as Socket).destroyed) {
        socket = result as Socket;
        connecting.add(socket);
        if (closed) socket.destroy();
      }
      return result;
    };
  const dispatcherFor = (undici: Undici, proxy: string | undefined): Dispatcher => {
    const key = proxy ?? "";
    const known = dispatchers.get(key);
    if (known) return known;
    let made: Dispatcher;
    if (proxy === undefined) {
      made = new undici.Agent({ connect: tracked(undici, undefined) as never });
    } else {
      const url = new URL(proxy);
      // undici sends credentials only for user *and* password; a lone user name (a token) too, as curl does.
      const token =
        url.username !== "" && url.password === ""
          ? { token: `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:`).toString("base64")}` }
          : {};
      made = new undici.ProxyAgent({
        uri: proxy,
        ...token,
        // http targets as absolute-URI requests; https ones through CONNECT.
        proxyTunnel: false,
        clientFactory: (origin: URL, options: object) =>
          new undici.Pool(origin, {
            ...options,
            connect: tracked(undici, (options as { connect?: unknown }).connect) as never,
          }),
        factory: (origin: string, options: object) =>
          new undici.Pool(origin, {
            ...options,
            connect: tracked(undici, (options as { connect?: unknown }).connect) as never,
          }),
      } as never);
    }
    dispatchers.set(key, made);
    return made;
  };
  return {
    fetch: async (url, init) => {
      loaded ??= loadUndici();
      const undici = await loaded;
      if (closed) throw new TypeError("fetch failed: the network was closed");
      const dispatcher = dispatcherFor(undici, proxyFor(url, settings));
      return undici.fetch(url, {
        ...(init as Parameters<Undici["fetch"]>[1]),
        dispatcher,
      }) as unknown as Promise<Response>;
    },
    close: async () => {
      closed = true;
      for (const socket of connecting) socket.destroy();
      connecting.clear();
      const all = [...dispatchers.values()];
      dispatchers.clear();
      await Promise.all(all.map((d) => d.destroy().catch(() => {})));
    },
  };
}

const loadUndici = () => import("undici");
