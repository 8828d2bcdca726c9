import { describe, expect, it } from "vitest";
import { HaltedVersions } from "./halted-versions.ts";

const halt = { rolloutId: "r1", sequence: 8 };

describe("halted versions", () => {
  it("divert only while the table holds the service below the halt's sequence", () => {
    const halted = new HaltedVersions();
    halted.learn("shop", "canary", halt, 7);
    expect(halted.isHalted("shop", "canary", 7)).toBe(true);
    expect(halted.isHalted("shop", "stable", 7)).toBe(false);
    expect(halted.isHalted("shop", "canary", 8)).toBe(false);
    expect(halted.list()).toEqual([]);
    // Once lifted, the same halt learned again is ignored while the table is at its sequence.
    halted.learn("shop", "canary", halt, 8);
    expect(halted.isHalted("shop", "canary", 8)).toBe(false);
  });

  it("a halt whose sequence the table already passed is never held", () => {
    const halted = new HaltedVersions();
    halted.learn("shop", "canary", halt, 9);
    expect(halted.list()).toEqual([]);
  });

  it("a stats object answering no halt lifts the one held", () => {
    const halted = new HaltedVersions();
    halted.learn("shop", "canary", halt, 7);
    halted.learn("shop", "canary", null, 7);
    expect(halted.isHalted("shop", "canary", 7)).toBe(false);
  });
});
