// The Grafana dashboard and the alert rules as code: the committed JSON is what the TypeScript
// generates, and every metric they read is one /_keystone/metrics exports and documents.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DASHBOARD_PATH, dashboardJson } from "../../dashboards/src/build.ts";
import { PROJECT_ROOT } from "../../scripts/stack.ts";
import { latencySeconds } from "../../worker/admin/metrics/convert.ts";
import { AnalysisCheck, TrafficReason } from "../../worker/admin/metrics/model.ts";
import { renderMetrics } from "../../worker/admin/metrics/render.ts";

interface Exported {
  __inputs: { name: string; type: string; pluginId: string }[];
  templating: { list: { name: string }[] };
  annotations: { list: { expr: string }[] };
  panels: {
    id: number;
    datasource: { uid: string };
    gridPos: { x: number; y: number; w: number; h: number };
    targets: { expr: string }[];
  }[];
}

const dashboard = JSON.parse(readFileSync(DASHBOARD_PATH, "utf8")) as Exported;
const alerts = parse(
  readFileSync(join(PROJECT_ROOT, "dashboards/keystone-alerts.yaml"), "utf8"),
) as { groups: { rules: { alert: string; expr: string }[] }[] };

/** Every metric family the exporter renders (fullRender: every optional series). */
function exportedFamilies(): Set<string> {
  const text = fullRender();
  return new Set(
    text
      .split("\n")
      .filter((l) => l && !l.startsWith("#"))
      .map((l) => /^[a-z_]+/.exec(l)![0]),
  );
}

const metricNames = (expr: string) => [...expr.matchAll(/\b(keystone_[a-z_]+)/g)].map((m) => m[1]!);
const family = (name: string) => `\`${name.replace(/_(bucket|sum|count)$/, "")}\``;

describe("the canary dashboard", () => {
  it("is what `npm run dashboards` generates (run it after changing dashboards/src)", () => {
    expect(readFileSync(DASHBOARD_PATH, "utf8")).toBe(dashboardJson());
  });

  it("imports as is: a DS_PROMETHEUS input used by every panel, a service variable, unique ids, no overlaps", () => {
    expect(dashboard.__inputs).toEqual([
      expect.objectContaining({
        name: "DS_PROMETHEUS",
        type: "datasource",
        pluginId: "prometheus",
      }),
    ]);
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(["service"]);
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    const cells = new Set<string>();
    for (const panel of dashboard.panels) {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's placeholder, not a JS template.
      expect(panel.datasource.uid).toBe("${DS_PROMETHEUS}");
      expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
      for (let x = panel.gridPos.x; x < panel.gridPos.x + panel.gridPos.w; x++)
        for (let y = panel.gridPos.y; y < panel.gridPos.y + panel.gridPos.h; y++) {
          expect(cells.has(`${x},${y}`), `${panel.id} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
    }
  });
});

describe("dashboard and alert rules read only exported, documented metrics", () => {
  const exported = exportedFamilies();
  const documented = readFileSync(join(PROJECT_ROOT, "docs/metrics.md"), "utf8");
  const expressions = [
    ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)),
    ...dashboard.annotations.list.map((a) => a.expr),
    ...alerts.groups.flatMap((g) => g.rules.map((r) => r.expr)),
  ];

  it.each(expressions)("%s", (expr) => {
    const names = metricNames(expr);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      expect(exported, `${name} is not exported`).toContain(name);
      expect(documented, `${name} is not in docs/metrics.md`).toContain(family(name));
    }
  });

  it("every exported family is documented", () => {
    for (const name of exported) expect(documented).toContain(family(name));
  });
});

describe("docs/metrics.md's scrape config", () => {
  const doc = readFileSync(join(PROJECT_ROOT, "docs/metrics.md"), "utf8");
  const block = /```yaml\n(scrape_configs:[\s\S]*?)```/.exec(doc)?.[1] ?? "";
  const config = parse(block) as {
    scrape_configs: { static_configs: { targets: string[] }[] }[];
  };
  // Only the admin hostnames serve /_keystone/metrics; every other hostname is the data plane's.
  const adminHosts = [
    ...readFileSync(join(PROJECT_ROOT, "wrangler.toml"), "utf8").matchAll(
      /^ADMIN_HOSTS = "([^"]*)"/gm,
    ),
  ]
    .flatMap((m) => m[1]!.split(","))
    .map((h) => h.trim())
    .filter((h) => h !== "*");

  it("scrapes an environment's admin hostname, not a service hostname", () => {
    const targets = config.scrape_configs.flatMap((s) =>
      s.static_configs.flatMap((c) => c.targets),
    );
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) expect(adminHosts).toContain(target);
  });
});

/** Every family, with every optional series, for one service with a mirror and a regional wave. */
function fullRender(): string {
  const version = (name: string, role: "candidate" | "baseline") => ({
    name,
    release: "r",
    role,
    weightPercent: 50,
    traffic: TrafficReason.options.map((reason) => ({
      reason,
      requests: 1,
      errors: 0,
      clientIncomplete: 0,
    })),
    latency: latencySeconds({ 10: 1 }),
    health: "healthy" as const,
    mirror: role === "candidate" ? { compared: 2, mismatched: 1, failed: 0 } : null,
  });
  return renderMetrics({
    services: [
      {
        name: "s",
        versions: [version("canary", "candidate"), version("stable", "baseline")],
        deployments: { promoted: 0, rolledBack: 0, aborted: 0 },
        rollout: {
          candidate: "canary",
          baseline: "stable",
          phase: "progressing",
          step: 1,
          stepCount: 2,
          startedAt: "2026-01-01T00:00:00.000Z",
          bakeLeftSeconds: 5,
          lastVerdictAt: "2026-01-01T00:00:00.000Z",
          checks: AnalysisCheck.options.map((check) => ({
            check,
            value: 1,
            threshold: 2,
            passed: true,
          })),
          place: "country NZ",
        },
      },
    ],
    routeTable: { generation: 1, publishedAt: "2026-01-01T00:00:00.000Z", pendingGenerations: 0 },
  });
}

describe("docs/metrics.md's labels", () => {
  const doc = readFileSync(join(PROJECT_ROOT, "docs/metrics.md"), "utf8");
  const rendered = new Map<string, Set<string>>();
  for (const line of fullRender().split("\n")) {
    const m = /^([a-z_]+?)(?:_bucket|_sum|_count)?\{([^}]*)\}/.exec(line);
    const name = m?.[1] ?? /^([a-z_]+) /.exec(line)?.[1];
    if (!name || line.startsWith("#")) continue;
    const labels = rendered.get(name) ?? new Set<string>();
    for (const [, label] of (m?.[2] ?? "").matchAll(/([a-z_]+)="/g)) labels.add(label!);
    rendered.set(name, labels);
  }
  // Each section's "Labels:" sentence (its asides in brackets left out) and, in a table with an
  // "extra labels" column, each row's.
  const rows: [string, string[]][] = [];
  const codes = (text: string) => [...text.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!);
  for (const section of doc.split(/^## /m)) {
    const paragraph = /^Labels: ([\s\S]*?)\n\n/m.exec(section)?.[1] ?? "";
    const common = codes(paragraph.replace(/\([^)]*\)/g, "").split(/;|\. /)[0]!);
    const extraColumn = section.includes("| extra labels |");
    for (const [, name, third] of section.matchAll(/^\| `(keystone_[a-z_]+)` \|[^|]+\|([^|]*)\|/gm))
      rows.push([name!, [...common, ...(extraColumn ? codes(third!) : [])]]);
  }

  it("names every label of each family as /_keystone/metrics exports it", () => {
    expect(rows.map(([name]) => name).sort()).toEqual([...rendered.keys()].sort());
    for (const [name, labels] of rows)
      expect([...labels].sort(), name).toEqual([...rendered.get(name)!].sort());
  });
});

describe("docs/metrics.md's cardinality", () => {
  const doc = readFileSync(join(PROJECT_ROOT, "docs/metrics.md"), "utf8");
  const series = fullRender()
    .split("\n")
    .filter((l) => l && !l.startsWith("#"));

  it("gives the series of a two-version service, and of a version that moves to a new release", () => {
    const perService = Number(/two versions exports at most (\d+) series/.exec(doc)?.[1]);
    const perVersion = Number(/moves that version's series \(up to (\d+)\)/.exec(doc)?.[1]);
    const routeTable = series.filter((l) => l.startsWith("keystone_route_table_")).length;
    expect(perService).toBe(series.length - routeTable);
    expect(perVersion).toBe(series.filter((l) => l.includes('version="canary"')).length);
  });
});
