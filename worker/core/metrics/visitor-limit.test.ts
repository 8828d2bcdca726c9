// The per-visitor bound of a step's window: a visitor counts `limit` times, an address ten times
// that, and a new publication of the service (the next window) starts the counts again.
import { describe, expect, it } from "vitest";
import { ADDRESS_FACTOR, addressKey, MAX_TRACKED, VisitorLimit } from "./visitor-limit.ts";

describe("the visitor bound", () => {
  it("counts a visitor `limit` times a window; the next publication starts again", () => {
    const limit = new VisitorLimit();
    const admitted = (sequence: number) =>
      Array.from({ length: 5 }, () => limit.admit("shop", sequence, "v1", null, 3)).filter(Boolean)
        .length;
    expect(admitted(7)).toBe(3);
    expect(limit.limited).toBe(2);
    expect(admitted(8)).toBe(3);
    // Another visitor and another service have their own counts.
    expect(limit.admit("shop", 8, "v2", null, 3)).toBe(true);
    expect(limit.admit("other", 8, "v1", null, 3)).toBe(true);
  });

  it("an address counts ten visitors' share, whatever ids it sends", () => {
    const limit = new VisitorLimit();
    let counted = 0;
    for (let i = 0; i < 100; i++)
      if (limit.admit("shop", 1, `id-${i}`, "203.0.113.9", 2)) counted++;
    expect(counted).toBe(2 * ADDRESS_FACTOR);
    expect(limit.admit("shop", 1, "id-new", "203.0.113.10", 2)).toBe(true);
  });

  it("an IPv6 client counts by its /64: a fresh address of its network for each request is still one address", () => {
    const limit = new VisitorLimit();
    let counted = 0;
    for (let i = 0; i < 100; i++)
      if (limit.admit("shop", 1, `id-${i}`, `2001:db8:1:2:${i.toString(16)}::1`, 2)) counted++;
    expect(counted).toBe(2 * ADDRESS_FACTOR);
    // Another /64 is another client.
    expect(limit.admit("shop", 1, "id-new", "2001:db8:1:3::1", 2)).toBe(true);
    expect(addressKey("2001:db8:1:2:ffff::9")).toBe(addressKey("2001:0db8:0001:0002::"));
    expect(addressKey("203.0.113.9")).toBe("203.0.113.9");
    expect(addressKey("::ffff:203.0.113.9")).not.toBe(addressKey("::ffff:203.0.113.10"));
  });

  it("once the window tracks as many addresses as it can, a new address is not counted at all, never unbounded", () => {
    const limit = new VisitorLimit();
    // Honest traffic (or a client with a /48 of IPv6 networks) fills the tables: one request each.
    for (let i = 0; i < MAX_TRACKED; i++)
      limit.admit("shop", 1, `id-${i}`, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 2);
    let counted = 0;
    for (let i = 0; i < 1_000; i++)
      if (limit.admit("shop", 1, "hostile", "198.51.100.7", 2)) counted++;
    expect(counted).toBeLessThanOrEqual(2);
    // An address already tracked keeps its share.
    expect(limit.admit("shop", 1, "id-0", "10.0.0.0", 2)).toBe(true);
    expect(limit.admit("shop", 1, "id-0", "10.0.0.0", 2)).toBe(false);
  });
});
