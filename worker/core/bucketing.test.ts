import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bucketOf } from "./hash.ts";
import { layoutSplit, nameAt } from "./layout.ts";

function versionAt(canaryPercent: number, bucket: number): string {
  return nameAt(
    layoutSplit({ stable: 100 - canaryPercent, canary: canaryPercent }, "stable", ["canary"]),
    bucket,
  );
}

describe("visitor distribution", () => {
  for (const percent of [5, 10, 50]) {
    it(`100,000 visitors at ${percent}% land within ±0.5 points`, () => {
      let inCanary = 0;
      for (let i = 0; i < 100_000; i++) {
        if (versionAt(percent, bucketOf("shop", `visitor-${i}`)) === "canary") inCanary++;
      }
      expect(Math.abs((inCanary / 100_000) * 100 - percent)).toBeLessThanOrEqual(0.5);
    });
  }

  it("different salts bucket the same visitors independently", () => {
    let same = 0;
    for (let i = 0; i < 10_000; i++) {
      const key = `visitor-${i}`;
      if (bucketOf("shop", key) < 5000 === bucketOf("shop/exp", key) < 5000) same++;
    }
    expect(same / 10_000).toBeGreaterThan(0.47);
    expect(same / 10_000).toBeLessThan(0.53);
  });
});

describe("monotonic buckets", () => {
  it("a visitor in the canary at w1 is still in it at any w2 > w1", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        (visitor, a, b) => {
          const [w1, w2] = [Math.min(a, b) / 100, Math.max(a, b) / 100];
          const bucket = bucketOf("shop", visitor);
          if (versionAt(w1, bucket) === "canary") expect(versionAt(w2, bucket)).toBe("canary");
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it("a visitor in the canary at 5% is still in it at 25%", () => {
    let moved = 0;
    for (let i = 0; i < 20_000; i++) {
      const bucket = bucketOf("shop", `v${i}`);
      if (versionAt(5, bucket) === "canary" && versionAt(25, bucket) !== "canary") moved++;
    }
    expect(moved).toBe(0);
  });

  it("every bucket belongs to exactly one version", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 9_999 }),
        (units, bucket) => {
          const ranges = layoutSplit(
            { stable: (10_000 - units) / 100, canary: units / 100 },
            "stable",
            ["canary"],
          );
          const owners = ranges.filter((r) => bucket >= r.start && bucket < r.end);
          expect(owners).toHaveLength(1);
        },
      ),
    );
  });
});
