import { describe, expect, it } from "vitest";
import { cidrContains, parseCidr, parseIp } from "./cidr.ts";

describe("CIDR", () => {
  const contains = (cidr: string, ip: string) => cidrContains(parseCidr(cidr)!, parseIp(ip)!);

  it("IPv4 ranges", () => {
    expect(contains("10.0.0.0/8", "10.255.1.1")).toBe(true);
    expect(contains("10.0.0.0/8", "11.0.0.1")).toBe(false);
    expect(contains("192.0.2.7", "192.0.2.7")).toBe(true);
    expect(contains("0.0.0.0/0", "203.0.113.9")).toBe(true);
  });

  it("IPv6 ranges, compressed forms and embedded IPv4", () => {
    expect(contains("2001:db8::/32", "2001:db8:ffff::1")).toBe(true);
    expect(contains("2001:db8::/32", "2001:db9::1")).toBe(false);
    expect(contains("::ffff:0:0/96", "::ffff:192.0.2.1")).toBe(true);
    expect(contains("::1/128", "0:0:0:0:0:0:0:1")).toBe(true);
    expect(contains("10.0.0.0/8", "::ffff:10.0.0.1")).toBe(false);
  });

  it("rejects what is not an address or prefix", () => {
    for (const bad of [
      "10.0.0.0/33",
      "256.0.0.1",
      "10.0.0",
      "2001:db8:::1",
      "1:2:3:4:5:6:7:8:9",
      "::/129",
      "10.0.0.0/",
      "x",
    ]) {
      expect(parseCidr(bad), bad).toBeUndefined();
    }
  });
});
