// The code's shape, checked: no import circles (type imports included), so each module can be
// read and changed on its own, and the layers of docs/architecture.md hold (the core pure, the
// data plane apart from the control plane, the control plane below the admin API, schemas as
// contracts, the CLI over HTTP only). Files are cut by cohesion, not by a line count.
import { createRequire } from "node:module";
import { cruise, type ICruiseOptions, type IForbiddenRuleType } from "dependency-cruiser";
import { describe, expect, it } from "vitest";

const ROOTS = ["worker", "schemas", "admin-cli", "scripts", "bench", "test"];

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
  cycle?: { name: string }[];
}

describe("structure", () => {
  it("no import circles (type imports included) and no import across a layer's boundary", async () => {
    const rules = createRequire(import.meta.url)("../../.dependency-cruiser.cjs") as {
      forbidden: IForbiddenRuleType[];
      options: ICruiseOptions;
    };
    expect(rules.forbidden.map((rule) => rule.name)).toEqual([
      "no-circular",
      "core-is-pure",
      "data-plane-stands-alone",
      "control-plane-below-admin",
      "schemas-are-contracts",
      "cli-talks-http",
    ]);
    const result = await cruise(ROOTS, {
      ...rules.options,
      validate: true,
      ruleSet: { forbidden: rules.forbidden },
    });
    const output = result.output as { summary: { violations: Violation[] } };
    const violations = output.summary.violations.map((v) =>
      v.cycle
        ? `${v.rule.name}: ${[v.from, ...v.cycle.map((c) => c.name)].join(" → ")}`
        : `${v.rule.name}: ${v.from} → ${v.to}`,
    );
    expect(violations).toEqual([]);
  }, 60_000);
});
