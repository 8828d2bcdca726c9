// docs/config-reference.md is generated from the schemas: it must be up to date, and every
// schema field must have a description in schemas/field-docs.ts (and only real fields may).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FIELD_DOCS } from "../../schemas/field-docs.ts";
import {
  collectSections,
  REFERENCE_PATH,
  renderConfigReference,
} from "../../scripts/config-reference.ts";

describe("the generated config reference", () => {
  it("is up to date with the schemas (else: npm run docs:config)", () => {
    expect(
      readFileSync(REFERENCE_PATH, "utf8") === renderConfigReference(),
      "docs/config-reference.md is stale: run npm run docs:config and commit it",
    ).toBe(true);
  });

  it("every schema field has a description in schemas/field-docs.ts", () => {
    const undescribed = collectSections()
      .flatMap((section) => section.fields)
      .filter((field) => !field.description?.trim())
      .map((field) => field.path);
    expect(undescribed, "add these paths to schemas/field-docs.ts").toEqual([]);
  });

  it("every description names a field that exists", () => {
    const sections = collectSections();
    const known = new Set([
      ".",
      ...sections.map((s) => s.path),
      ...sections.flatMap((s) => s.fields.map((f) => f.path)),
    ]);
    expect(Object.keys(FIELD_DOCS).filter((key) => !known.has(key))).toEqual([]);
  });

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
