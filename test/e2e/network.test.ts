import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { inspectSession } from "../../src/storage/session-catalog.js";
import { simFlags, simulatorFor, writeInput } from "../helpers/e2e.js";
import { startTestServer } from "../helpers/http/http-server.js";
import {
  closedPort,
  startDroppableLink,
  startForwardProxy,
  startSilentServer,
} from "../helpers/http/net-tools.js";
import { spawnCli } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

/** The network as it really is (issue 11), through the built binary against 127.0.0.1. */

const PAPERS = 40;

async function run(args: string[], cwd: string, env: Record<string, string> = {}) {
  const started = Date.now();
  const child = spawnCli(args, { cwd, env });
  const exit = await child.exited;
  return {
    code: exit.code,
    stdout: child.stdout(),
    stderr: child.stderr(),
    seconds: (Date.now() - started) / 1000,
  };
}

async function onlySession(dir: string, base = path.join(dir, ".cf_state", "consolidate")) {
  const [id] = await readdir(base);
  return { id: id!, ...(await inspectSession(path.join(base, id!))) };
}

/** Flags sending both sources to one base URL (with the simulator's path prefixes). */
const apiFlags = (base: string) => [
  "--openalex-url",
  `${base}/openalex`,
  "--s2-url",
  `${base}/s2/graph/v1`,
  "--openalex-rps",
  "50",
  "--s2-rps",
  "50",
  "--no-progress",
];

describe("unreachable APIs", () => {
  it("a refused port ends with exit 75 within 60 s naming host and cause; the resume completes once the API is up", async () => {
    const dir = await testdir();
    const input = await writeInput(dir, PAPERS);
    const port = await closedPort();
    const first = await run(
      ["consolidate", "--input", input, "-o", "out.json", ...apiFlags(`http://127.0.0.1:${port}`)],
      dir,
    );
    expect(first.code, first.stderr).toBe(75);
    expect(first.seconds).toBeLessThan(60);
    expect(first.stderr).toContain(
      `OpenAlex: cannot connect to 127.0.0.1:${port} (connection refused: ECONNREFUSED)`,
    );
    expect(first.stderr).toContain(
      `Semantic Scholar: cannot connect to 127.0.0.1:${port} (connection refused: ECONNREFUSED)`,
    );
    expect(first.stderr).toMatch(/nothing is lost/i);
    const session = await onlySession(dir);
    expect(session.status).toBe("interrupted");
    expect(session.sources.openalex).toMatchObject({ status: "unreachable", papers_failed: 0 });
    expect(session.sources.semantic_scholar).toMatchObject({ status: "unreachable", papers_failed: 0 });
    // No request reached a server: none is an API call (a refused connection sends nothing).
    expect(session.sources.openalex?.api_calls).toBe(0);
    expect(session.sources.semantic_scholar?.api_calls).toBe(0);
    // No paper failed, yet the summary says why: the failed connection attempts by cause.
    const refused = `cannot connect to 127.0.0.1:${port} (connection refused: ECONNREFUSED)`;
    const attempts = (source: string) =>
      Number(new RegExp(`${source}, (\\d+) failed connection attempts`).exec(first.stdout)?.[1]);
    expect(attempts("openalex"), first.stdout).toBeGreaterThanOrEqual(10);
    expect(first.stdout).toContain(`${attempts("openalex")} × ${refused}`);
    expect(first.stdout).toContain(`${attempts("semantic_scholar")} × ${refused}`);
    const show = await run(["consolidate-sessions", "show", session.id, "--json"], dir);
    expect(show.code, show.stderr).toBe(0);
    const shown = JSON.parse(show.stdout);
    for (const source of ["openalex", "semantic_scholar"]) {
      expect(shown.sources[source].connection_failures).toBe(attempts(source));
      expect(shown.sources[source].failure_causes).toEqual([
        { cause: refused, count: attempts(source), kind: "connection" },
      ]);
    }

    const sim = await simulatorFor();
    const resumed = await run(
      ["consolidate", "--input", input, "-o", "out.json", "--resume", ...simFlags(sim)],
      dir,
    );
    expect(resumed.code, resumed.stderr).toBe(0);
    expect((await onlySession(dir)).status).toBe("completed");
    const out = JSON.parse(await readFile(path.join(dir, "out.json"), "utf8"));
    expect(out.consolidation_metadata.stats.sources.openalex.papers_done).toBe(PAPERS);
  });

  it("-v logs each retry with the source, its real attempt number, the cause and the wait", async () => {
    const dir = await testdir();
    const input = await writeInput(dir, 6);
    const port = await closedPort();
    const result = await run(
      [
        "consolidate",
        "--input",
        input,
        "-o",
        "out.json",
        "-v",
        "--sources",
        "openalex",
        ...apiFlags(`http://127.0.0.1:${port}`),
      ],
      dir,
    );
    expect(result.code, result.stderr).toBe(75);
    const retry = new RegExp(
      `OpenAlex \\(127\\.0\\.0\\.1:${port}\\): attempt 2 failed \\(cannot connect to 127\\.0\\.0\\.1:${port} \\(connection refused: ECONNREFUSED\\)\\); retrying in \\d+\\.\\d s`,
    );
    expect(result.stderr).toMatch(retry);
  });

  it("an unresolvable host ends with exit 75 naming the DNS failure", async () => {
    const dir = await testdir();
    const input = await writeInput(dir, PAPERS);
    const result = await run(
      ["consolidate", "--input", input, "-o", "out.json", ...apiFlags("http://api.openalex.invalid")],
      dir,
    );
    expect(result.code, result.stderr).toBe(75);
    expect(result.seconds).toBeLessThan(60);
    expect(result.stderr).toContain("cannot connect to api.openalex.invalid (DNS lookup failed: ENOTFOUND)");
    expect(result.stdout).toMatch(/API calls\s*│\s*0\s*│\s*0/);
  });

  it("a network that drops for 10 s mid-run is ridden out without a failed paper", async () => {
    const dir = await testdir();
    const input = await writeInput(dir, 200);
    let link: Awaited<ReturnType<typeof startDroppableLink>> | undefined;
    let requests = 0;
    let dropped = false;
    const sim = await simulatorFor({
      onRequest: () => {
        requests += 1;
        if (requests === 20 && link && !dropped) {
          dropped = true;
          void link.down().then(() => setTimeout(() => void link?.up(), 10_000));
        }
      },
    });
    link = await startDroppableLink(Number(new URL(sim.url).port));
    onTestFinished(() => link?.close());
    const result = await run(["consolidate", "--input", input, "-o", "out.json", ...apiFlags(link.url)], dir);
    expect(dropped).toBe(true);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(await readFile(path.join(dir, "out.json"), "utf8"));
    expect(out.consolidation_metadata.stats.sources.openalex.papers_failed).toBe(0);
    expect(out.consolidation_metadata.stats.sources.semantic_scholar.papers_failed).toBe(0);
    expect(result.seconds).toBeGreaterThan(9);
  });
});

describe("servers that answer nothing, or refuse the key", () => {
  it("an API that accepts connections but never answers stops the source as unreachable (exit 75), not 5 timeouts per batch", async () => {
    const dir = await testdir();
    const input = await writeInput(dir, 6);
    const hanging = await startTestServer(() => ({ kind: "hang" }));
    onTestFinished(() => hanging.close());
    const result = await run(
      ["consolidate", "--input", input, "-o", "out.json", "--http-timeout", "2", ...apiFlags(hanging.url)],
      dir,
    );
    expect(result.code, result.stderr).toBe(75);
    expect(result.stderr).toContain(`cannot connect to ${new URL(hanging.url).host} (no answer within 2 s)`);
    expect(result.seconds).toBeLessThan(45);
  });

  it("a refused Semantic Scholar key is named with its flag and variable", async () => {
    const dir = await testdir();
    const input = await writeInput(dir, PAPERS);
    const sim = await simulatorFor({ requireKeys: { s2: "the-right-key-42" } });
    const result = await run(
      ["consolidate", "--input", input, "-o", "out.json", ...simFlags(sim), "--ss-api-key", "a-wrong-key-17"],
      dir,
    );
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(
      /Semantic Scholar refused the API key \(HTTP 403[^)]*\): check the key given by --ss-api-key or SEMANTIC_SCHOLAR_API_KEY/,
    );
    expect(result.stderr).not.toContain("a-wrong-key-17");
    expect(result.stderr).not.toMatch(/https?:\/\/\S+paper\/batch/);
  });

  it("a refused key with another source unreachable: both are told at the end, and the key decides the exit (1, not 75)", async () => {
    const dir = await testdir();
    const input = await writeInput(dir, 6);
    const sim = await simulatorFor({ requireKeys: { s2: "the-right-key-42" } });
    const port = await closedPort();
    const result = await run(
      [
        "consolidate",
        "--input",
        input,
        "-o",
        "out.json",
        ...simFlags(sim),
        "--openalex-url",
        `http://127.0.0.1:${port}`,
        "--ss-api-key",
        "a-wrong-key-17",
      ],
      dir,
    );
    expect(result.code, result.stderr).toBe(1);
    // Not only as progress lines ("stopped: …"): each on its own line after the summary.
    const end = result.stderr.slice(result.stderr.lastIndexOf("stopped: "));
    expect(end).toMatch(
      /^Semantic Scholar refused the API key \(HTTP 403[^)]*\): check the key given by --ss-api-key or SEMANTIC_SCHOLAR_API_KEY\.$/m,
    );
    expect(end).toContain(
      `\nOpenAlex: cannot connect to 127.0.0.1:${port} (connection refused: ECONNREFUSED). Check the network or proxy settings`,
    );
    expect(end).toContain("Nothing is lost: once the key is right and the API can be reached, resume with:");
    expect(result.stderr).not.toContain("a-wrong-key-17");
  });
});

describe("proxies from the environment", () => {
  it("sends every request through HTTP_PROXY, shows it under -v with credentials redacted", async () => {
    const dir = await testdir();
    const input = await writeInput(dir, PAPERS);
    const sim = await simulatorFor();
    const proxy = await startForwardProxy();
    onTestFinished(() => proxy.close());
    const withCredentials = proxy.url.replace("http://", "http://alice:s3cret@");
    const result = await run(
      ["consolidate", "--input", input, "-o", "out.json", "-v", ...simFlags(sim)],
      dir,
      {
        HTTP_PROXY: withCredentials,
        NO_PROXY: "",
      },
    );
    expect(result.code, result.stderr).toBe(0);
    // The whole userinfo is redacted: a user name can identify someone, or be a token.
    expect(result.stderr).toContain(`http via http://***@127.0.0.1:${proxy.port}`);
    expect(result.stderr).not.toContain("s3cret");
    expect(result.stderr).not.toContain("alice");
    expect(result.stderr).not.toContain("UNDICI-EHPA");
    expect(sim.requestLog.length).toBeGreaterThan(0);
    // Each request went through the proxy: as a CONNECT tunnel per connection or an absolute URI.
    const simPort = new URL(sim.url).port;
    expect(proxy.requests.length).toBeGreaterThan(0);
    for (const r of proxy.requests) expect(r.target).toContain(`127.0.0.1:${simPort}`);
    // http targets go as absolute-URI requests, as curl sends them (squid refuses CONNECT to port 80).
    expect(proxy.requests.filter((r) => r.method === "CONNECT")).toEqual([]);
    expect(proxy.requests.length).toBe(sim.requestLog.length);
  });

  /** A run against the simulator with HTTP_PROXY (made from the proxy's URL) and NO_PROXY set. */
  async function runThroughProxy(
    proxyValue: (url: string) => string,
    noProxy: string,
    options?: Parameters<typeof startForwardProxy>[0],
  ) {
    const dir = await testdir();
    const input = await writeInput(dir, PAPERS);
    const sim = await simulatorFor();
    const proxy = await startForwardProxy(options);
    onTestFinished(() => proxy.close());
    const result = await run(["consolidate", "--input", input, "-o", "out.json", ...simFlags(sim)], dir, {
      HTTP_PROXY: proxyValue(proxy.url),
      NO_PROXY: noProxy,
    });
    return { result, proxy };
  }

  it("NO_PROXY bypasses the proxy", async () => {
    const { result, proxy } = await runThroughProxy((url) => url, "localhost,127.0.0.1");
    expect(result.code, result.stderr).toBe(0);
    expect(proxy.requests).toEqual([]);
  });

  it("a proxy that refuses CONNECT (squid's default for port 80) still serves http targets", async () => {
    const { result, proxy } = await runThroughProxy((url) => url.replace("http://", ""), "", {
      refuseConnect: true,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(proxy.requests.length).toBeGreaterThan(0);
  });

  it("NO_PROXY reads CIDR ranges and domain suffixes as curl does", async () => {
    const { result, proxy } = await runThroughProxy((url) => url, "example.test 127.0.0.0/8");
    expect(result.code, result.stderr).toBe(0);
    expect(proxy.requests).toEqual([]);
  });

  it("a proxy variable that is no URL is a usage error naming the variable, without its password", async () => {
    const dir = await testdir();
    const input = await writeInput(dir, 3);
    const result = await run(["consolidate", "--input", input, "-o", "out.json"], dir, {
      HTTPS_PROXY: "http://alice:s3cret@[broken",
    });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain("HTTPS_PROXY");
    expect(result.stderr).not.toContain("s3cret");
    expect(result.stderr).not.toMatch(/TypeError|at .*\.js/);
  });

  it("a proxy that refuses connections gets the clear message and exit 75", async () => {
    const dir = await testdir();
    const input = await writeInput(dir, PAPERS);
    const sim = await simulatorFor();
    const port = await closedPort();
    const result = await run(["consolidate", "--input", input, "-o", "out.json", ...simFlags(sim)], dir, {
      HTTP_PROXY: `http://127.0.0.1:${port}`,
      NO_PROXY: "",
    });
    expect(result.code, result.stderr).toBe(75);
    expect(result.stderr).toContain(
      `cannot connect to 127.0.0.1:${port} (proxy connection refused: ECONNREFUSED)`,
    );
    expect(sim.requestLog).toEqual([]);
  });
});

describe("Ctrl-C keeps its promise", () => {
  it("at the keyless Semantic Scholar rate a SIGINT exits 130 within 6 s", async () => {
    const dir = await testdir();
    const input = await writeInput(dir, PAPERS);
    const sim = await simulatorFor();
    const args = ["consolidate", "--input", input, "-o", "out.json", ...simFlags(sim), "--s2-rps", "0.05"];
    const child = spawnCli(args, { cwd: dir });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const signalled = Date.now();
    child.child.kill("SIGINT");
    const exit = await child.exited;
    expect(exit.code, child.stderr()).toBe(130);
    expect((Date.now() - signalled) / 1000).toBeLessThan(6);
  });
});

describe("nothing holds the exit (a proxy or a server that never answers)", () => {
  /** Spawn, and time the exit from `from` (the signal, or when the last line was printed). */
  async function timedExit(args: string[], dir: string, env: Record<string, string>, signalAfterMs?: number) {
    const child = spawnCli(args, { cwd: dir, env });
    let lastOutput = Date.now();
    child.child.stderr?.on("data", () => {
      lastOutput = Date.now();
    });
    let signalled: number | undefined;
    if (signalAfterMs !== undefined) {
      setTimeout(() => {
        signalled = Date.now();
        child.child.kill("SIGINT");
      }, signalAfterMs);
    }
    const exit = await child.exited;
    const end = Date.now();
    return {
      exit,
      stderr: child.stderr(),
      sinceSignal: signalled && (end - signalled) / 1000,
      sinceOutput: (end - lastOutput) / 1000,
    };
  }

  it("a run through a proxy that never answers exits as soon as it has said so (not minutes later)", async () => {
    const dir = await testdir();
    const input = await writeInput(dir, 6);
    const silent = await startSilentServer();
    onTestFinished(() => silent.close());
    const sim = await simulatorFor();
    const result = await timedExit(
      ["consolidate", "--input", input, "-o", "out.json", "--http-timeout", "1", ...simFlags(sim)],
      dir,
      { HTTP_PROXY: silent.url, NO_PROXY: "" },
    );
    expect(result.exit.code, result.stderr).toBe(75);
    expect(result.stderr).toContain("Nothing is lost");
    expect(result.stderr).not.toContain("UNDICI-EHPA");
    expect(result.sinceOutput).toBeLessThan(3);
  });

  it("Ctrl-C with a request stuck at a silent proxy exits 130 within 7 s", async () => {
    const dir = await testdir();
    const input = await writeInput(dir, 6);
    const silent = await startSilentServer();
    onTestFinished(() => silent.close());
    const sim = await simulatorFor();
    const result = await timedExit(
      ["consolidate", "--input", input, "-o", "out.json", ...simFlags(sim)],
      dir,
      { HTTP_PROXY: silent.url, NO_PROXY: "" },
      1500,
    );
    expect(result.exit.code, result.stderr).toBe(130);
    expect(result.sinceSignal).toBeLessThan(7);
  });

  it("Ctrl-C during a TLS handshake that never completes exits 130 within 7 s", async () => {
    const dir = await testdir();
    const input = await writeInput(dir, 6);
    const silent = await startSilentServer();
    onTestFinished(() => silent.close());
    const base = `https://127.0.0.1:${silent.port}`;
    const result = await timedExit(
      ["consolidate", "--input", input, "-o", "out.json", ...apiFlags(base)],
      dir,
      {},
      1500,
    );
    expect(result.exit.code, result.stderr).toBe(130);
    expect(result.sinceSignal).toBeLessThan(7);
  });
});
