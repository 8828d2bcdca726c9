// Validation that finds everything at once: shape and cross-field problems of one file together,
// each with its path, line and column, in plain words with a "did you mean" for near misses.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../test/support/run-cli.ts";

const dir = mkdtempSync(join(tmpdir(), "keystone-validation-"));

function file(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

async function problemsOf(path: string) {
  const result = await runCli(["validate", "-f", path, "--json"]);
  expect(result.code, result.stderr).toBe(3);
  return {
    stderr: result.stderr,
    problems: JSON.parse(result.stdout).error.problems as {
      path: string;
      line: number;
      column: number;
      message: string;
    }[],
  };
}

describe("a file with several mixed problems", () => {
  const mixed = file("mixed.yaml", [
    "services:", //                                         1
    "  - name: shop", //                                    2
    "    hosts: [shop.example.com]", //                     3
    "    versions:", //                                     4
    '      stable: { origin: "http://stable.internal" }', // 5
    '      canary: { origin: "https://shop.example.com/v2" }', // 6: an origin loop
    "    baseline: stable", //                              7
    "    split: { stable: 90, canary: 5 }", //              8: sums to 95
    "    rules:", //                                        9
    "      - name: beta", //                                10
    '        when: { cookie: { name: beta, equals: "1" } }', // 11
    "        route: canry", //                              12: a near miss (cross-field)
    "        colour: red", //                               13: an unknown field
    "    rollout:", //                                      14
    "      strategy: canary", //                            15
    "      steps: [{ weight: 10, bake: 1m }]", //           16
    "      onFailure: rolback", //                          17: a near miss (shape)
  ]);

  it("reports every problem with its path, line and column, in source order", async () => {
    const { problems } = await problemsOf(mixed);
    expect(problems).toEqual([
      {
        path: "services[0].versions.canary.origin",
        line: 6,
        column: 17,
        message:
          "origin host shop.example.com is one of this service's own hosts (shop.example.com): requests would loop through the Worker; point the origin at the backend's own hostname",
      },
      {
        path: "services[0].split",
        line: 8,
        column: 5,
        message: "weights sum to 95, must be 100",
      },
      {
        path: "services[0].rules[0].route",
        line: 12,
        column: 9,
        message: 'unknown version "canry": did you mean "canary"? (versions: stable, canary)',
      },
      {
        path: "services[0].rules[0].colour",
        line: 13,
        column: 9,
        message: 'unknown field "colour" (fields here: name, when, route, split)',
      },
      {
        path: "services[0].rollout.onFailure",
        line: 17,
        column: 7,
        message: '"rolback" is not allowed: use one of rollback, pause (did you mean "rollback"?)',
      },
    ]);
  });

  it("shows people file:line:column before each problem, and no library wording", async () => {
    const result = await runCli(["validate", "-f", mixed]);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`error: ${mixed}: 5 problems`);
    expect(result.stderr).toContain(
      `${mixed}:12:9: services[0].rules[0].route: unknown version "canry": did you mean "canary"?`,
    );
    expect(result.stderr).toContain(`${mixed}:13:9: services[0].rules[0].colour: unknown field`);
    expect(result.stderr).not.toMatch(/Invalid option|expected one of|Unrecognized key/);
  });
});

describe("cross-field checks run even when shape checks fail in the same file", () => {
  it("duplicates, blue/green colours, candidates and wildcard loops beside a bad shape", async () => {
    const path = file("cross.yaml", [
      "services:", //                                               1
      "  - name: web", //                                           2
      '    hosts: ["*.example.com"]', //                            3
      "    versions:", //                                           4
      "      stable: { origin: http://web.internal, timeoutMs: soon }", // 5: shape
      "      canary: { origin: https://api.example.com }", //       6: loop via the wildcard
      "    baseline: stable", //                                    7
      "    split: { stable: 100 }", //                              8
      "    rollout: { strategy: blueGreen }", //                    9: no blue/green versions
      "  - name: web", //                                           10: duplicate service
      "    hosts: [web.example.org]", //                            11
      "    versions: { a: { origin: http://a.internal }, b: { origin: http://b.internal }, c: { origin: http://c.internal } }",
      "    baseline: a", //                                         13
      "    split: { a: 100 }", //                                   14
      "    rules:", //                                              15
      "      - { name: r, when: { method: [GET] }, route: b }", //  16
      "      - { name: r, when: { method: [PUT] }, route: d }", //  17: duplicate, unknown
      "    rollout: { strategy: canary, steps: [{ weight: 5, bake: 1m }], onFailure: pause, failureLimit: 1 }",
    ]);
    const { problems } = await problemsOf(path);
    const lines = problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`);
    expect(lines).toEqual([
      '4:5 services[0].versions: a blueGreen rollout needs a version named "blue"',
      '4:5 services[0].versions: a blueGreen rollout needs a version named "green"',
      '5:46 services[0].versions.stable.timeoutMs: expected a number, got the text "soon"',
      "6:17 services[0].versions.canary.origin: origin host api.example.com is one of this service's own hosts (*.example.com): requests would loop through the Worker; point the origin at the backend's own hostname",
      '10:5 services[1].name: duplicate service "web" (also at services[0])',
      '17:11 services[1].rules[1].name: duplicate rule "r" (also at rules[0])',
      '17:45 services[1].rules[1].route: unknown version "d" (versions: a, b, c)',
      "18:5 services[1].rollout.candidate: name the candidate version (needed when there are not exactly two versions)",
      '18:86 services[1].rollout.failureLimit: unknown field "failureLimit" (fields here: strategy, candidate, steps, stepPercent, bake, maxWeight, analysis, onFailure, gates, progressDeadline, onDeadline)',
    ]);
  });
});

describe("plain words for shape problems", () => {
  it("missing fields, empty lists, bad names and near-miss fields", async () => {
    const path = file("shape.json", [
      "{",
      '  "services": [',
      "    {",
      '      "name": "Shop",',
      '      "hosts": [],',
      '      "versions": { "stable": { "origin": "http://s.internal" } },',
      '      "split": { "stable": 100 },',
      '      "stiky": { "by": "ip" }',
      "    }",
      "  ]",
      "}",
    ]);
    const { problems } = await problemsOf(path);
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p]));
    expect(byPath["services[0].name"]).toMatchObject({
      line: 4,
      column: 7,
      message: "use lowercase letters, digits and dashes ([a-z0-9-])",
    });
    expect(byPath["services[0].hosts"]?.message).toBe("must be at least 1 item");
    expect(byPath["services[0].baseline"]).toMatchObject({
      line: 3,
      column: 5,
      message: "required field is missing",
    });
    expect(byPath["services[0].stiky"]).toMatchObject({ line: 8, column: 7 });
    expect(byPath["services[0].stiky"]?.message).toMatch(
      /^unknown field "stiky": did you mean "sticky"\?/,
    );
  });

  it("an empty file is called empty", async () => {
    const path = file("empty.yaml", ["# nothing yet"]);
    const { problems } = await problemsOf(path);
    expect(problems).toEqual([
      { path: "", line: null, column: null, message: "the file is empty (or only comments)" },
    ]);
  });

  it("a rule nested past the API's bound is refused by name, not a stack overflow", async () => {
    const deepFile = (name: string, depth: number) => {
      const when = `${"{ not: ".repeat(depth)}{ header: { name: x, present: true } }${" }".repeat(depth)}`;
      return file(name, [
        "services:",
        "  - name: shop",
        "    hosts: [shop.example.com]",
        '    versions: { stable: { origin: "http://stable.internal" } }',
        "    baseline: stable",
        "    split: { stable: 100 }",
        `    rules: [{ name: deep, route: stable, when: ${when} }]`,
      ]);
    };
    expect((await problemsOf(deepFile("deep.yaml", 200))).problems).toEqual([
      {
        path: "services[0].rules[0].when.not.not.not.not.not…",
        line: null,
        column: null,
        message: "nested deeper than 100 levels",
      },
    ]);
    // Deeper still, the YAML parser itself gives up: said in the file's terms, at its place.
    const [parser] = (await problemsOf(deepFile("deeper.yaml", 2_000))).problems;
    expect(parser).toMatchObject({
      line: 7,
      message: "nested too deeply to read (the API refuses past 100 levels)",
    });
  });

  it("a left-out field with a fixed set of values is missing, not refused", async () => {
    const path = file("no-strategy.yaml", [
      "services:",
      "  - name: shop",
      "    hosts: [shop.example.com]",
      "    versions: { stable: { origin: http://s.internal }, canary: { origin: http://c.internal } }",
      "    baseline: stable",
      "    split: { stable: 100, canary: 0 }",
      "    rollout:",
      "      candidate: canary",
      "      steps: [{ weight: 10, bake: 1m }]",
    ]);
    const { problems } = await problemsOf(path);
    expect(problems).toEqual([
      {
        path: "services[0].rollout.strategy",
        line: 7,
        column: 5,
        message: "required field is missing: use one of canary, linear, blueGreen",
      },
    ]);
  });
});

describe("a valid file whose rollout may never progress", () => {
  const path = file("bg-never.yaml", [
    "services:", //                                                    1
    "  - name: shop", //                                               2
    "    hosts: [shop.example.com]", //                                3
    "    versions: { blue: { origin: http://b.internal }, green: { origin: http://g.internal } }",
    "    baseline: blue", //                                           5
    "    split: { blue: 100, green: 0 }", //                           6
    "    rules:", //                                                   7
    "      - name: preview", //                                        8
    '        when: { header: { name: x-preview, equals: "1" } }', // 9
    "        route: green", //                                         10
    "    rollout:", //                                                 11
    "      strategy: blueGreen", //                                    12
  ]);

  it("is valid (exit 0) with a warning that says why it holds and how to fix it, at its line", async () => {
    const result = await runCli(["validate", "-f", path]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("1 service(s) valid: shop");
    expect(result.stderr).toContain(
      `warning: ${path}:11:5: services[0].rollout: blue/green's first check may never pass: green is at 0 %, so this check counts only preview traffic`,
    );
    expect(result.stderr).toContain("keystone override-token shop green");
    expect(result.stderr).toContain('"preview" is not named there');
  });

  it("--json lists the warnings with their lines and keeps stdout one document", async () => {
    const result = await runCli(["validate", "-f", path, "--json"]);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ valid: true, services: ["shop"] });
    expect(json.warnings).toEqual([
      {
        path: "services[0].rollout",
        line: 11,
        column: 5,
        message: expect.stringContaining("blue/green's first check may never pass"),
      },
    ]);
  });
});
