// A rollout's own metrics as `keystone validate` checks them: templates, conditions, secret names
// and provider URLs, each problem at its field.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../test/support/run-cli.ts";
import { AnalysisMetric, fillTemplate, templateProblem } from "./analysis-metrics.ts";
import { evaluateCondition, parseCondition } from "./metric-condition.ts";

const dir = mkdtempSync(join(tmpdir(), "keystone-metrics-"));

function configWith(metric: string[]): string {
  const path = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  const lines = [
    "services:",
    "  - name: shop",
    "    hosts: [shop.example.com]",
    "    versions:",
    '      stable: { origin: "https://stable.internal" }',
    '      canary: { origin: "https://canary.internal" }',
    "    baseline: stable",
    "    split: { stable: 100 }",
    "    rollout:",
    "      strategy: canary",
    "      steps: [{ weight: 10, bake: 1m }]",
    "      analysis:",
    "        metrics:",
    ...metric.map((line) => `          ${line}`),
  ];
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

async function problems(metric: string[]) {
  const result = await runCli(["validate", "-f", configWith(metric), "--json"]);
  if (result.code === 0) return [];
  return (JSON.parse(result.stdout).error.problems as { path: string; message: string }[]).map(
    (p) => `${p.path}: ${p.message}`,
  );
}

/** A web metric and a datadog metric, each provider given inline: the problems, one a line. */
async function webAndDatadog(web: string, datadog: string): Promise<string> {
  const found = await problems([
    "- name: orders",
    "  provider:",
    `    web: ${web}`,
    '  failureCondition: "result > 5"',
    "- name: dd",
    "  provider:",
    `    datadog: ${datadog}`,
    '  failureCondition: "result > 5"',
  ]);
  return found.join("\n");
}

const prometheus = [
  "- name: app-errors",
  "  provider:",
  "    prometheus:",
  "      address: https://prometheus.example.com",
  '      query: sum(rate(app_errors_total{version="{{version}}"}[{{window}}]))',
  "      tokenSecret: METRICS_PROM_TOKEN",
  '  successCondition: "result < 0.01"',
];

describe("keystone validate on analysis metrics", () => {
  it("accepts a prometheus metric with a template, a condition and a named secret", async () => {
    expect(await problems(prometheus)).toEqual([]);
  });

  it("names an unknown template variable at the query", async () => {
    const bad = prometheus.map((l) => l.replace("{{window}}", "{{windw}}"));
    const found = await problems(bad);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      /metrics\[0\]\.provider\.prometheus\.query: unknown template variable \{\{windw\}\}/,
    );
  });

  it("names a condition it cannot read at the condition", async () => {
    const bad = prometheus.map((l) => l.replace('"result < 0.01"', '"result <> 0.01"'));
    const found = await problems(bad);
    expect(found[0]).toMatch(/metrics\[0\]\.successCondition: condition /);
  });

  it("refuses a secret given in the file, or one of Keystone's own keys", async () => {
    for (const secret of ["hunter2", "ADMIN_TOKEN"]) {
      const bad = prometheus.map((l) => l.replace("METRICS_PROM_TOKEN", secret));
      const found = await problems(bad);
      expect(found[0]).toMatch(/prometheus\.tokenSecret: a secret is named, never given/);
      expect(found.join()).not.toContain("hunter2");
    }
  });

  it("refuses credentials in a provider URL", async () => {
    const bad = prometheus.map((l) =>
      l.replace("https://prometheus.example.com", "https://me:pw@prometheus.example.com"),
    );
    expect((await problems(bad))[0]).toMatch(
      /prometheus\.address: a provider URL cannot hold credentials/,
    );
  });

  it("refuses a key sent over plain http to another machine; this machine, or no key, may use http", async () => {
    const over = (address: string, lines = prometheus) =>
      problems(lines.map((l) => l.replace("https://prometheus.example.com", address)));
    expect((await over("http://prometheus.example.com"))[0]).toMatch(
      /prometheus\.address: would send METRICS_PROM_TOKEN in the clear: use an https URL \(http only for 127\.0\.0\.1, ::1 or localhost\)/,
    );
    expect(await over("http://127.0.0.1:9090")).toEqual([]);
    expect(await over("http://[::1]:9090")).toEqual([]);
    const keyless = prometheus.filter((l) => !l.includes("tokenSecret"));
    expect(await over("http://prometheus.example.com", keyless)).toEqual([]);
    const found = await webAndDatadog(
      "{ url: 'http://stats.example.com/o?v={{version}}', path: '$.n', tokenSecret: METRICS_WEB }",
      "{ address: 'http://dd.example.com', query: 'q', apiKeySecret: METRICS_DD_API, appKeySecret: METRICS_DD_APP }",
    );
    expect(found).toMatch(/metrics\[0\]\.provider\.web\.url: would send METRICS_WEB in the clear/);
    expect(found).toMatch(
      /metrics\[1\]\.provider\.datadog\.address: would send METRICS_DD_API in the clear/,
    );
  });

  it("needs a condition or a baseline comparison, and one provider", async () => {
    const found = await problems(["- name: bare", "  provider: {}"]);
    expect(found.join("\n")).toMatch(
      /metrics\[0\]: needs successCondition or failureCondition, or a baseline comparison/,
    );
    expect(found.join("\n")).toMatch(
      /metrics\[0\]\.provider: needs one of prometheus, datadog, web/,
    );
  });

  it("checks a web metric's path and a datadog metric's keys", async () => {
    const found = await webAndDatadog(
      "{ url: 'https://stats.example.com/orders?v={{version}}', path: 'data.count' }",
      "{ query: 'avg:q{v:{{version}}}', apiKeySecret: METRICS_DD_API, appKeySecret: dd }",
    );
    expect(found).toMatch(/metrics\[0\]\.provider\.web\.path: a path from the document root/);
    expect(found).toMatch(/metrics\[1\]\.provider\.datadog\.appKeySecret: a secret is named/);
  });
});

describe("the condition language", () => {
  const holds = (text: string, result: number[]) => {
    const parsed = parseCondition(text);
    if (!parsed.ok) throw new Error(parsed.error);
    return evaluateCondition(parsed.condition, result);
  };

  it("compares result and result[N] with numbers, && binding tighter than ||", () => {
    expect(holds("result < 0.01", [0.005])).toBe(true);
    expect(holds("result < 0.01", [0.02])).toBe(false);
    expect(holds("result[1] >= 5", [0, 5])).toBe(true);
    expect(holds("result > 1 && result[1] > 1 || result == 0", [0, 0])).toBe(true);
    expect(holds("result > 1 && result[1] > 1 || result == 0", [2, 0])).toBe(false);
    expect(holds("0.5 > result", [0.1])).toBe(true);
  });

  it("gives no answer when the value it reads is missing (no data)", () => {
    expect(holds("result < 1", [])).toBeUndefined();
    expect(holds("result[2] < 1", [0, 0])).toBeUndefined();
    expect(holds("result < 1", [Number.NaN])).toBeUndefined();
  });

  it("refuses anything but comparisons, saying where", () => {
    for (const text of [
      "",
      "result",
      "result < ",
      "process.exit()",
      "result < 1 &&",
      "1 < 2",
      "result = 1",
    ])
      expect(parseCondition(text).ok, text).toBe(false);
  });
});

describe("templates", () => {
  it("fill the rollout's names and refuse unknown ones", () => {
    const values = {
      service: "shop",
      version: "canary",
      release: "v2",
      baseline: "stable",
      candidate: "canary",
      window: "90s",
    };
    expect(fillTemplate('x{v="{{ version }}"}[{{window}}]', values)).toBe('x{v="canary"}[90s]');
    expect(templateProblem("{{versoin}}")).toMatch(/unknown template variable/);
    expect(templateProblem("{{version}")).toMatch(/unclosed/);
  });

  it("default a metric's limits: fail at the first failure, pause after 3 inconclusive", () => {
    const metric = AnalysisMetric.parse({
      name: "m",
      provider: { web: { url: "https://x.example/v", path: "$.v" } },
      successCondition: "result > 0",
    });
    expect(metric).toMatchObject({ failureLimit: 0, inconclusiveLimit: 3, dryRun: false });
  });
});
