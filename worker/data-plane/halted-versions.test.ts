import { describe, expect, it } from "vitest";
import { HaltedVersions } from "./halted-versions.ts";

describe("halted versions", () => {
  it("hold until a newer table generation, or five minutes", () => {
    const halted = new HaltedVersions();
    halted.halt("shop", "canary", 7, 0);
    expect(halted.isHalted("shop", "canary", 7, 1000)).toBe(true);
    expect(halted.isHalted("shop", "stable", 7, 1000)).toBe(false);
    expect(halted.isHalted("shop", "canary", 8, 1000)).toBe(false);
    expect(halted.list()).toEqual([]);
    halted.halt("shop", "canary", 8, 0);
    expect(halted.isHalted("shop", "canary", 8, 5 * 60_000 + 1)).toBe(false);
  });
});
