import { describe, expect, it, vi } from "vitest";
import { publishedKeys } from "../../bench/lib/published-keys.ts";
import { ConfigFile } from "../../schemas/config-file.ts";
import {
  hostShardKey,
  hostShardOf,
  ROUTES_HEAD_KEY,
  ROUTES_KEY,
  requestShards,
  serviceKey,
} from "../../schemas/route-doc-format.ts";
import type { ServiceInput } from "../../schemas/service.ts";
import { shopService } from "../../test/support/fixtures.ts";
import { findService } from "../core/compile.ts";
import { PublishedRoutes } from "./published-routes.ts";
import { decodeHead } from "./route-decoder.ts";
import { ServiceCompiler } from "./service-compiler.ts";
import { RouteTableCache } from "./table-cache.ts";

function doc(generation: number, service: ServiceInput = shopService()): string {
  const services = ConfigFile.parse({ services: [service] }).services;
  return JSON.stringify({
    format: 2,
    generation,
    publishedAt: new Date(0).toISOString(),
    services: services.map((config) => ({ name: config.name, sequence: generation, config })),
  });
}

function cacheOver(values: (() => string | null)[], refreshMs = 30_000) {
  const logs: string[] = [];
  let call = 0;
  const cache = new RouteTableCache({
    // The whole document only (no head): what an older registry published.
    read: async (key) =>
      key === ROUTES_KEY ? values[Math.min(call++, values.length - 1)]!() : null,
    refreshMs,
    log: (m) => logs.push(m),
  });
  const background: Promise<unknown>[] = [];
  const current = (now: number) =>
    cache.current(now, "shop.example.com", (p) => background.push(p));
  /** Reads of the document (each refresh reads the head first, absent here). */
  const reads = () => call;
  return { cache, logs, background, current, reads };
}

describe("the isolate route-table cache", () => {
  it("serves from memory until the refresh interval, then refreshes in the background", async () => {
    const { reads, background, current } = cacheOver([() => doc(1), () => doc(2)]);
    expect((await current(0)).table?.generation).toBe(1);
    expect((await current(29_999)).table?.generation).toBe(1);
    expect(reads()).toBe(1);
    expect((await current(30_000)).table?.generation).toBe(1);
    await Promise.all(background);
    expect((await current(30_001)).table?.generation).toBe(2);
    expect(reads()).toBe(2);
  });

  it("an isolate idle for over twice the interval refreshes before serving", async () => {
    const { reads, background, current } = cacheOver([() => doc(1), () => doc(2)]);
    await current(0);
    expect((await current(60_000)).table?.generation).toBe(2);
    expect(background).toHaveLength(0);
    expect(reads()).toBe(2);
  });

  it("requests arriving during a blocking refresh wait for it too", async () => {
    const { current } = cacheOver([() => doc(1), () => doc(2)]);
    await current(0);
    const results = await Promise.all([current(60_000), current(60_001), current(60_002)]);
    expect(results.map((r) => r.table?.generation)).toEqual([2, 2, 2]);
  });

  it("shares one read among concurrent cold requests", async () => {
    const { reads, current } = cacheOver([() => doc(1)]);
    await Promise.all([current(0), current(0), current(0)]);
    expect(reads()).toBe(1);
  });

  it("keeps the last good table when KV throws, and logs why", async () => {
    const { logs, background, current } = cacheOver([
      () => doc(1),
      () => {
        throw new Error("KV is down");
      },
    ]);
    await current(0);
    await current(60_000);
    await Promise.all(background);
    expect((await current(60_001)).table?.generation).toBe(1);
    expect(logs.join("\n")).toMatch(/KV is down; still serving generation 1/);
  });

  it("with nothing loaded, reports the problem and retries KV at most once a second", async () => {
    const { reads, current } = cacheOver([() => null]);
    const state = await current(0);
    expect(state.table).toBeUndefined();
    expect(state.table === undefined && state.problem).toContain(
      "no route table has been published",
    );
    await current(500);
    expect(reads()).toBe(1);
    await current(1_000);
    expect(reads()).toBe(2);
  });
});

describe("eventual consistency", () => {
  it("never goes back to an older generation", async () => {
    const { background, current } = cacheOver([() => doc(5), () => doc(4)], 10);
    expect((await current(0)).table?.generation).toBe(5);
    await current(100);
    await Promise.all(background);
    expect((await current(101)).table?.generation).toBe(5);
  });
});

/** KV as a publication per service leaves it for the shop: head, its host's shard, its key. */
function publishedShop(host: string): Map<string, string> {
  return publishedKeys([shopService({ hosts: [host] })]);
}

describe("a fresh isolate reading a key per service", () => {
  it("reads the head and the host's two shards at once, then its service: two KV round trips", async () => {
    // A host whose own shard is not its site's (shop.example.com shares example.com's).
    const host = "app.example.com";
    const kv = publishedShop(host);
    const shards = requestShards(host).map(hostShardKey);
    expect(shards).toHaveLength(2);
    // Every read waits until the test lets it go: what was asked before any answer is in flight.
    const waiting: { key: string; answer: () => void }[] = [];
    const cache = new RouteTableCache({
      read: (key) =>
        new Promise((resolve) => waiting.push({ key, answer: () => resolve(kv.get(key) ?? null) })),
      refreshMs: 30_000,
    });
    const serving = cache.current(0, host, () => {});
    const roundTrips: string[][] = [];
    while (roundTrips.length < 10) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (waiting.length === 0) break;
      const inFlight = waiting.splice(0);
      roundTrips.push(inFlight.map((read) => read.key).sort());
      for (const read of inFlight) read.answer();
    }
    expect(roundTrips).toEqual([[...shards, ROUTES_HEAD_KEY].sort(), [serviceKey("shop")]]);
    expect((await serving).table?.services.has("shop")).toBe(true);
  });
});

describe("a fresh isolate whose shard read fails", () => {
  it("says the table could not be read, then reads the shard again and serves", async () => {
    const host = "app.example.com";
    const kv = publishedShop(host);
    let failShard = true;
    const cache = new RouteTableCache({
      read: async (key) => {
        if (failShard && key === hostShardKey(hostShardOf(host))) throw new Error("KV timed out");
        return kv.get(key) ?? null;
      },
      refreshMs: 30_000,
    });
    const first = await cache.current(0, host, () => {});
    expect(first.table).toBeUndefined();
    expect(first.table === undefined && first.problem).toMatch(/KV timed out/);
    failShard = false;
    const later = await cache.current(1_500, host, () => {});
    expect(later.table?.services.has("shop")).toBe(true);
  });
});

describe("a fresh isolate whose head cannot be read as one", () => {
  it("drops the shard reads it started beside it, and reads them again when it next tries", async () => {
    const host = "app.example.com";
    const kv = publishedShop(host);
    const reads = new Map<string, number>();
    let badHead = true;
    const cache = new RouteTableCache({
      read: async (key) => {
        reads.set(key, (reads.get(key) ?? 0) + 1);
        if (badHead && key === ROUTES_HEAD_KEY) return "{ not json";
        return kv.get(key) ?? null;
      },
      refreshMs: 30_000,
    });
    expect((await cache.current(0, host, () => {})).table).toBeUndefined();
    badHead = false;
    expect((await cache.current(1_500, host, () => {})).table?.services.has("shop")).toBe(true);
    // Not the first attempt's answers, which may be a second old: each shard read twice.
    for (const shard of requestShards(host).map(hostShardKey)) expect(reads.get(shard)).toBe(2);
  });
});

describe("RE2 in a fresh isolate", () => {
  /**
   * A fresh isolate's table load (nothing loaded yet) of the shop with one rule, `legacy`: paths
   * matching `regex` go to stable, the rest to the canary.
   */
  async function loadInFreshIsolate(regex: string) {
    vi.resetModules();
    const engine = await import("../core/regex-engine.ts");
    const { RouteTableCache: FreshCache } = await import("./table-cache.ts");
    const { decideRoute } = await import("../core/decide.ts");
    const { factsFromDescription } = await import("../core/facts.ts");
    expect(() => engine.regexEngine()).toThrow("RE2 is not loaded");
    const service = shopService({
      split: { stable: 0, canary: 100 },
      rules: [{ name: "legacy", when: { path: { regex } }, route: "stable" }],
    });
    // An older registry's whole document; a key per service is covered end to end (the
    // explain-agrees e2e case with a real regex rule, on a fresh workerd).
    const cache = new FreshCache({
      read: async (key) => (key === ROUTES_KEY ? doc(1, service) : null),
      refreshMs: 30_000,
    });
    const { table } = await cache.current(0, "shop.example.com", () => {});
    expect(table?.services.has("shop")).toBe(true);
    const versionFor = (path: string) =>
      decideRoute(factsFromDescription({ host: "shop.example.com", path }), table!, {
        now: 0,
        overrideSecret: undefined,
        mintVisitorId: () => "visitor-0001",
      })?.version.name;
    return { engine, versionFor };
  }

  it("is loaded by the table load for a pattern string search cannot answer, and the service routes by it", async () => {
    const { engine, versionFor } = await loadInFreshIsolate("^/v[0-9]+/(legacy|old)/");
    expect(versionFor("/v2/legacy/orders")).toBe("stable");
    expect(versionFor("/v2/old/orders")).toBe("stable");
    expect(versionFor("/v2/orders")).toBe("canary");
    expect(engine.regexEngine()).toBeDefined();
  });

  it.each([
    ["plain words", "^/legacy/", "/legacy/orders", "/orders"],
    ["an anchored sequence of classes and repeats", "^/v[0-9]+/legacy/", "/v2/legacy/x", "/v2/x"],
    ["a sequence anchored at the end", "/legacy/[a-z]+\\.json$", "/v1/legacy/a.json", "/a.json"],
  ])("stays unloaded for a table whose patterns are %s", async (_, regex, matching, other) => {
    const { engine, versionFor } = await loadInFreshIsolate(regex);
    expect(versionFor(matching)).toBe("stable");
    expect(versionFor(other)).toBe("canary");
    expect(() => engine.regexEngine()).toThrow("RE2 is not loaded");
  });
});

describe("a request for a host of thousands of labels", () => {
  it("looks up only suffixes as long as a wildcard held, not one per label (each hashing the rest)", async () => {
    const kv = publishedKeys([shopService({ hosts: ["*.shop.example.com"] })]);
    const cache = new RouteTableCache({
      read: async (key) => kv.get(key) ?? null,
      refreshMs: 30_000,
    });
    for (const [site, served] of [
      ["shop.example.com", "shop"],
      ["other.example.com", undefined],
    ] as const) {
      // 16 KB: the longest URL Cloudflare passes on.
      const host = `${"a.".repeat(8_000)}${site}`;
      let state: Awaited<ReturnType<RouteTableCache["current"]>> | undefined;
      const resolving = await charactersLookedUp(async () => {
        state = await cache.current(0, host, () => {});
      });
      expect(resolving).toBeLessThan(4 * host.length);
      const table = state!.table!;
      expect(findService(table, host, "/")?.name).toBe(served);
      expect(await charactersLookedUp(async () => findService(table, host, "/"))).toBeLessThan(
        2 * host.length,
      );
    }
  });
});

describe("the hosts an isolate remembers as resolved", () => {
  it("hold at most 1 MiB of host names, whatever a client writes in Host", async () => {
    const kv = publishedKeys([shopService({ hosts: ["*.shop.example.com"] })]);
    const head = decodeHead(JSON.parse(kv.get(ROUTES_HEAD_KEY)!));
    if (!head.ok) throw new Error("the head does not decode");
    const routes = new PublishedRoutes(
      head.value,
      async (key) => kv.get(key) ?? null,
      new ServiceCompiler(undefined, undefined),
      undefined,
    );
    // 100 hosts of 16 KB: 1.6 MB of names a client chose.
    for (let i = 0; i < 100; i++) {
      const host = `h${i}.${"a.".repeat(8_000)}shop.example.com`;
      expect(await routes.resolve(host, 0)).toBeUndefined();
      expect(routes.resolved(host)).toBe(true);
      expect(routes.resolvedCharacters).toBeLessThanOrEqual(1_048_576);
    }
  });
});

/** The characters of the string keys Map.prototype.get is asked for while `run` runs. */
async function charactersLookedUp(run: () => Promise<unknown>): Promise<number> {
  const get = Map.prototype.get;
  let characters = 0;
  Map.prototype.get = function (this: Map<unknown, unknown>, key: unknown) {
    if (typeof key === "string") characters += key.length;
    return get.call(this, key);
  };
  try {
    await run();
  } finally {
    Map.prototype.get = get;
  }
  return characters;
}
