import { createHash } from "node:crypto";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { onTestFinished } from "vitest";

/**
 * An HTTP proxy on 127.0.0.1 in front of the simulator that logs every request with its identity
 * (method, full URL and body, hashed), so a retry can be paired with the attempt it repeats: the
 * simulator's own log keeps only the path, which many different requests share (/works). It can
 * also hold requests, to keep a client running as long as a test needs. Faults pass
 * through unchanged: a reset upstream resets the client, a cut body is cut, a hang hangs until the
 * client gives up (which then aborts the upstream request).
 */

export interface ProxyLogEntry {
  /** Method, path and query (normalised): what the client's debug log names a request by. */
  target: string;
  /** `target` plus a hash of the body: equal for a request and its retries. */
  key: string;
  /** When the request arrived and when its answer was complete (or failed), epoch ms. */
  at: number;
  done: number;
  /** 0 when no complete answer was sent (reset, cut body, client gone). */
  status: number;
  retryAfter?: string;
}

export interface LoggingProxy {
  url: string;
  log: ProxyLogEntry[];
  /** Keep requests waiting (not forwarded) until `release`: a client then cannot progress or finish. */
  hold(): void;
  release(): void;
}

/** Start a proxy forwarding to `target` (the simulator's base URL); closed when the test finishes. */
export async function startLoggingProxy(target: string): Promise<LoggingProxy> {
  const upstream = new URL(target);
  const log: ProxyLogEntry[] = [];
  let held: Array<() => void> | undefined;
  const server = createServer((req, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      if (held) await new Promise<void>((resolve) => held?.push(resolve));
      const body = Buffer.concat(chunks);
      const target = requestTarget(req.method ?? "GET", req.url ?? "/");
      const key = `${target} ${createHash("sha256").update(body).digest("hex").slice(0, 16)}`;
      const entry: ProxyLogEntry = { target, key, at, done: 0, status: 0 };
      const finish = (status: number) => {
        if (entry.done !== 0) return;
        entry.done = Date.now();
        entry.status = status;
        log.push(entry);
      };
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
          agent: false,
        },
        (answer) => {
          const retryAfter = answer.headers["retry-after"];
          if (typeof retryAfter === "string") entry.retryAfter = retryAfter;
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          answer.on("end", () => finish(answer.statusCode ?? 0));
          // A body cut short upstream is cut short here too.
          answer.on("aborted", () => {
            finish(0);
            res.destroy();
          });
          answer.on("error", () => {
            finish(0);
            res.destroy();
          });
        },
      );
      forward.on("error", () => {
        finish(0);
        req.socket.destroy();
      });
      // The client gave up (its timeout): stop waiting upstream too.
      res.on("close", () => {
        if (!res.writableFinished) {
          finish(0);
          forward.destroy();
        }
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    hold: () => {
      held ??= [];
    },
    release: () => {
      const waiting = held ?? [];
      held = undefined;
      for (const resume of waiting) resume();
    },
  };
}

/** `METHOD /path?query` of a URL (absolute or not), normalised the way URL parsing does. */
export function requestTarget(method: string, url: string): string {
  const parsed = new URL(url, "http://proxy.invalid");
  return `${method} ${parsed.pathname}${parsed.search}`;
}

/** The simulator's two base URLs, reached through the proxy. */
export function proxiedUrls(proxy: LoggingProxy): { openalexUrl: string; s2Url: string } {
  return { openalexUrl: `${proxy.url}/openalex`, s2Url: `${proxy.url}/s2/graph/v1` };
}

export interface RetryGap {
  key: string;
  /** From the throttled request's arrival to its retry's arrival. */
  sinceRequestMs: number;
  /** From the moment the 429 answer was sent to the retry's arrival. */
  sinceAnswerMs: number;
}

/**
 * For every answer that said `Retry-After: 1` to a request in `seen` (those whose 429s the client
 * reported receiving), when the same request came again (if it did).
 */
export function retryAfterGaps(log: readonly ProxyLogEntry[], seen: ReadonlySet<string>): RetryGap[] {
  const sorted = [...log].sort((a, b) => a.at - b.at);
  const gaps: RetryGap[] = [];
  sorted.forEach((entry, i) => {
    if (entry.status !== 429 || entry.retryAfter !== "1" || !seen.has(entry.target)) return;
    const next = sorted.slice(i + 1).find((e) => e.key === entry.key);
    if (next)
      gaps.push({ key: entry.key, sinceRequestMs: next.at - entry.at, sinceAnswerMs: next.at - entry.done });
  });
  return gaps;
}
