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

  it("suggests nothing for a word that is not close to any", () => {
    expect(nearest("xyz", ["get", "apply"])).toBeUndefined();
    expect(nearest("tge", ["get"])).toBeUndefined();
  });
});
