// The route keys' contract beyond their shape, with no schema library (the data plane reads them
// at start-up): where they live in KV, how hosts are sharded, the shapes of the keys of a
// publication per service, and the capabilities a data plane of this release has.

/**
 * KV key of the whole route document older registries wrote (docs/storage.md): read while no
 * head exists, deleted by a registry's first publication per service.
 */
export const ROUTES_KEY = "routes:v1";

/**
 * What a data plane of this release understands beyond the fields it decodes. A route entry whose
 * meaning an older data plane would get wrong by ignoring a new field (a new kind of condition, a
 * field that changes where traffic goes) names a capability in `needs`; an isolate without it
 * keeps serving that service's last good entry. A release that adds such a field adds its
 * capability here, and the registry names it in `needs` on the entries that use the field.
 */
export const DATA_PLANE_CAPABILITIES: ReadonlySet<string> = new Set<string>();

// ── Publication per service (format 2 of storage) ──────────────────────────────────────────────
// Instead of one value of every service, the registry writes one key per service, a host index
// sharded by site, and a small head naming what the last publications changed. The data plane
// reads the head, then only the shards and services the hosts it serves need (docs/storage.md).

/** The head: generation, and what the recent publications changed (RoutesHead). */
export const ROUTES_HEAD_KEY = "routes:v2:head";
const SERVICE_KEY_PREFIX = "routes:v2:service:";
const HOST_SHARD_KEY_PREFIX = "routes:v2:hosts:";

/**
 * Host index shards. Fixed: changing it moves every host, so it is part of the format. 64 keeps a
 * shard near 150 hosts at 10,000 services (~6 KB), and one shard's rewrite small, while an
 * isolate serving many hosts holds them all after 64 reads.
 */
export const HOST_SHARDS = 64;

/** Where a host claimed by no site of its own is listed: the head's `rootHosts` ("*.com"). */
export const ROOT_SHARD = -1;

/** KV key of one service's published entry (ServiceDoc). */
export const serviceKey = (name: string): string => `${SERVICE_KEY_PREFIX}${name}`;

/** KV key of one host index shard (HostShardDoc). */
export const hostShardKey = (shard: number): string => `${HOST_SHARD_KEY_PREFIX}${shard}`;

/**
 * The shard of a host pattern. An exact host has its own ("shop.example.com"), so the hosts of
 * one busy domain spread over every shard; a wildcard sits in its site's (the last two labels):
 * "*.shop.example.com" and "*.example.com" both in the shard of "example.com". A request's host
 * therefore needs two shards at most, its own and its site's (requestShards). The exception is a
 * wildcard over a single label ("*.com"), which has no site: ROOT_SHARD, listed in the head.
 */
export function hostShardOf(pattern: string): number {
  if (!pattern.startsWith("*.")) return shardOfName(pattern);
  const domain = pattern.slice(2);
  return domain.includes(".") ? shardOfName(siteOf(domain)) : ROOT_SHARD;
}

/** The shards holding every exact and wildcard pattern a request's host may match. */
export function requestShards(host: string): number[] {
  const own = shardOfName(host);
  const site = shardOfName(siteOf(host));
  return own === site ? [own] : [own, site];
}

/** The last two labels of a host ("example.com" for "a.shop.example.com"). */
function siteOf(host: string): string {
  const last = host.lastIndexOf(".");
  return last < 0 ? host : host.slice(host.lastIndexOf(".", last - 1) + 1);
}

/** FNV-1a: stable across releases and runtimes (the registry and every isolate must agree). */
function shardOfName(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % HOST_SHARDS;
}

/** The single-label wildcard a request's host may fall under ("*.com" for "shop.example.com"). */
export function rootWildcardOf(host: string): string | undefined {
  const last = host.lastIndexOf(".");
  return last < 0 ? undefined : `*${host.slice(last)}`;
}

/** One publication as the head lists it: its generation, the services and shards it rewrote. */
export interface RecentPublication {
  generation: number;
  /** Services whose key it wrote or deleted. */
  services: string[];
  /** Host index shards it wrote or deleted. */
  shards: number[];
}

/** The head's shape; schemas/routes-doc.ts holds its zod schema, route-decoder.ts its decoder. */
export interface RoutesHead {
  format: 1;
  generation: number;
  publishedAt: string;
  /**
   * Every publication after `recentSince` is in `recent`: an isolate holding that generation or a
   * later one re-reads only what they name; one further behind re-reads everything it holds.
   */
  recentSince: number;
  recent: RecentPublication[];
  /** Single-label wildcards ("*.com") → services claiming them: the hosts of ROOT_SHARD. */
  rootHosts: Record<string, string[]>;
}

/** One host index shard: host pattern → the services claiming it (one per pathPrefix). */
export interface HostShardDoc {
  format: 1;
  /** The publication that wrote it. */
  generation: number;
  hosts: Record<string, string[]>;
}

/** One service's key: its route entry (RouteEntry), and the publication that wrote it. */
export interface ServiceDoc {
  format: 1;
  generation: number;
  entry: unknown;
}
