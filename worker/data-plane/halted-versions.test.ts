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

  it("an answer heard on a flush is judged against the sequence the loaded table holds", () => {
    const sequences = new Map([["shop", 7]]);
    const halted = new HaltedVersions({ sequenceOf: (service) => sequences.get(service) ?? -1 });
    halted.heard("shop", "canary", halt);
    expect(halted.list()).toEqual(["shop/canary"]);
    // The table caught up with the rollback's publication: the same answer holds nothing.
    sequences.set("shop", 8);
    halted.heard("shop", "canary", halt);
    expect(halted.list()).toEqual([]);
  });
});
