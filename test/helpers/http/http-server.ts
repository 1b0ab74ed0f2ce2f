import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";

/** One scripted answer of the fake server. */
export type Step =
  | { kind?: "respond"; status?: number; headers?: Record<string, string>; body?: unknown; delayMs?: number }
  /** Destroy the socket without answering (connection reset). */
  | { kind: "reset" }
  /** Send headers declaring `declaredLength` bytes, send only `body`, then destroy the socket. */
  | {
      kind: "truncate";
      status?: number;
      headers?: Record<string, string>;
      body: string;
      declaredLength: number;
    }
  /** Never answer; the client has to time out. */
  | { kind: "hang" }
  /** Send the headers and the start of a body, then nothing more (the body stalls). */
  | { kind: "stall" }
  /** A 200 whose JSON body never ends: `[0,0,0,…` until the client hangs up. */
  | { kind: "endless" };

/** A request as the server saw it; `at` is performance.now() on arrival. */
export interface RecordedRequest {
  index: number;
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
  at: number;
}

/** A running fake server; `url` is its base URL without a trailing slash. */
export interface TestServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** A script: one step per request in order (an unscripted request gets 418), or a function of the request. */
export type Script = readonly Step[] | ((request: RecordedRequest) => Step | Promise<Step>);

/** Start a loopback HTTP server on 127.0.0.1, port 0, that answers per `script` and logs every request. */
export async function startTestServer(script: Script): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const at = performance.now();
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request: RecordedRequest = {
        index: requests.length,
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        at,
      };
      requests.push(request);
      const step =
        typeof script === "function"
          ? script(request)
          : (script[request.index] ?? { status: 418, body: { error: "unscripted request" } });
      void Promise.resolve(step).then((s) => play(s, req, res));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function play(step: Step, req: IncomingMessage, res: ServerResponse): Promise<void> {
  switch (step.kind) {
    case "reset":
      req.socket.destroy();
      return;
    case "hang":
      return;
    case "stall":
      res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
      res.write('{"resu');
      return;
    case "endless": {
      const chunk = Buffer.from("0,".repeat(32 * 1024));
      res.writeHead(200, { "content-type": "application/json" });
      res.write("[");
      const pump = () => {
        while (res.write(chunk)) {
          if (res.destroyed) return;
        }
        if (!res.destroyed) res.once("drain", pump);
      };
      res.on("close", () => res.removeAllListeners("drain"));
      pump();
      return;
    }
    case "truncate":
      res.writeHead(step.status ?? 200, {
        "content-type": "application/json",
        ...step.headers,
        "content-length": String(step.declaredLength),
      });
      res.write(step.body, () => setTimeout(() => req.socket.destroy(), 20));
      return;
    default: {
      if (step.delayMs) await new Promise((resolve) => setTimeout(resolve, step.delayMs));
      const isText = typeof step.body === "string";
      const text = step.body === undefined ? "" : isText ? (step.body as string) : JSON.stringify(step.body);
      const type = isText ? "text/plain; charset=utf-8" : "application/json";
      res.writeHead(step.status ?? 200, { "content-type": type, ...step.headers });
      res.end(text);
    }
  }
}

/** A server whose every answer is a 200 with a JSON body that never ends (`[0,0,0,…`) until the client hangs up. */
export function startEndlessServer(): Promise<TestServer> {
  return startTestServer(() => ({ kind: "endless" }));
}
