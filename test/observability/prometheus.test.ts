// A real Prometheus scrapes the local stack while a canary is promoted and a faulty one rolled
// back: every query of the Grafana dashboard returns series for both versions, rate() matches
// the requests sent, the alert rules load and fire, and promtool passes the rules and their tests.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { DASHBOARD_PATH } from "../../dashboards/src/build.ts";
import { type OriginServer, startOrigin } from "../../scripts/origin-server.ts";
import { PROJECT_ROOT } from "../../scripts/stack.ts";
import { type E2eStack, startE2eStack } from "../support/e2e-stack.ts";
import { driveRollout, localCanaryConfig, paced, tally } from "../support/local-traffic.ts";
import {
  ALERT_RULES,
  type Prometheus,
  type Series,
  startPrometheus,
} from "../support/prometheus-server.ts";

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let stack: E2eStack;
let faulty: OriginServer;
let prometheus: Prometheus;
let startedAt: number;
const sentBy = new Map<string, number>();

const shop = () =>
  localCanaryConfig(
    "shop",
    { stable: stack.origins.stable.url, canary: stack.origins.canary.url },
    {
      releases: ["v1", "v2"],
      split: { stable: 80, canary: 20 },
      steps: [
        { weight: 20, bake: "2s" },
        { weight: 60, bake: "2s" },
      ],
      analysis: { minRequests: 10, maxErrorRatePercent: 5, maxP95Ms: 2000, failureLimit: 0 },
    },
  );

beforeAll(async () => {
  // A Worker of its own: test:observability runs without the e2e project's shared one.
  stack = await startE2eStack();
  faulty = await startOrigin("faulty", { errorRate: 0.3 });
  prometheus = await startPrometheus(
    join(stack.dir, "prometheus"),
    stack.url,
    stack.secrets.READ_TOKEN,
  );
  startedAt = Date.now();
  const applied = await stack.cli(["apply", "-f", stack.writeFile("shop.yaml", stringify(shop()))]);
  expect(applied.code, applied.stderr).toBe(0);
  await sleep(3_000); // a few scrapes of the new service's counters at 0
}, 240_000);

afterAll(async () => {
  await prometheus?.stop();
  await faulty?.close();
  await stack?.stop();
});

describe("a real Prometheus scraping /_keystone/metrics", () => {
  it("rate() of the request counter matches the requests sent, within 5 %", async () => {
    const log = await paced(stack.url, 25, 30);
    for (const { version } of log) tally(sentBy, new Map([[version, 1]]));
    await sleep(3_000);
    // A 20-second window well inside the 30 steady seconds; the sender's own clock says how many
    // answers arrived in it (the pace is steady, so a second of scrape lag changes nothing).
    const end = log[0]!.at + 25_000;
    const sentInWindow = log.filter((s) => s.at > end - 20_000 && s.at <= end).length;
    const [series] = await prometheus.query(
      'sum(rate(keystone_requests_total{service="shop"}[20s]))',
      end,
    );
    const measured = Number(series?.value?.[1]);
    const expected = sentInWindow / 20;
    console.info(`rate(): ${measured.toFixed(2)}/s measured, ${expected.toFixed(2)}/s sent`);
    expect(Math.abs(measured - expected) / expected).toBeLessThan(0.05);
  });

  it("follows a canary promoted and a faulty one rolled back", async () => {
    const started = await stack.cli(["rollout", "start", "shop", "--release", "v2"]);
    expect(started.code, started.stderr).toBe(0);
    const healthy = await driveRollout(stack.url, stack.secrets.ADMIN_TOKEN, "shop");
    tally(sentBy, healthy.seen);
    expect(healthy.phase).toBe("promoted");
    const faultyStart = await stack.cli([
      "rollout",
      "start",
      "shop",
      "--origin",
      faulty.url,
      "--release",
      "v3",
    ]);
    expect(faultyStart.code, faultyStart.stderr).toBe(0);
    const broken = await driveRollout(stack.url, stack.secrets.ADMIN_TOKEN, "shop");
    tally(sentBy, broken.seen);
    expect(broken.phase).toBe("rolledBack");
    await sleep(3_000);

    const deployments = await prometheus.query('keystone_deployments_total{service="shop"}');
    expect(
      Object.fromEntries(deployments.map((s) => [s.metric.outcome, Number(s.value![1])])),
    ).toEqual({
      promoted: 1,
      rolledBack: 1,
      aborted: 0,
    });
    const phase = await prometheus.query('keystone_rollout_phase{service="shop"} == 1');
    expect(phase.map((s) => s.metric.phase)).toEqual(["rolledBack"]);
  });

  it("fires KeystoneRolloutRolledBack from the loaded rules", async () => {
    let firing: string[] = [];
    for (let i = 0; i < 30 && !firing.includes("KeystoneRolloutRolledBack"); i++) {
      firing = (await prometheus.alerts())
        .filter((a) => a.state === "firing")
        .map((a) => a.labels.alertname!);
      await sleep(500);
    }
    expect(firing).toContain("KeystoneRolloutRolledBack");
  });

  it("every query of the Grafana dashboard returns series, for both versions where it is per version", async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD_PATH, "utf8")) as {
      panels: { title: string; targets: { expr: string; legendFormat: string }[] }[];
      annotations: { list: { name: string; expr: string }[] };
    };
    const queries = [
      ...dashboard.panels.flatMap((p) => p.targets.map((t) => ({ what: p.title, ...t }))),
      ...dashboard.annotations.list.map((a) => ({
        what: `annotation ${a.name}`,
        expr: a.expr,
        legendFormat: "",
      })),
    ];
    const end = Date.now();
    const range = `${Math.ceil((end - startedAt) / 1000)}s`;
    for (const { what, expr, legendFormat } of queries) {
      const promql = expr
        .replaceAll("$service", "shop")
        .replaceAll("$__rate_interval", "10s")
        .replaceAll("$__range", range);
      const result: Series[] = await prometheus.queryRange(promql, startedAt, end, 2);
      const numbers = (s: Series) =>
        (s.values ?? []).map(([, v]) => Number(v)).filter(Number.isFinite);
      const drawn = result.filter((s) => numbers(s).length > 0);
      expect(drawn.length, `${what}: ${promql} returned nothing to draw`).toBeGreaterThan(0);
      if (/\{\{(version|role)\}\}/.test(legendFormat) || /by \([^)]*version/.test(expr)) {
        const versions = new Set(drawn.map((s) => s.metric.version));
        expect([...versions].sort(), `${what}: ${promql}`).toEqual(["canary", "stable"]);
      }
    }
  });

  it("counts every request the test sent, per version, exactly", async () => {
    const totals = await prometheus.query(
      'sum by (version) (keystone_requests_total{service="shop"})',
    );
    const counted = Object.fromEntries(totals.map((s) => [s.metric.version, Number(s.value![1])]));
    expect(counted).toEqual(Object.fromEntries(sentBy));
  });
});

describe("promtool", () => {
  it("checks the alert rules and passes their unit tests", async () => {
    const check = await run("promtool", ["check", "rules", ALERT_RULES]);
    expect(check.stdout).toContain("SUCCESS: 5 rules found");
    const tests = await run("promtool", [
      "test",
      "rules",
      join(PROJECT_ROOT, "dashboards/keystone-alerts.test.yaml"),
    ]);
    expect(`${tests.stdout}${tests.stderr}`).toContain("SUCCESS");
  });

  it("finds nothing to lint in a real scrape", async () => {
    const response = await fetch(`${stack.url}/_keystone/metrics`, {
      headers: { authorization: `Bearer ${stack.secrets.READ_TOKEN}` },
    });
    const text = await response.text();
    const lint = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = execFile("promtool", ["check", "metrics"], (error, stdout, stderr) =>
        resolve({ code: error ? (error.code as number) : 0, output: stdout + stderr }),
      );
      child.stdin?.end(text);
    });
    expect(lint, lint.output).toEqual({ code: 0, output: "" });
  });
});
