import { describe, expect, it } from "vitest";
import type { ServicePanel } from "../model.ts";
import { ServiceSection } from "./service.tsx";

const minute = { requestsPerSecond: 1.5, errorRatePercent: 2, p95Ms: 120 };

const service: ServicePanel = {
  name: "shop",
  revision: 7,
  releases: { desired: "v3", serving: "v2", servingSince: "since revision 6 (promoted)" },
  hosts: ["shop.example.com"],
  split: [
    { version: "stable", percent: 75 },
    { version: "canary", percent: 25 },
  ],
  thresholds: { maxErrorRatePercent: 5, maxP95Ms: null },
  versions: [
    {
      name: "canary",
      release: "v2",
      role: "candidate",
      weightPercent: 25,
      now: minute,
      lastMinutes: [minute, minute],
    },
  ],
  rollout: {
    phase: "rolledBack",
    pausedBy: null,
    strategy: "canary",
    candidate: "canary",
    release: "v2",
    baseline: "stable",
    step: 2,
    steps: [
      { kind: "weight", weightPercent: 10 },
      { kind: "weight", weightPercent: 25 },
      { kind: "pause", weightPercent: null },
    ],
    weightPercent: 0,
    bakeLeftSeconds: null,
    nextTickSeconds: null,
    lastVerdict: null,
  },
  history: [],
  incidents: [
    {
      id: "inc-1",
      at: "2026-11-21T12:00:00.000Z",
      title: "canary v2 rolled back",
      summary: 'error rate 9.10% > 5.00% <img src=x onerror="alert(1)">',
    },
  ],
};

describe("a service on the status page", () => {
  const html = String(ServiceSection({ service }));

  it("says the bake left as the CLI does (9m57s), not in seconds", () => {
    const baking = {
      ...service,
      rollout: { ...service.rollout!, phase: "progressing" as const, bakeLeftSeconds: 596.2 },
    };
    expect(String(ServiceSection({ service: baking }))).toContain(" · 9m57s of bake left");
  });

  it("lists the incidents it is given, their text escaped", () => {
    expect(html).toContain(
      '<li data-incident="inc-1"><a href="/_keystone/ui/services/shop/incidents/inc-1"><strong>canary v2 rolled back</strong></a>',
    );
    expect(html).toContain(
      "error rate 9.10% &gt; 5.00% &lt;img src=x onerror=&quot;alert(1)&quot;&gt;",
    );
    expect(html).not.toContain("<img");
  });

  it("marks the failed step of a rolled-back rollout and the ones passed before it", () => {
    const classes = [...html.matchAll(/<rect class="(\w+)"/g)].map((m) => m[1]);
    expect(classes).toEqual(["done", "failed", "todo"]);
    expect(html).toContain("split: stable 75% · canary 25%");
    // The bar's tooltip and screen-reader text name the phase in words, as the rest of the page.
    expect(html).toContain('aria-valuetext="step 2 of 3, rolled back"');
    expect(html).toContain("<title>step 2 of 3: rolled back</title>");
    expect(html).not.toContain("rolledBack");
  });

  it("says when the next tick is due, relative: an analysis while it runs, a cut on a ramp back", () => {
    const running = { ...service.rollout!, phase: "progressing" as const, nextTickSeconds: 41.2 };
    expect(String(ServiceSection({ service: { ...service, rollout: running } }))).toContain(
      '<span class="next-tick"> · next analysis in 42 s</span>',
    );
    const late = { ...running, nextTickSeconds: 0 };
    expect(String(ServiceSection({ service: { ...service, rollout: late } }))).toContain(
      "next analysis due now",
    );
    const ramping = { ...service.rollout!, nextTickSeconds: 30 };
    expect(String(ServiceSection({ service: { ...service, rollout: ramping } }))).toContain(
      "next cut back in 30 s",
    );
    expect(html).not.toContain("next-tick");
  });

  it("shows the release the config file asks for beside the one serving", () => {
    expect(html).toContain('desired: <strong class="desired">v3</strong> (config file)');
    expect(html).toContain('serving: <strong class="serving">v2</strong>');
    expect(html).toContain("since revision 6 (promoted)");
  });
});
