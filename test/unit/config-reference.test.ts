// docs/config-reference.md and docs/release-reference.md are generated from the schemas: they
// must be up to date, and every schema field must have a description in scripts/field-docs.ts or
// scripts/release-field-docs.ts (and only real fields may).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  collectSections,
  REFERENCES,
  renderConfigReference,
  renderReference,
} from "../../scripts/config-reference.ts";

describe.each(REFERENCES.map((spec) => [spec.path.split("/").at(-1)!, spec] as const))(
  "the generated %s",
  (file, spec) => {
    it("is up to date with the schemas (else: npm run docs:config)", () => {
      expect(
        readFileSync(spec.path, "utf8") === renderReference(spec),
        `docs/${file} is stale: run npm run docs:config and commit it`,
      ).toBe(true);
    });

    it("every schema field has a description", () => {
      const undescribed = collectSections(spec)
        .flatMap((section) => section.fields)
        .filter((field) => !field.description?.trim())
        .map((field) => field.path);
      expect(undescribed, "add these paths to the field docs").toEqual([]);
    });

    it("every description names a field that exists", () => {
      const sections = collectSections(spec);
      const known = new Set([
        ".",
        ...sections.map((s) => s.path),
        ...sections.flatMap((s) => s.fields.map((f) => f.path)),
      ]);
      expect(Object.keys(spec.docs).filter((key) => !known.has(key))).toEqual([]);
    });
  },
);

describe("the generated config reference", () => {
  it("shows required fields, defaults and allowed values", () => {
    const text = renderConfigReference();
    expect(text).toMatch(
      /\| `name` \| text, `\^\[a-z0-9\]\[a-z0-9-\]\*\$`, at most 63 characters \| \*\*required\*\* \|/,
    );
    expect(text).toMatch(
      /\| `onFailure` \| one of `rollback`, `pause`, or \[`services\[\]\.rollout\.onFailure`\]\(#services-rollout-onfailure\) \| `"rollback"` \|/,
    );
    expect(text).toMatch(/\| `minRequests` \| whole number ≥ 0 \| `100` \|/);
    expect(text).toContain("versions named `blue` and `green`");
  });
});
