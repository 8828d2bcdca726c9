// vitest globalSetup for the workerd tests: one local HTTP server answering as metric providers
// do, following their documented request and response shapes: the Prometheus HTTP API's instant
// query (GET /api/v1/query), the Datadog metrics query API (GET /datadog/api/v1/query with
// DD-API-KEY and DD-APPLICATION-KEY; Datadog itself cannot be reached from here), and JSON
// documents at any /web/ path. Tests set the values with POST /__values, keyed by the query as
// sent (the web path for documents); a query with no value answers as an empty result (no data).
// Also: a redirect, an answer too large, one that never comes (or stops mid-body, or is reset
// mid-body), and one that fails twice first.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    metricProvider: string;
  }
}

export const PROMETHEUS_TOKEN = "test-prom-token";
export const DATADOG_KEYS = { api: "test-dd-api", app: "test-dd-app" };

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of req) text += chunk;
  return text;
}

export function startMetricProvider() {
  const values = new Map<string, unknown>();
  const hits = new Map<string, number>();
  const stalled = new Set<ServerResponse>();
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://provider");
    const path = url.pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (req.method === "POST" && path === "/__values") {
      for (const [key, value] of Object.entries(JSON.parse(await bodyOf(req))))
        values.set(key, value);
      return json(res, 200, { ok: true });
    }
    if (path === "/__hits") return json(res, 200, Object.fromEntries(hits));
    // A gateway in front of a provider that refuses a request quoting it whole, its query too
    // (where a key given as ?token= is), in Prometheus's error shape and Datadog's.
    if (path.startsWith("/echo"))
      return json(res, 400, {
        status: "error",
        errorType: "bad_data",
        error: `bad request for ${req.url}`,
        ...(path.includes("/datadog") ? { errors: [`bad request for ${req.url}`] } : {}),
      });
    // A refusal whose words run to 900 KB (a provider quoting a huge query or a stack trace back),
    // and an answer of 150,000 series: each under the 1 MiB Keystone reads.
    if (path.startsWith("/verbose"))
      return json(res, 400, { status: "error", errorType: "bad_data", error: "e".repeat(900_000) });
    if (path.startsWith("/crowded"))
      return json(res, 200, { v: Array.from({ length: 150_000 }, () => 0) });
    // An error nested 300,000 lists deep (600 KB): JSON.parse reads it, String() of it overflows
    // the stack.
    if (path.startsWith("/nested")) {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(`{"status":"error","error":${"[".repeat(300_000)}1${"]".repeat(300_000)}}`);
    }
    if (path.endsWith("/api/v1/query") && !path.startsWith("/datadog")) {
      if (path.startsWith("/secured") && req.headers.authorization !== `Bearer ${PROMETHEUS_TOKEN}`)
        return json(res, 401, { status: "error", errorType: "unauthorized", error: "bad token" });
      const query = url.searchParams.get("query");
      if (!query || !url.searchParams.get("time"))
        return json(res, 400, {
          status: "error",
          errorType: "bad_data",
          error: "query and time needed",
        });
      if (query.includes("syntax error"))
        return json(res, 400, {
          status: "error",
          errorType: "bad_data",
          error: `1:1: parse error: unexpected identifier in ${query}`,
        });
      const time = Number(url.searchParams.get("time"));
      const found = (values.get(query) as number[] | undefined) ?? [];
      return json(res, 200, {
        status: "success",
        data: {
          resultType: "vector",
          result: found.map((value, i) => ({
            metric: { series: String(i) },
            value: [time, String(value)],
          })),
        },
      });
    }
    if (path === "/datadog/api/v1/query") {
      const api = req.headers["dd-api-key"];
      const app = req.headers["dd-application-key"];
      // Echoes what it was sent, as some services do, also in forms no exact masking catches (a
      // prefix, base64): Keystone must keep keys out of its messages.
      if (api !== DATADOG_KEYS.api || app !== DATADOG_KEYS.app) {
        const key = String(api);
        const forms = `${key.slice(0, 8)}…, ${Buffer.from(key).toString("base64")}`;
        return json(res, 403, { errors: [`Forbidden: API key ${key} (${forms}) is not valid`] });
      }
      const [from, to, query] = ["from", "to", "query"].map((k) => url.searchParams.get(k));
      // A refusal of the query (not of the keys) that quotes the key it came with.
      if (query?.startsWith("echo-key"))
        return json(res, 400, { errors: [`query refused for API key ${String(api)}`] });
      if (!from || !to || !query || !/^\d+$/.test(from) || !/^\d+$/.test(to))
        return json(res, 400, { errors: ["from, to (epoch seconds) and query are required"] });
      const found = (values.get(query) as number[] | undefined) ?? [];
      return json(res, 200, {
        status: "ok",
        res_type: "time_series",
        from_date: Number(from) * 1000,
        to_date: Number(to) * 1000,
        query,
        series: found.map((value, i) => ({
          metric: "app.errors",
          scope: `series:${i}`,
          expression: query,
          pointlist: [
            [Number(from) * 1000, 0],
            [Number(to) * 1000, value],
            [Number(to) * 1000 + 1, null],
          ],
          length: 3,
        })),
      });
    }
    if (path === "/redirect") {
      res.writeHead(302, { location: "/web/elsewhere" });
      return res.end();
    }
    if (path === "/huge") {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ value: 1, padding: "x".repeat(2 * 1_048_576) }));
    }
    if (path === "/stall") {
      stalled.add(res);
      return;
    }
    // Headers and the start of a JSON body, then nothing more: a provider stalled mid-answer.
    if (path === "/stall-body") {
      stalled.add(res);
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"value": ');
      return;
    }
    // Headers and part of the body promised, then the connection reset.
    if (path === "/reset-body") {
      res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
      res.write('{"value": ');
      setTimeout(() => res.destroy(), 50);
      return;
    }
    if (path.startsWith("/flaky/") && (hits.get(path) ?? 0) <= 2)
      return json(res, 503, { error: "warming up" });
    if (path.startsWith("/web/") || path.startsWith("/flaky/")) {
      const key = `${path}${url.search}`;
      return values.has(key) ? json(res, 200, values.get(key)) : json(res, 404, { error: "none" });
    }
    json(res, 404, { error: `nothing at ${path}` });
  });
  return {
    server,
    async listen(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    async close() {
      for (const res of stalled) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export default async function setup(project: TestProject) {
  const provider = startMetricProvider();
  project.provide("metricProvider", await provider.listen());
  return () => provider.close();
}
