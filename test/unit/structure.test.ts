// The code's shape, checked: no import circles (type imports included), so each module can be
// read and changed on its own. Files are cut by cohesion, not by a line count.
import { createRequire } from "node:module";
import { cruise, type ICruiseOptions, type IForbiddenRuleType } from "dependency-cruiser";
import { describe, expect, it } from "vitest";

const ROOTS = ["worker", "schemas", "admin-cli", "scripts", "bench", "test"];

describe("structure", () => {
  it("no module imports itself through others (type imports included)", async () => {
    const rules = createRequire(import.meta.url)("../../.dependency-cruiser.cjs") as {
      forbidden: IForbiddenRuleType[];
      options: ICruiseOptions;
    };
    const result = await cruise(ROOTS, {
      ...rules.options,
      validate: true,
      ruleSet: { forbidden: rules.forbidden },
    });
    const output = result.output as {
      summary: { violations: { from: string; cycle?: { name: string }[] }[] };
    };
    const cycles = output.summary.violations.map((v) =>
      [v.from, ...(v.cycle ?? []).map((c) => c.name)].join(" → "),
    );
    expect(cycles).toEqual([]);
  }, 60_000);
});
