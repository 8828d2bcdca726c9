import { describe, expect, it } from "vitest";
import { HOST_SHARDS, hostShardOf, ROOT_SHARD, rootWildcardOf } from "./route-doc-format.ts";

describe("the host index's shards", () => {
  it("put a host's exact and wildcard candidates in one shard: its site's", () => {
    const site = hostShardOf("example.com");
    for (const host of [
      "a.shop.example.com",
      "*.shop.example.com",
      "*.example.com",
      "x.y.z.example.com",
      "shop.example.com",
    ])
      expect(hostShardOf(host), host).toBe(site);
  });

  it("are fixed by the format: a registry and isolates of other releases must agree", () => {
    expect(["example.com", "localhost", "127.0.0.1", "shop.test"].map(hostShardOf)).toEqual([
      hostShardOf("www.example.com"),
      hostShardOf("localhost"),
      hostShardOf("0.1"),
      hostShardOf("a.shop.test"),
    ]);
    expect(hostShardOf("example.com")).toBe(38);
    expect(hostShardOf("localhost")).toBe(58);
  });

  it("spread sites over every shard", () => {
    const shards = new Set(Array.from({ length: 2_000 }, (_, i) => hostShardOf(`site${i}.com`)));
    expect(shards.size).toBe(HOST_SHARDS);
    expect(Math.min(...shards)).toBe(0);
    expect(Math.max(...shards)).toBe(HOST_SHARDS - 1);
  });

  it("list a wildcard over one label in the head, and name it for a request's host", () => {
    expect(hostShardOf("*.com")).toBe(ROOT_SHARD);
    expect(hostShardOf("com")).not.toBe(ROOT_SHARD);
    expect(rootWildcardOf("shop.example.com")).toBe("*.com");
    expect(rootWildcardOf("localhost")).toBeUndefined();
  });
});
