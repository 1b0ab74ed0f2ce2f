import type { IncomingMessage, ServerResponse } from "node:http";
import type { Reply } from "./reply.js";

/** The OpenAlex key as the edge proxy reads it: `api_key`/`api-key` parameter or header, or a Bearer token. */
export function openAlexKey(req: IncomingMessage, params: URLSearchParams): string | undefined {
  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const bearer = /^Bearer\s+(.+)$/i.exec(header("authorization") ?? "")?.[1];
  return params.get("api_key") ?? params.get("api-key") ?? header("api_key") ?? header("api-key") ?? bearer;
}

/** Write a whole reply with its Content-Length. */
export function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed) return;
  const bytes = Buffer.from(reply.body);
  res.writeHead(reply.status, { ...reply.headers, "content-length": String(bytes.length) });
  res.end(bytes);
}

/** Promise more bytes than sent, send half the body, then drop the connection. */
export function truncate(res: ServerResponse, reply: Reply): void {
  if (res.destroyed) return;
  const bytes = Buffer.from(reply.body);
  res.writeHead(reply.status, { ...reply.headers, "content-length": String(bytes.length + 64) });
  res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.socket?.destroy());
}

/** The request body as UTF-8 text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Percent-decoded path, or the path as is when it does not decode. */
export function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
