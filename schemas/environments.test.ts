// Overlay merging: maps merge key by key, lists and values and a split replace, the base stays.
import { describe, expect, it } from "vitest";
import { shopService } from "../test/support/fixtures.ts";
import { mergeOverlay, resolveEnvironment } from "./environments.ts";
import { validateConfigFile } from "./validate.ts";

describe("environment overlays", () => {
  it("merge maps key by key and replace lists, values and splits whole", () => {
    const base = shopService({
      rules: [{ name: "a", when: { method: ["GET"] }, route: "canary" }],
    });
    const merged = mergeOverlay(base, {
      hosts: ["shop.staging.example.com"],
      versions: { canary: { release: "v2-rc" } },
      split: { stable: 100 },
      rules: [],
    });
    expect(merged).toMatchObject({
      hosts: ["shop.staging.example.com"],
      versions: {
        stable: { origin: "http://stable.internal", release: "v1" },
        canary: { origin: "http://canary.internal", release: "v2-rc" },
      },
      split: { stable: 100 },
      rules: [],
    });
    expect(base.split).toEqual({ stable: 95, canary: 5 });
  });

  it("an overlay cannot rename a service", () => {
    const file = {
      services: [shopService()],
      environments: { staging: { services: { shop: { name: "x" } } } },
    };
    expect(resolveEnvironment(file, "staging").issues).toEqual([
      {
        path: ["environments", "staging", "services", "shop", "name"],
        message: "an overlay cannot rename a service",
      },
    ]);
  });

  it("a base problem is reported once, not again for each environment", () => {
    const file = {
      services: [shopService({ split: { stable: 90 } })],
      environments: {
        staging: { services: { shop: { hosts: ["s.example.com"] } } },
        production: {},
      },
    };
    const check = validateConfigFile(file);
    expect(check.success).toBe(false);
    if (!check.success)
      expect(check.issues.map((i) => i.message)).toEqual(["weights sum to 90, must be 100"]);
  });
});
