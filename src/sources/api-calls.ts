import { addUsd } from "../model/usd.js";
import { createHttpClient, type HttpClient, type HttpClientOptions, withApiCalls } from "./http.js";
import type { SpendHeaders } from "./spend.js";
import type { BatchResult, LookupResult } from "./types.js";

/**
 * The one way the clients count API calls: every attempt a batch's requests make, retries
 * included, that reached a server (one that failed to connect is not counted; cost is counted
 * from answers only, so budgets do not depend on this count). Each batch runs on its own HTTP client (over the source's shared rate limiter) whose
 * events are counted; a ready client that a test passes in is counted per request instead.
 */

/**
 * Run one batch's lookups on a counting HTTP client built from `options` (or on `ready`): its results
 * with the calls made, or its error carrying them (see {@link withApiCalls}).
 */
export async function countingApiCalls(
  ready: HttpClient | undefined,
  options: HttpClientOptions,
  lookUp: (http: HttpClient) => Promise<LookupResult[]>,
): Promise<BatchResult> {
  let apiCalls = 0;
  let costUsd: number | undefined;
  let budget: BatchResult["budget"];
  const count = () => {
    apiCalls++;
  };
  const spent = (spend: SpendHeaders) => {
    if (spend.costUsd !== undefined) costUsd = addUsd(costUsd ?? 0, spend.costUsd);
    if (spend.remainingUsd !== undefined || spend.limitUsd !== undefined) {
      budget = { remainingUsd: spend.remainingUsd, limitUsd: spend.limitUsd ?? budget?.limitUsd };
    }
  };
  const http = ready
    ? countingRequests(ready, count)
    : createHttpClient(countingAttempts(options, count, spent));
  try {
    const results = await lookUp(http);
    return {
      results,
      apiCalls,
      ...(costUsd !== undefined ? { costUsd } : {}),
      ...(budget ? { budget } : {}),
    };
  } catch (error) {
    throw withApiCalls(error, apiCalls, costUsd);
  }
}

function countingAttempts(
  options: HttpClientOptions,
  count: () => void,
  spent: (spend: SpendHeaders) => void,
): HttpClientOptions {
  const { onEvent } = options;
  return {
    ...options,
    onEvent: (event) => {
      // One attempt = one response event, or a retry/error event of a request that got no status
      // but was sent (a request that never reached a server, refused or not resolved, is no call).
      if (event.type === "response" || (event.status === undefined && !event.notSent)) count();
      if (event.spend) spent(event.spend);
      onEvent?.(event);
    },
  };
}

function countingRequests(http: HttpClient, count: () => void): HttpClient {
  const counted =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): R => {
      count();
      return fn.apply(http, args);
    };
  return {
    requestJson: counted(http.requestJson),
    getJson: counted(http.getJson),
    postJson: counted(http.postJson),
  };
}
