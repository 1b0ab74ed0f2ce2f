import { CfError, ExitCode } from "../errors.js";
import { roundUsd } from "../model/usd.js";
import type { ConnectionFailure } from "./connection-health.js";
import { redactUrl } from "./redact.js";
import type { LookupResult } from "./types.js";

/**
 * How a caller must treat a failed request. `unreachable`: the source's server cannot be reached at
 * all (see connection-health.ts); like `auth` and `budget_exhausted` it stops the whole source.
 */
export type HttpErrorKind =
  | "not_found"
  | "transient"
  | "permanent"
  | "auth"
  | "budget_exhausted"
  | "unreachable";

/** Fields of an {@link HttpError}; the constructor redacts `url`. */
export type HttpErrorInit = Pick<
  HttpError,
  "kind" | "message" | "url" | "status" | "excerpt" | "retryAfterMs" | "resetsAt" | "connection"
>;

/** Kinds that leave the work resumable later rather than failed: exit 75 if one ends the run. */
const TRY_LATER: ReadonlySet<HttpErrorKind> = new Set(["budget_exhausted", "unreachable"]);

/**
 * A classified HTTP failure; its message, url and excerpt never contain an API key. A CfError
 * (`E_HTTP_<KIND>`): should one ever end a run, it exits 75 for a budget or an unreachable API, else 1.
 */
export class HttpError extends CfError {
  readonly kind: HttpErrorKind;
  readonly status?: number;
  readonly url: string;
  readonly excerpt?: string;
  readonly retryAfterMs?: number;
  readonly resetsAt?: Date;
  /** Set when the attempt got no HTTP answer at all (DNS, refused, TLS, proxy, timeout …). */
  readonly connection?: ConnectionFailure;
  /** Requests the failed batch had sent when this stopped it (counted although nothing is journaled). */
  apiCalls?: number;
  /** What those requests cost in USD, as the API reported it (see spend.ts). */
  costUsd?: number;
  /**
   * Results of the papers of the stopped batch that were answered before the stop: journaled
   * as done (the rest of the batch stays pending).
   */
  partial?: LookupResult[];

  constructor(init: HttpErrorInit) {
    super(
      `E_HTTP_${init.kind.toUpperCase()}`,
      TRY_LATER.has(init.kind) ? ExitCode.tryLater : ExitCode.failure,
      init.message,
    );
    this.kind = init.kind;
    this.status = init.status;
    this.url = redactUrl(init.url);
    this.excerpt = init.excerpt;
    this.retryAfterMs = init.retryAfterMs;
    this.resetsAt = init.resetsAt;
    this.connection = init.connection;
  }
}

/** Builds the {@link HttpError} of one request: `<METHOD> <url>: <what>`, scrubbed. */
export type Fail = (kind: HttpErrorKind, what: string, extra?: Partial<HttpErrorInit>) => HttpError;

/** Errors that stop the whole source rather than fail one paper: a refused key, no budget, no server. */
export function stopsTheSource(
  error: HttpError,
): error is HttpError & { kind: "auth" | "budget_exhausted" | "unreachable" } {
  return error.kind === "auth" || error.kind === "budget_exhausted" || error.kind === "unreachable";
}

/**
 * A 401/403 says nothing but the status after a long URL: say that the key (or its absence) was
 * refused. Other errors are returned as they are.
 */
export function refusedKeyError(error: unknown, label: string, keyGiven: boolean): unknown {
  if (!(error instanceof HttpError) || error.kind !== "auth") return error;
  const status = answerOf(error);
  const message = keyGiven
    ? `${label} refused the API key (${status})`
    : `${label} refused requests without an API key (${status})`;
  const renamed = new HttpError({ kind: "auth", url: error.url, status: error.status, message });
  if (error.apiCalls !== undefined) renamed.apiCalls = error.apiCalls;
  if (error.costUsd !== undefined) renamed.costUsd = error.costUsd;
  if (error.partial !== undefined) renamed.partial = error.partial;
  return renamed;
}

/** `error` with the requests its batch had sent and their cost, for the source's counters. */
export function withApiCalls(error: unknown, apiCalls: number, costUsd = 0): unknown {
  if (error instanceof HttpError && apiCalls > 0) error.apiCalls = (error.apiCalls ?? 0) + apiCalls;
  if (error instanceof HttpError && costUsd > 0) error.costUsd = roundUsd((error.costUsd ?? 0) + costUsd);
  return error;
}

/** `error` (a stop) with the batch's results answered before it. */
export function withPartial(error: unknown, results: LookupResult[]): unknown {
  if (error instanceof HttpError && results.length > 0)
    error.partial = [...(error.partial ?? []), ...results];
  return error;
}

/** "HTTP 401 Invalid or missing API key": the status and the server's words, without the request line. */
export function answerOf(error: HttpError): string {
  const at = error.message.indexOf("HTTP ");
  return at >= 0 ? error.message.slice(at, at + 160) : `HTTP ${error.status ?? "?"}`;
}
