// "Did you mean": near misses get the nearest allowed word, far ones get nothing.
import { describe, expect, it } from "vitest";
import { nearest } from "./suggest.ts";

describe("did you mean", () => {
  it("finds a near miss: a letter missing, doubled or wrong", () => {
    expect(nearest("canry", ["stable", "canary"])).toBe("canary");
    expect(nearest("rolback", ["rollback", "pause"])).toBe("rollback");
    expect(nearest("histroy", ["history", "explain"])).toBe("history");
  });

  it("counts two letters swapped side by side as one slip", () => {
    expect(nearest("gte", ["get", "diff", "apply"])).toBe("get");
    expect(nearest("strat", ["start", "status"])).toBe("start");
    expect(nearest("abrot", ["abort", "pause"])).toBe("abort");
  });

  it("takes a word cut short for the one word it begins", () => {
    expect(nearest("stat", ["start", "status", "abort"])).toBe("status");
    expect(nearest("promo", ["pause", "promote"])).toBe("promote");
    // Begun by two words: no guess between them.
    expect(nearest("sta", ["start", "status"])).toBeUndefined();
  });

  it("suggests nothing for a word that is not close to any", () => {
    expect(nearest("xyz", ["get", "apply"])).toBeUndefined();
    expect(nearest("tge", ["get"])).toBeUndefined();
  });
});
