import {
  createNetwork,
  describeProxySettings,
  type FetchFunction,
  type ProxySettings,
  proxySettings,
} from "../sources/proxy.js";

/**
 * The proxy settings of the environment and the fetch that honours them, plus the `-v` line about
 * it. `close` lets go of every connection (the command calls it when it ends, however it ends).
 */
export function networkSetup(env: NodeJS.ProcessEnv): {
  proxy: ProxySettings;
  fetch?: FetchFunction;
  description?: string;
  close: () => Promise<void>;
} {
  const proxy = proxySettings(env);
  const network = createNetwork(proxy);
  const description = describeProxySettings(proxy);
  return {
    proxy,
    ...(network.fetch ? { fetch: network.fetch } : {}),
    ...(description ? { description } : {}),
    close: network.close,
  };
}
