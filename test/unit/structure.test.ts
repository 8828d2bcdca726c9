// The code's shape, checked: small files, thin Durable Object classes, and no import circles
// (type imports included), so each module can be read and changed on its own.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cruise, type ICruiseOptions, type IForbiddenRuleType } from "dependency-cruiser";
import { describe, expect, it } from "vitest";

const ROOTS = ["worker", "schemas", "admin-cli", "scripts", "bench", "test"];
const MAX_FILE_LINES = 300;
const MAX_DURABLE_OBJECT_LINES = 150;

const sources = execFileSync(
  "git",
  ["ls-files", "--cached", "--others", "--exclude-standard", ...ROOTS],
  { encoding: "utf8" },
)
  .split("\n")
  .filter((path) => /\.(ts|js|mjs|cjs)$/.test(path));

const linesOf = (path: string) => readFileSync(path, "utf8").split("\n");

describe("structure", () => {
  it(`no source file is over ${MAX_FILE_LINES} lines`, () => {
    const long = sources
      .map((path) => [path, linesOf(path).length - 1] as const)
      .filter(([, n]) => n > MAX_FILE_LINES);
    expect(long).toEqual([]);
  });

  it(`no Durable Object class is over ${MAX_DURABLE_OBJECT_LINES} lines`, () => {
    const classes = sources.flatMap((path) => {
      const lines = linesOf(path);
      const start = lines.findIndex((line) =>
        /^export class \w+ extends DurableObject\b/.test(line),
      );
      if (start < 0) return [];
      // Formatted code closes a top-level class with "}" in the first column.
      const end = lines.findIndex((line, i) => i > start && line === "}");
      return [[path, end - start + 1] as const];
    });
    expect(classes.map(([path]) => path)).toContain("worker/control-plane/service-object.ts");
    expect(classes.filter(([, n]) => n > MAX_DURABLE_OBJECT_LINES)).toEqual([]);
  });

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
