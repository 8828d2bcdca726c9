import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "./duration.ts";

describe("time spans in words", () => {
  it("keep the unit that makes them true: seconds under a minute, never rounded to 0m", () => {
    expect(formatDuration(45_513)).toBe("45s");
    expect(formatDuration(125_000)).toBe("2m05s");
    expect(formatDuration(30 * 60_000)).toBe("30m");
    expect(formatDuration(3_630_000)).toBe("1h00m30s");
    expect(formatDuration(5_400_999)).toBe("1h30m");
    expect(formatDuration(600)).toBe("600ms");
  });

  it("read back as a duration no longer than the span, and less than a second shorter", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 86_400_000 }), (ms) => {
        const back = parseDuration(formatDuration(ms))!;
        expect(back).toBeLessThanOrEqual(ms);
        expect(ms - back).toBeLessThan(1_000);
      }),
    );
  });
});
