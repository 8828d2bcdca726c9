// Which traffic a rollout's analysis counts: the split and experiment pins, opted-in rules, and
// for blue/green's first check override tokens (and only the preview rules countRules names).
import { describe, expect, it } from "vitest";
import { Service } from "../../../schemas/service.ts";
import { blueGreenShop, shopService } from "../../../test/support/fixtures.ts";
import { rolloutStateOf } from "../../../test/support/ledger-fixtures.ts";
import { countedRoutes } from "./analysis-routes.ts";

const rules = [
  { name: "force-canary", when: { header: { name: "x-canary", equals: "1" } }, route: "canary" },
  {
    name: "beta",
    when: { cookie: { name: "beta", equals: "1" } },
    split: { stable: 50, canary: 50 },
  },
  { name: "force-stable", when: { header: { name: "x-canary", equals: "0" } }, route: "stable" },
];

const state = rolloutStateOf;

describe("the routes a rollout's analysis counts", () => {
  it("by default only the split and experiment pins: forced requests neither poison nor dilute", () => {
    const config = Service.parse(
      shopService({ rules, rollout: { strategy: "canary", steps: [{ weight: 10, bake: "1m" }] } }),
    );
    expect(countedRoutes(config, state({}))).toEqual(["split", "experiment"]);
  });

  it("rules named in analysis.countRules are counted too", () => {
    const config = Service.parse(
      shopService({
        rules,
        rollout: {
          strategy: "canary",
          steps: [{ weight: 10, bake: "1m" }],
          analysis: { countRules: ["beta"] },
        },
      }),
    );
    expect(countedRoutes(config, state({}))).toEqual(["split", "experiment", "rule:beta"]);
  });

  const blueGreen = (countRules?: string[]) =>
    Service.parse(
      blueGreenShop({
        rules: [
          { name: "preview", when: { header: { name: "x-preview", equals: "1" } }, route: "green" },
          {
            name: "half",
            when: { header: { name: "x-half", equals: "1" } },
            split: { blue: 50, green: 50 },
          },
          { name: "old", when: { header: { name: "x-old", equals: "1" } }, route: "blue" },
        ],
        rollout: { strategy: "blueGreen", ...(countRules ? { analysis: { countRules } } : {}) },
      }),
    );
  const first = state({ strategy: "blueGreen", candidate: "green", baseline: "blue", weight: 0 });

  it("blue/green's first check (candidate at 0%) counts override tokens, not every rule reaching the candidate", () => {
    // A public preview rule is anyone's to send: it must not decide the verdict unless marked.
    expect(countedRoutes(blueGreen(), first)).toEqual(["split", "experiment", "override"]);
    expect(countedRoutes(blueGreen(["preview"]), first)).toEqual([
      "split",
      "experiment",
      "rule:preview",
      "override",
    ]);
    // After the switch, the candidate has public traffic: back to the default.
    expect(countedRoutes(blueGreen(), { ...first, stepIndex: 1, weight: 100 })).toEqual([
      "split",
      "experiment",
    ]);
  });

  it("countRules must name rules of the service, with the path of each that does not", () => {
    const parsed = Service.safeParse(
      shopService({
        rules,
        rollout: {
          strategy: "canary",
          steps: [{ weight: 10, bake: "1m" }],
          analysis: { countRules: ["beta", "nope"] },
        },
      }),
    );
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      [
        "rollout.analysis.countRules.1",
        'unknown rule "nope" (rules: force-canary, beta, force-stable)',
      ],
    ]);
  });
});
