// A real HTTP origin for tests, demos and benchmarks: echoes what it received, and can answer
// with any status, redirect, stream, stall, reset mid-body, or fail a share of requests.
import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";

export interface OriginBehaviour {
  /** Share of requests (0..1) answered with 500. */
  errorRate?: number;
  /**
   * True: that share is counted per x-forwarded-host (the service a proxy sent the request for),
   * not over every request: services sharing this origin each get exactly their share, whatever
   * the others send meanwhile (test files running at the same time).
   */
  errorsPerHost?: boolean;
  /** Delay before answering, in ms. */
  latencyMs?: number;
  /**
   * Relay mode: every request (except /__*) makes a call of its own to this URL with the headers
   * it got, as a backend calling another service would (no cookies, no hop-by-hop headers), and
   * answers with what that call returned (see relay()).
   */
  relayTo?: string;
  /** Fields that override the JSON item `/items/<id>` answers (a candidate that changed one). */
  itemFields?: Record<string, unknown>;
  /**
   * False: a request with a body is never read nor answered (until the server closes), as an
   * origin stuck before its upload handler would be.
   */
  readsBodies?: boolean;
}

export interface OriginServer {
  name: string;
  port: number;
  url: string;
  /** Requests received so far, by path. */
  hits: Map<string, number>;
  totalHits(): number;
  behaviour: OriginBehaviour;
  close(): Promise<void>;
}

export async function startOrigin(
  name: string,
  behaviour: OriginBehaviour = {},
  port = 0,
): Promise<OriginServer> {
  const hits = new Map<string, number>();
  const last = new Map<
    string,
    { method: string; headers: IncomingMessage["headers"]; body: string }
  >();
  const releases: (() => void)[] = [];
  const errorTickers = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    // Parsed against a base only for the query: a path like //x/y must stay a path, not become
    // the host "x" (the echo shows exactly what Keystone forwarded).
    const raw = req.url ?? "/";
    const url = new URL(`http://origin${raw.startsWith("/") ? raw : `/${raw}`}`);
    if (!url.pathname.startsWith("/__")) hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    const context = {
      name,
      hits,
      last,
      releases,
      fail: shouldFail(req),
      itemFields: origin.behaviour.itemFields ?? {},
    };
    if (origin.behaviour.readsBodies === false && hasBody(req)) {
      req.pause();
      releases.push(() => req.socket.destroy());
      return;
    }
    const relayTo = origin.behaviour.relayTo;
    const answer = () =>
      (relayTo && !url.pathname.startsWith("/__")
        ? relay(req, res, relayTo, name)
        : respond(req, res, url, context)
      ).catch((error) => {
        console.error(`origin ${name}: ${req.method} ${url.pathname} failed: ${String(error)}`);
        res.destroy();
      });
    const delay = Number(url.searchParams.get("delay") ?? origin.behaviour.latencyMs ?? 0);
    if (delay > 0) setTimeout(answer, delay);
    else void answer();
  });
  // Deterministic failure share in integer per-mille steps, so any run of 1/rate requests holds
  // exactly one failure (no random clumps, no float drift).
  function shouldFail(req: IncomingMessage): boolean {
    const perMille = Math.round((origin.behaviour.errorRate ?? 0) * 1000);
    if (perMille <= 0) return false;
    const key = origin.behaviour.errorsPerHost ? String(req.headers["x-forwarded-host"] ?? "") : "";
    const ticker = (errorTickers.get(key) ?? 0) + perMille;
    errorTickers.set(key, ticker >= 1000 ? ticker - 1000 : ticker);
    return ticker >= 1000;
  }
  server.on("upgrade", (req, socket) => greetOverWebSocket(req, socket, name));
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const actual = (server.address() as AddressInfo).port;
  const origin: OriginServer = {
    name,
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    hits,
    totalHits: () => [...hits.values()].reduce((a, b) => a + b, 0),
    behaviour,
    close: () =>
      new Promise((resolve) => {
        for (const release of releases.splice(0)) release();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return origin;
}

interface Context {
  name: string;
  hits: Map<string, number>;
  /** The last request to each path (webhook and gate tests read it back through /__last). */
  last: Map<string, { method: string; headers: IncomingMessage["headers"]; body: string }>;
  releases: (() => void)[];
  fail: boolean;
  itemFields: Record<string, unknown>;
}

async function respond(req: IncomingMessage, res: ServerResponse, url: URL, ctx: Context) {
  const path = url.pathname;
  if (path === "/__hits") return json(res, 200, Object.fromEntries(ctx.hits));
  if (path === "/__last")
    return json(res, 200, ctx.last.get(url.searchParams.get("path") ?? "") ?? null);
  if (ctx.fail) return text(res, 500, `${ctx.name}: injected failure\n`);
  const status = /^\/status\/(\d{3})$/.exec(path);
  if (status) {
    const code = Number(status[1]);
    res.writeHead(code, { "x-origin": ctx.name });
    return res.end(code === 204 || code === 304 ? undefined : `${ctx.name}: status ${code}\n`);
  }
  if (path === "/switch-protocols") {
    // A broken origin: 101 on a request that asked for no upgrade, then nothing.
    const socket = req.socket;
    socket.write(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
    );
    setTimeout(() => socket.destroy(), 200);
    return;
  }
  if (path === "/redirect") {
    res.writeHead(302, { location: "/elsewhere", "x-origin": ctx.name });
    return res.end();
  }
  if (path === "/stream") {
    // Sends one chunk, then holds the rest until /release: proves the proxy streams.
    res.writeHead(200, { "content-type": "text/plain", "x-origin": ctx.name });
    res.write("first chunk\n");
    await new Promise<void>((resolve) => ctx.releases.push(resolve));
    return res.end("second chunk\n");
  }
  if (path === "/release") {
    const waiting = ctx.releases.splice(0);
    for (const release of waiting) release();
    return text(res, 200, `released ${waiting.length}\n`);
  }
  if (path === "/health") return text(res, 200, "ok\n");
  const item = /^\/items\/([^/]+)$/.exec(path);
  if (item) {
    // The same document from every origin but for its time and request id (fields a mirror
    // comparison should ignore), unless itemFields changes some.
    const id = item[1]!;
    ctx.last.set(path, { method: req.method ?? "GET", headers: req.headers, body: "" });
    const document = { id, name: `item ${id}`, price: 10, updatedAt: new Date().toISOString() };
    return json(res, 200, { ...document, requestId: randomUUID(), ...ctx.itemFields });
  }
  if (path.endsWith("/reset-mid-body")) {
    // Promises 1 KiB, sends half, then drops the connection: a crash in the middle of a response.
    res.writeHead(200, {
      "content-type": "text/plain",
      "content-length": "1024",
      "x-origin": ctx.name,
    });
    res.write("x".repeat(512));
    setTimeout(() => res.socket?.destroy(), 20);
    return;
  }
  const body = await readBody(req);
  ctx.last.set(path, {
    method: req.method ?? "GET",
    headers: req.headers,
    body: body.toString("utf8"),
  });
  return json(res, 200, {
    origin: ctx.name,
    method: req.method,
    path,
    query: url.search,
    headers: req.headers,
    bodyLength: body.length,
    bodySha256: createHash("sha256").update(body).digest("hex"),
  });
}

/** Headers a backend does not pass on its own call: the browser's cookies and per-hop ones. */
const NOT_RELAYED = new Set([
  "host",
  "cookie",
  "connection",
  "keep-alive",
  "content-length",
  "transfer-encoding",
]);

/** Calls `target` with the headers this origin got; answers `{origin, relayed: {status, version, body}}`. */
async function relay(req: IncomingMessage, res: ServerResponse, target: string, name: string) {
  await readBody(req);
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value === undefined || NOT_RELAYED.has(key)) continue;
    headers.set(key, Array.isArray(value) ? value.join(", ") : value);
  }
  const response = await fetch(target, { headers });
  const body = await response.text();
  return json(res, 200, {
    origin: name,
    relayed: {
      status: response.status,
      version: response.headers.get("x-keystone-version"),
      body,
    },
  });
}

function hasBody(req: IncomingMessage): boolean {
  return (
    Number(req.headers["content-length"] ?? 0) > 0 || req.headers["transfer-encoding"] !== undefined
  );
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function json(res: ServerResponse, status: number, value: unknown) {
  res.writeHead(status, {
    "content-type": "application/json",
    "x-origin": String((value as { origin?: string } | null)?.origin ?? ""),
  });
  res.end(JSON.stringify(value));
}

function text(res: ServerResponse, status: number, body: string) {
  res.writeHead(status, { "content-type": "text/plain" });
  res.end(body);
}

/** A port on 127.0.0.1 with nothing listening: connections to it are refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A WebSocket handshake, then one text frame naming the origin: enough to prove a 101 got through. */
function greetOverWebSocket(req: IncomingMessage, socket: Duplex, name: string): void {
  const key = req.headers["sec-websocket-key"];
  if (typeof key !== "string") {
    socket.end("HTTP/1.1 400 Bad Request\r\n\r\n");
    return;
  }
  const accept = createHash("sha1")
    .update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
    .digest("base64");
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  const payload = Buffer.from(`hello from ${name}`);
  socket.write(Buffer.concat([Buffer.from([0x81, payload.length]), payload]));
  socket.on("error", () => socket.destroy());
}
