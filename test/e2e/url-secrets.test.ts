import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { filesContaining, onlySession } from "../helpers/faults/http-runs.js";
import { type Script, startTestServer, type TestServer } from "../helpers/http/http-server.js";
import { doiInputPapers } from "../helpers/papers.js";
import { runCli } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

/** Base-URL secrets and base-URL validation, through the built binary (batch identity: the http-faults suite). */

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const PASSWORD = "gw-PASS-31415";
const OA_KEY = "oa-KEY-27182";
const S2_KEY = "s2-KEY-16180";
const BASIC = Buffer.from(`gateway:${PASSWORD}`).toString("base64");

async function inputIn(dir: string, n: number): Promise<string> {
  const file = path.join(dir, "in.json");
  const { writeFile } = await import("node:fs/promises");
  await writeFile(file, JSON.stringify(doiInputPapers(n)));
  return file;
}

async function start(script: Script): Promise<TestServer> {
  server = await startTestServer(script);
  return server;
}

const run = (dir: string, args: string[], env: Record<string, string> = {}) =>
  runCli(["consolidate", "--input", "in.json", "--output", "out.json", "--no-progress", ...args], {
    cwd: dir,
    env,
  });

describe("base URLs: credentials and keys never reach stdout, stderr or files", () => {
  it("user:password@ base URLs: sent as Basic auth; a server echoing every secret leaks none", async () => {
    const dir = await testdir("cf-secrets-");
    await inputIn(dir, 3);
    // Every answer is a permanent 400 that repeats the password, the authorization and the keys.
    const srv = await start((req) => ({
      status: 400,
      body: {
        error: `rejected ${req.url} auth=${String(req.headers.authorization)} pw=${PASSWORD} key=${String(req.headers["x-api-key"])} ${OA_KEY}`,
      },
    }));
    const at = srv.url.replace("http://", `http://gateway:${PASSWORD}@`);
    const result = await run(dir, [
      "-vv",
      "--openalex-url",
      `${at}/oa`,
      "--s2-url",
      `${at}/s2`,
      "--openalex-api-key",
      OA_KEY,
      "--ss-api-key",
      S2_KEY,
      "--openalex-rps",
      "100",
      "--s2-rps",
      "100",
    ]);
    expect(result.code, result.stderr).toBe(1);
    expect(srv.requests.length).toBeGreaterThan(0);
    expect(srv.requests.every((r) => r.headers.authorization === `Basic ${BASIC}`)).toBe(true);
    expect(result.stdout).toMatch(/HTTP 400 rejected/);
    const output = `${result.stdout}\n${result.stderr}`;
    for (const secret of [PASSWORD, BASIC, OA_KEY, S2_KEY]) {
      expect(output, secret).not.toContain(secret);
      expect(await filesContaining(dir, secret), secret).toEqual([]);
    }
    const session = await onlySession(dir);
    const { options } = JSON.parse(await readFile(path.join(session.dir, "session.json"), "utf8"));
    expect(options.openalex_url).toBe(`${srv.url.replace("http://", "http://***@")}/oa`);
    expect(options.s2_url).toBe(`${srv.url.replace("http://", "http://***@")}/s2`);
  });

  it("a base URL with a query (a key in it) is refused at start, naming the flag and not the key", async () => {
    const dir = await testdir("cf-secrets-");
    await inputIn(dir, 1);
    const result = await run(dir, ["--openalex-url", "http://127.0.0.1:9/?api_key=QKEY-SECRET-1"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "--openalex-url: must not contain a query string (?…): request paths are appended to the base URL",
    );
    expect(`${result.stdout}${result.stderr}`).not.toContain("QKEY-SECRET-1");
    expect(await filesContaining(dir, "QKEY-SECRET-1")).toEqual([]);
  });

  it("CF_S2_URL with a query is refused too and named", async () => {
    const dir = await testdir("cf-secrets-");
    await inputIn(dir, 1);
    const result = await run(dir, ["--openalex-url", "http://127.0.0.1:9"], {
      CF_S2_URL: "http://127.0.0.1:9/graph/v1?key=QKEY-SECRET-2",
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /--s2-url: must not contain a query string .*\(the value comes from CF_S2_URL\)/,
    );
    expect(`${result.stdout}${result.stderr}`).not.toContain("QKEY-SECRET-2");
  });
});
