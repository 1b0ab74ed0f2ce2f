import {
  describeProxySettings,
  type FetchFunction,
  type ProxySettings,
  proxyFetch,
  proxySettings,
} from "../sources/proxy.js";

/** The proxy settings of the environment and the fetch that honours them, plus the `-v` line about it. */
export async function networkSetup(
  env: NodeJS.ProcessEnv,
): Promise<{ proxy: ProxySettings; fetch?: FetchFunction; description?: string }> {
  const proxy = proxySettings(env);
  const fetch = await proxyFetch(proxy);
  const description = describeProxySettings(proxy);
  return { proxy, ...(fetch ? { fetch } : {}), ...(description ? { description } : {}) };
}
