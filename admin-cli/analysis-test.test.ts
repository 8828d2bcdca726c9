// keystone analysis test as the CLI runs it against a stand-in admin API: one read of the
// analysis/test endpoint, each metric printed with its query, --json the answer whole.
import { describe, expect, it } from "vitest";
import type { AnalysisTest } from "../schemas/metric-check.ts";
import { useFakeAdminApi } from "../test/support/fake-admin-api.ts";
import { metricCheck } from "../test/support/metric-fixtures.ts";
import { runCli } from "../test/support/run-cli.ts";

const fake = useFakeAdminApi();
const cli = (...argv: string[]) => runCli([...argv, "--url", fake.api.url, "--token", "t"]);

const answer: AnalysisTest = {
  service: "shop",
  candidate: "canary",
  baseline: "stable",
  window: "300s",
  metrics: [
    metricCheck({
      query: 'sum(rate(app_errors_total{version="canary"}[300s]))',
      candidate: [0.004],
      outcome: "pass",
      failed: 0,
      sentence: "metric app-errors = 0.004 (prometheus), successCondition result < 0.01 → pass",
    }),
  ],
};

describe("keystone analysis test", () => {
  it("reads the endpoint once and prints each metric with its query", async () => {
    fake.api.answers.set("GET /services/shop/analysis/test", { body: answer });
    const result = await cli("analysis", "test", "shop", "--no-color");
    expect(result.code, result.stderr).toBe(0);
    expect(fake.api.seen.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /services/shop/analysis/test",
    ]);
    expect(result.stdout.split("\n")).toEqual([
      "shop: canary against stable over the last 300s — measured now, nothing acted on",
      "  · metric app-errors = 0.004 (prometheus), successCondition result < 0.01 → pass",
      '    query: sum(rate(app_errors_total{version="canary"}[300s]))',
      "",
    ]);
    const json = await cli("analysis", "test", "shop", "--json");
    expect(JSON.parse(json.stdout)).toEqual(answer);
  });

  it("prints the answer as JSON with -o json, as its help and docs/analysis.md say", async () => {
    fake.api.answers.set("GET /services/shop/analysis/test", { body: answer });
    const json = await cli("analysis", "test", "shop", "-o", "json");
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(answer);
    expect((await cli("analysis", "test", "shop", "-o", "xml")).code).toBe(2);
  });
});
