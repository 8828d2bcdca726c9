// The refused-token bound's memory: addresses tracked per minute are capped, IPv6 ones by /64.
import { describe, expect, it } from "vitest";
import { clientKeyOf, MAX_REFUSALS_PER_MINUTE, MAX_TRACKED_CLIENTS, Refusals } from "./auth.ts";

const NOW = 1_700_000_000_000;

describe("refused tokens per address", () => {
  it("tracks at most MAX_TRACKED_CLIENTS addresses a minute, however many refusals arrive", () => {
    const refusals = new Refusals();
    for (let i = 0; i < MAX_TRACKED_CLIENTS * 2; i++)
      refusals.note(`2001:db8:${(i >>> 16).toString(16)}:${(i & 0xffff).toString(16)}::1`, NOW);
    expect(refusals.tracked).toBe(MAX_TRACKED_CLIENTS);
    expect(refusals.total).toBe(MAX_TRACKED_CLIENTS * 2);
    // The addresses tracked keep their bound; the next minute starts empty.
    for (let i = 0; i < MAX_REFUSALS_PER_MINUTE; i++) refusals.note("2001:db8:0:1::9", NOW);
    expect(refusals.exhausted("2001:db8:0:1::9", NOW)).toBe(true);
    expect(refusals.exhausted("2001:db8:0:1::9", NOW + 60_000)).toBe(false);
    expect(refusals.tracked).toBe(0);
  });

  it("counts an IPv6 address by its /64, an IPv4 one by itself", () => {
    const refusals = new Refusals();
    for (let i = 1; i <= MAX_REFUSALS_PER_MINUTE; i++)
      refusals.note(`2001:db8:1:2:${i.toString(16)}::${i}`, NOW);
    expect(refusals.exhausted("2001:0DB8:0001:0002:ffff:ffff:ffff:ffff", NOW)).toBe(true);
    expect(refusals.exhausted("2001:db8:1:3::1", NOW)).toBe(false);
    expect(refusals.tracked).toBe(1);
    for (let i = 1; i <= MAX_REFUSALS_PER_MINUTE; i++) refusals.note(`198.51.100.${i}`, NOW);
    expect(refusals.exhausted("198.51.100.1", NOW)).toBe(false);
  });

  it("keys addresses as expected, and anything else cut short", () => {
    expect(clientKeyOf("2001:db8::1")).toBe("20010db800000000::/64");
    expect(clientKeyOf("::1")).toBe("0::/64");
    expect(clientKeyOf("2001:db8:a:b:c:d:e:f")).toBe("20010db8000a000b::/64");
    expect(clientKeyOf("::ffff:198.51.100.1")).toBe("::ffff:198.51.100.1");
    expect(clientKeyOf("198.51.100.1")).toBe("198.51.100.1");
    expect(clientKeyOf("unknown")).toBe("unknown");
    expect(clientKeyOf("x".repeat(16_000))).toHaveLength(64);
    expect(clientKeyOf("1:2:3::4::5")).toBe("1:2:3::4::5");
  });
});
