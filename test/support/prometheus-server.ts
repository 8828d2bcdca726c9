// A real Prometheus (Debian's package) scraping a local Worker's /_keystone/metrics with the read
// token, the alert rules loaded, and its HTTP API for queries.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { closedPort } from "../../scripts/origin-server.ts";
import { PROJECT_ROOT, stopProcessGroup } from "../../scripts/stack.ts";

export const ALERT_RULES = join(PROJECT_ROOT, "dashboards/keystone-alerts.yaml");

export interface Series {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

export interface Prometheus {
  url: string;
  query(expr: string, time?: number): Promise<Series[]>;
  queryRange(expr: string, start: number, end: number, stepSeconds: number): Promise<Series[]>;
  alerts(): Promise<{ labels: Record<string, string>; state: string }[]>;
  stop(): Promise<void>;
}

export async function startPrometheus(
  dir: string,
  workerUrl: string,
  readToken: string,
  /** Other hosts (host:port) scraped at /metrics: an application's own exporter. */
  appTargets: string[] = [],
): Promise<Prometheus> {
  mkdirSync(join(dir, "data"), { recursive: true });
  const tokenFile = join(dir, "read-token");
  writeFileSync(tokenFile, readToken, { mode: 0o600 });
  const config = {
    global: { scrape_interval: "1s", scrape_timeout: "1s", evaluation_interval: "1s" },
    rule_files: [ALERT_RULES],
    scrape_configs: [
      {
        job_name: "keystone",
        metrics_path: "/_keystone/metrics",
        authorization: { type: "Bearer", credentials_file: tokenFile },
        static_configs: [{ targets: [new URL(workerUrl).host] }],
      },
      ...(appTargets.length > 0
        ? [{ job_name: "app", static_configs: [{ targets: appTargets }] }]
        : []),
    ],
  };
  const configFile = join(dir, "prometheus.yml");
  writeFileSync(configFile, stringify(config));
  const port = await closedPort();
  const child: ChildProcess = spawn(
    "prometheus",
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    { detached: true, stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited: ${log}`);
    const ready = await fetch(`${url}/-/ready`).catch(() => undefined);
    if (ready?.ok) break;
    if (Date.now() > deadline) throw new Error(`prometheus did not get ready: ${log}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }

  async function api<T>(path: string, params: Record<string, string>): Promise<T> {
    const response = await fetch(`${url}/api/v1/${path}?${new URLSearchParams(params)}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== "success")
      throw new Error(`${path} ${JSON.stringify(params)}: ${body.error}`);
    return body.data;
  }
  return {
    url,
    query: async (expr, time = Date.now()) =>
      (await api<{ result: Series[] }>("query", { query: expr, time: String(time / 1000) })).result,
    queryRange: async (expr, start, end, step) =>
      (
        await api<{ result: Series[] }>("query_range", {
          query: expr,
          start: String(start / 1000),
          end: String(end / 1000),
          step: String(step),
        })
      ).result,
    alerts: async () =>
      (await api<{ alerts: { labels: Record<string, string>; state: string }[] }>("alerts", {}))
        .alerts,
    stop: () => stopProcessGroup(child),
  };
}
