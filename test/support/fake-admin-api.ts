// A stand-in admin API for in-process CLI tests: answers chosen routes with chosen bodies and
// records every request, so a test can check what the CLI sent and how it maps each answer.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach } from "vitest";

export interface Answer {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Close the connection instead of answering (a Worker restarting under the request). */
  reset?: boolean;
}

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FakeAdminApi {
  url: string;
  /** Routes as "METHOD /path" under /_keystone/v1; unmatched routes answer 404 not_found. */
  answers: Map<string, Answer | (() => Answer)>;
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** The admin API's error envelope. */
export function apiError(status: number, code: string, message: string): Answer {
  return { status, body: { error: { code, message } } };
}

export async function startFakeAdminApi(): Promise<FakeAdminApi> {
  const answers = new Map<string, Answer | (() => Answer)>();
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = (req.url ?? "/").replace(/^\/_keystone\/v1/, "");
      const method = req.method ?? "GET";
      seen.push({ method, path, headers: req.headers, body: Buffer.concat(chunks).toString() });
      const found = answers.get(`${method} ${path}`);
      const answer =
        (typeof found === "function" ? found() : found) ??
        apiError(404, "not_found", `no ${method} ${path}`);
      if (answer.reset) {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status ?? 200, {
        "content-type": "application/json",
        ...answer.headers,
      });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    answers,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A stand-in admin API for one test file: emptied before each test, closed after the last. */
export function useFakeAdminApi(): { readonly api: FakeAdminApi } {
  const holder = {} as { api: FakeAdminApi };
  beforeAll(async () => {
    holder.api = await startFakeAdminApi();
  });
  afterAll(() => holder.api.close());
  beforeEach(() => {
    holder.api.answers.clear();
    holder.api.seen.length = 0;
  });
  return holder;
}
