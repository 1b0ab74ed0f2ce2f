import type { SourceStop } from "../../core/engine.js";
import { safeText } from "../../model/safe-text.js";
import { sourceKeySettings, sourceLabel } from "./source-labels.js";

/**
 * What to tell the user when a source stopped before the end, in plain words: which host could not
 * be reached and why, which key was refused, when a budget resets. `keyGiven` says whether a key
 * was passed for that source (a refusal without one is about the missing key).
 */
export function describeStop(stop: SourceStop, keyGiven: boolean): string {
  const label = sourceLabel(stop.source);
  // The message can quote a server's answer: shown terminal-safe.
  const text = safeText(stop.message);
  const message = text.startsWith(label) ? text : `${label}: ${text}`;
  if (stop.kind === "unreachable") {
    return `${message}. Check the network or proxy settings (HTTPS_PROXY, HTTP_PROXY, NO_PROXY)`;
  }
  if (stop.kind === "auth") {
    const { flag, env } = sourceKeySettings(stop.source);
    return keyGiven
      ? `${message}: check the key given by ${flag} or ${env}`
      : `${message}: pass a key with ${flag} or ${env}`;
  }
  if (stop.kind === "budget_exhausted") {
    return `${message}${stop.resetsAt ? ` (budget resets ${stop.resetsAt.toISOString()})` : ""}`;
  }
  return message;
}
