import { describe, expect, it } from "vitest";
import {
  HOST_SHARDS,
  hostShardOf,
  ROOT_SHARD,
  requestShards,
  rootWildcardOf,
} from "./route-doc-format.ts";

describe("the host index's shards", () => {
  it("hold a request host's candidates in its own shard and its site's", () => {
    const site = hostShardOf("example.com");
    for (const wildcard of ["*.shop.example.com", "*.example.com", "*.a.b.example.com"])
      expect(hostShardOf(wildcard), wildcard).toBe(site);
    for (const host of ["a.shop.example.com", "x.y.z.example.com", "example.com"]) {
      expect(requestShards(host), host).toContain(hostShardOf(host));
      expect(requestShards(host), host).toContain(site);
    }
    expect(requestShards("example.com")).toEqual([site]);
  });

  it("spread the exact hosts of one domain over every shard", () => {
    const shards = new Set(
      Array.from({ length: 2_000 }, (_, i) => hostShardOf(`svc${i}.company.example`)),
    );
    expect(shards.size).toBe(HOST_SHARDS);
    expect(Math.min(...shards)).toBe(0);
    expect(Math.max(...shards)).toBe(HOST_SHARDS - 1);
  });

  it("are fixed by the format: a registry and isolates of other releases must agree", () => {
    expect(hostShardOf("example.com")).toBe(38);
    expect(hostShardOf("localhost")).toBe(58);
    expect(hostShardOf("*.shop.example.com")).toBe(38);
  });

  it("list a wildcard over one label in the head, and name it for a request's host", () => {
    expect(hostShardOf("*.com")).toBe(ROOT_SHARD);
    expect(hostShardOf("com")).not.toBe(ROOT_SHARD);
    expect(rootWildcardOf("shop.example.com")).toBe("*.com");
    expect(rootWildcardOf("localhost")).toBeUndefined();
  });
});
