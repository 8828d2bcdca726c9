// Host claims: refused when another service holds them, free when given up in the same change.
import { describe, expect, it } from "vitest";
import { claimConflicts } from "./claims.ts";

const a = { service: "a", hosts: ["a.example.com"], pathPrefix: "/" };
const b = { service: "b", hosts: ["b.example.com"], pathPrefix: "/" };

describe("host claims", () => {
  it("a host another service holds is refused, naming the owner", () => {
    expect(
      claimConflicts(
        [a, b],
        [{ service: "c", hosts: ["x.example.com", "b.example.com"], pathPrefix: "/" }],
      ),
    ).toEqual([{ service: "c", index: 1, host: "b.example.com", pathPrefix: "/", owner: "b" }]);
  });

  it("the same host under another path prefix is a different claim", () => {
    expect(
      claimConflicts([a], [{ service: "c", hosts: ["a.example.com"], pathPrefix: "/api" }]),
    ).toEqual([]);
  });

  it("a swap in one change is free: each service gives up what the other takes", () => {
    const swap = [
      { ...a, hosts: ["b.example.com"] },
      { ...b, hosts: ["a.example.com"] },
    ];
    expect(claimConflicts([a, b], swap)).toEqual([]);
    // Done as two separate changes, the first one is refused.
    expect(claimConflicts([a, b], [swap[0]!])).toHaveLength(1);
  });

  it("two services of one change claiming the same host: the second is refused", () => {
    const both = [
      { service: "c", hosts: ["n.example.com"], pathPrefix: "/" },
      { service: "d", hosts: ["n.example.com"], pathPrefix: "/" },
    ];
    expect(claimConflicts([], both)).toEqual([
      { service: "d", index: 0, host: "n.example.com", pathPrefix: "/", owner: "c" },
    ]);
  });
});
