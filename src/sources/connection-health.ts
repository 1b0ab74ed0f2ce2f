/**
 * Whether a source's server can be reached at all. A failure to connect (DNS, refused, unreachable,
 * TLS, proxy, or no answer before the timeout) is a state of the source, not of a paper: retrying
 * each paper five times would only mark them all failed after minutes. One tracker per source
 * watches every attempt; once the source has had no answer for the window (or its first attempts all
 * failed), it trips and every request of that source stops with an `unreachable` HttpError. The
 * papers stay pending and the session resumable.
 */

/** Why an attempt got no HTTP answer at all. */
export interface ConnectionFailure {
  /** The host that could not be reached: the API's, or the proxy's when the proxy failed. */
  host: string;
  /** ENOTFOUND, ECONNREFUSED, …, or TIMEOUT for an attempt that got no answer in time. */
  code: string;
  /** Plain words, e.g. "DNS lookup failed: ENOTFOUND". */
  description: string;
  /** The proxy that was in the way, redacted, when the failure is the proxy's. */
  proxy?: string;
  /**
   * Retrying cannot help (a proxy asking for credentials, a certificate that is not trusted): the
   * source stops at the first such failure.
   */
  final?: true;
  /**
   * The request never left: no connection was made (DNS, refused, unreachable, connect timeout, TLS
   * handshake, a proxy that refused the tunnel). Such an attempt is not an API call.
   */
  unsent?: true;
  /** The server did answer, but not in HTTP, or not completely (a body that stalled or was cut off). */
  answered?: true;
}

export interface ConnectionHealthOptions {
  /** No answer for this long (connection failures only) stops the source; default 30 s. */
  windowMs?: number;
  /** A source that never got an answer stops after this many failed attempts; default 10. */
  firstAttempts?: number;
  /** Wall or monotonic clock in ms; default Date.now. */
  now?: () => number;
}

export const CONNECTION_WINDOW_MS = 30_000;
export const CONNECTION_FIRST_ATTEMPTS = 10;

export interface ConnectionHealth {
  /** Any HTTP answer, even an error status: the server is reachable. */
  recordAnswer(): void;
  /**
   * A failed attempt that started at `startedAt` (same clock as `now`); returns the failure that stops the source, if it now does. */
  recordFailure(startedAt: number, failure: ConnectionFailure): ConnectionFailure | undefined;
  /** The failure that stopped the source, once it did (it stays stopped for this process). */
  readonly stoppedBy: ConnectionFailure | undefined;
  /**
   * Every failed attempt recorded so far, by cause in plain words ({@link describeUnreachable}):
   * `{"cannot connect to api.openalex.org (DNS lookup failed: ENOTFOUND)": 12}`. A new object.
   */
  failures(): Record<string, number>;
}

export function createConnectionHealth(options: ConnectionHealthOptions = {}): ConnectionHealth {
  const windowMs = options.windowMs ?? CONNECTION_WINDOW_MS;
  const firstAttempts = options.firstAttempts ?? CONNECTION_FIRST_ATTEMPTS;
  const now = options.now ?? Date.now;
  let answered = false;
  let streakStart: number | undefined;
  let streakFailures = 0;
  let stoppedBy: ConnectionFailure | undefined;
  const counts = new Map<string, number>();
  return {
    recordAnswer() {
      answered = true;
      streakStart = undefined;
      streakFailures = 0;
    },
    recordFailure(startedAt, failure) {
      // Counted even once stopped: an attempt in flight that failed after the stop failed too.
      const cause = describeUnreachable(failure);
      counts.set(cause, (counts.get(cause) ?? 0) + 1);
      if (stoppedBy) return stoppedBy;
      // The window opens when the first failure is seen, not when its attempt began: one attempt
      // that hung for the whole timeout must not fill the window on its own (the network may have
      // come back meanwhile), and it closes only on an attempt begun after that, so at least one
      // retry is made after a long outage before the source stops.
      const at = now();
      streakStart ??= at;
      streakFailures += 1;
      const tooLong = at - streakStart >= windowMs && startedAt >= streakStart;
      const firstAllFailed = !answered && streakFailures >= firstAttempts;
      if (tooLong || firstAllFailed || failure.final) stoppedBy = failure;
      return stoppedBy;
    },
    get stoppedBy() {
      return stoppedBy;
    },
    failures() {
      return Object.fromEntries(counts);
    },
  };
}

/** `cannot connect to api.openalex.org (DNS lookup failed: ENOTFOUND)`, naming the proxy when it failed. */
export function describeUnreachable(failure: ConnectionFailure): string {
  const through =
    failure.proxy && failure.host !== hostOfProxy(failure.proxy) ? ` through proxy ${failure.proxy}` : "";
  if (failure.answered) return `no usable answer from ${failure.host}${through} (${failure.description})`;
  return `cannot connect to ${failure.host}${through} (${failure.description})`;
}

function hostOfProxy(proxy: string): string {
  try {
    return new URL(proxy).host;
  } catch {
    return proxy;
  }
}
