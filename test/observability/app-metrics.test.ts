// A rollout judged on the application's own metrics through a real Prometheus (Debian's
// package) scraping a small exporter of per-version counters: a canary whose app error counter
// rises is rolled back while every HTTP answer is 200, a failing dryRun metric changes nothing
// but is shown, and Prometheus stopped mid-rollout holds the step.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { RolloutVerdicts } from "../../schemas/verdict-log.ts";
import { type E2eStack, startE2eStack } from "../support/e2e-stack.ts";
import { burst, driveRollout, localCanaryConfig } from "../support/local-traffic.ts";
import { type Prometheus, startPrometheus } from "../support/prometheus-server.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let stack: E2eStack;
let prometheus: Prometheus;
let exporter: Server;
/** The application's counters, by name and version, as its /metrics exports them. */
const counters: Record<string, Record<string, number>> = {
  app_errors_total: { stable: 0, canary: 0 },
  app_warnings_total: { stable: 0, canary: 0 },
};

function exposition(): string {
  return Object.entries(counters)
    .flatMap(([name, byVersion]) => [
      `# TYPE ${name} counter`,
      ...Object.entries(byVersion).map(([version, n]) => `${name}{version="${version}"} ${n}`),
    ])
    .join("\n");
}

const metric = (name: string, counter: string, extra: Record<string, unknown> = {}) => ({
  name,
  provider: {
    prometheus: {
      address: prometheus.url,
      query: `sum(increase(${counter}{version="{{version}}"}[{{window}}]))`,
    },
  },
  successCondition: "result < 5",
  ...extra,
});

/**
 * Raises the canary's counter every 250 ms, as a live app would, until the returned stop is
 * called: the rollout ticks itself (every 2 s locally), so the counter must already be rising
 * in what Prometheus scraped whenever a tick asks, not only between the test's rounds.
 */
function rising(counter: keyof typeof counters): () => void {
  const timer = setInterval(() => {
    counters[counter]!.canary! += 10;
  }, 250);
  return () => clearInterval(timer);
}

async function rollout(service: string) {
  const response = await fetch(`${stack.url}/_keystone/v1/services/${service}/rollout`, {
    headers: { authorization: `Bearer ${stack.secrets.ADMIN_TOKEN}` },
  });
  return (
    (await response.json()) as {
      state: {
        phase: string;
        stepIndex: number;
        lastVerdict: { outcome: string; reason: string; candidate: { errors: number } };
      };
    }
  ).state;
}

async function verdicts(service: string): Promise<RolloutVerdicts> {
  const explained = await stack.cli(["rollout", "explain", service, "--last", "50", "--json"]);
  expect(explained.code, explained.stderr).toBe(0);
  return JSON.parse(explained.stdout) as RolloutVerdicts;
}

beforeAll(async () => {
  stack = await startE2eStack();
  exporter = createServer((_, res) => {
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
    res.end(`${exposition()}\n`);
  });
  await new Promise<void>((resolve) => exporter.listen(0, "127.0.0.1", resolve));
  const exporterHost = `127.0.0.1:${(exporter.address() as AddressInfo).port}`;
  prometheus = await startPrometheus(
    join(stack.dir, "prometheus"),
    stack.url,
    stack.secrets.READ_TOKEN,
    [exporterHost],
  );
  const config = localCanaryConfig(
    "shop",
    { stable: stack.origins.stable.url, canary: stack.origins.canary.url },
    {
      releases: ["v1", "v2"],
      split: { stable: 100, canary: 0 },
      steps: [
        { weight: 20, bake: "2s" },
        { weight: 60, bake: "2s" },
      ],
      analysis: { minRequests: 10, maxErrorRatePercent: 5, failureLimit: 0 },
    },
  );
  const service = config.services[0]!;
  (service.rollout.analysis as Record<string, unknown>).metrics = [
    // Tolerant of a provider down for a while: the last test stops Prometheus and reads the
    // held step while the rollout keeps ticking itself.
    metric("app-errors", "app_errors_total", { inconclusiveLimit: 20 }),
    metric("warnings", "app_warnings_total", { dryRun: true }),
  ];
  const applied = await stack.cli(["apply", "-f", stack.writeFile("shop.yaml", stringify(config))]);
  expect(applied.code, applied.stderr).toBe(0);
  await sleep(3_000); // a few scrapes of the counters at 0
}, 240_000);

afterAll(async () => {
  await prometheus?.stop();
  await new Promise((resolve) => exporter?.close(resolve));
  await stack?.stop();
});

describe("a rollout judged on the app's own metrics through a real Prometheus", () => {
  it("promotes a healthy canary while a failing dryRun metric is shown and changes nothing", async () => {
    const stop = rising("app_warnings_total");
    await sleep(2_000); // scraped rising before the first tick
    const started = await stack.cli(["rollout", "start", "shop", "--release", "v2"]);
    expect(started.code, started.stderr).toBe(0);
    const result = await driveRollout(stack.url, stack.secrets.ADMIN_TOKEN, "shop").finally(stop);
    expect(result.phase).toBe("promoted");
    const shown = (await verdicts("shop")).verdicts.flatMap(
      (v) => v.verdict.judgement?.metrics ?? [],
    );
    expect(shown.some((m) => m.name === "warnings" && m.dryRun && m.outcome === "fail")).toBe(true);
    expect(shown.filter((m) => m.name === "app-errors").every((m) => m.outcome === "pass")).toBe(
      true,
    );
  });

  it("rolls back a canary whose app error counter rises while every HTTP answer is 200", async () => {
    const stop = rising("app_errors_total");
    await sleep(2_000); // scraped rising before the first tick
    const started = await stack.cli(["rollout", "start", "shop", "--release", "v3"]);
    expect(started.code, started.stderr).toBe(0);
    const result = await driveRollout(stack.url, stack.secrets.ADMIN_TOKEN, "shop").finally(stop);
    expect(result.phase).toBe("rolledBack");
    const state = await rollout("shop");
    expect(state.lastVerdict.candidate.errors).toBe(0);
    expect(state.lastVerdict.reason).toMatch(
      /metric app-errors = [\d.]+ \(prometheus\), successCondition result < 5 → fail/,
    );
    const explained = await stack.cli(["rollout", "explain", "shop", "--last", "1"]);
    expect(explained.stdout).toContain('query: sum(increase(app_errors_total{version="canary"}[');
  });

  it("holds the step while Prometheus is stopped, saying the provider failed", async () => {
    const started = await stack.cli(["rollout", "start", "shop", "--release", "v4"]);
    expect(started.code, started.stderr).toBe(0);
    await prometheus.stop();
    await burst(stack.url, 60);
    // The rollout's own alarm ticks it (every 2 s locally): wait for its first verdict.
    let state = await rollout("shop");
    for (let i = 0; i < 40 && state.lastVerdict.outcome === "started"; i++) {
      await sleep(250);
      state = await rollout("shop");
    }
    expect(state).toMatchObject({ phase: "progressing", stepIndex: 0 });
    expect(state.lastVerdict.outcome).toBe("inconclusive");
    expect(state.lastVerdict.reason).toMatch(
      /metric app-errors: prometheus failed \(.*\), not a metric failure → inconclusive/,
    );
  });
});
