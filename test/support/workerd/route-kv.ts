// The route keys in the real KV binding, as tests write and read them: a publication per service
// (head, one key per service, host index shards) as the registry writes it, the whole document an
// older registry wrote, and the published services read back from either shape.
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import {
  hostShardKey,
  hostShardOf,
  ROOT_SHARD,
  ROUTES_HEAD_KEY,
  ROUTES_KEY,
  type RoutesHead,
  serviceKey,
} from "../../../schemas/route-doc-format.ts";
import {
  HostShardDoc,
  RouteEntry,
  RoutesDocEnvelope,
  RoutesHead as RoutesHeadSchema,
  ServiceDocEnvelope,
} from "../../../schemas/routes-doc.ts";
import { registryOf } from "../../../worker/contracts.ts";

/** What the last `writePublication` wrote: services by name, and the shards holding hosts. */
const written = { services: new Set<string>(), shards: new Set<number>() };

function nameOf(entry: unknown, i: number): string {
  const name = (entry as { name?: unknown } | null)?.name;
  return typeof name === "string" ? name : `entry-${i}`;
}

function hostsOf(entry: unknown): string[] {
  const hosts = (entry as { config?: { hosts?: unknown } } | null)?.config?.hosts;
  return Array.isArray(hosts) ? hosts.filter((h): h is string => typeof h === "string") : [];
}

/**
 * Publishes `entries` (anything: a hand edit or old code could write it) as the registry does:
 * every entry's key and the host index rewritten, services no longer listed deleted, the head
 * naming them all as changed by `generation` (an isolate holding the previous one reads them).
 */
export async function writePublication(entries: unknown[], generation: number): Promise<void> {
  const routes = env.ROUTES;
  const shards = new Map<number, Record<string, string[]>>();
  const names = entries.map(nameOf);
  entries.forEach((entry, i) => {
    for (const host of hostsOf(entry)) {
      const hosts = shards.get(hostShardOf(host)) ?? {};
      hosts[host] = [...(hosts[host] ?? []), names[i]!];
      shards.set(hostShardOf(host), hosts);
    }
  });
  const gone = [...written.services].filter((name) => !names.includes(name));
  const emptied = [...written.shards].filter((shard) => !shards.has(shard));
  await Promise.all([
    ...entries.map((entry, i) =>
      routes.put(serviceKey(names[i]!), JSON.stringify({ format: 1, generation, entry })),
    ),
    ...gone.map((name) => routes.delete(serviceKey(name))),
    ...[...shards]
      .filter(([shard]) => shard !== ROOT_SHARD)
      .map(([shard, hosts]) =>
        routes.put(hostShardKey(shard), JSON.stringify({ format: 1, generation, hosts })),
      ),
    ...emptied.map((shard) => routes.delete(hostShardKey(shard))),
    routes.delete(ROUTES_KEY),
  ]);
  const head: RoutesHead = {
    format: 1,
    generation,
    publishedAt: new Date().toISOString(),
    recentSince: generation - 1,
    recent: [
      {
        generation,
        services: [...names, ...gone],
        shards: [...new Set([...shards.keys(), ...emptied])].filter((s) => s !== ROOT_SHARD),
      },
    ],
    rootHosts: shards.get(ROOT_SHARD) ?? {},
  };
  await routes.put(ROUTES_HEAD_KEY, JSON.stringify(head));
  written.services = new Set(names);
  written.shards = new Set(shards.keys());
}

/** Writes the whole document of an older registry (`routes:v1`), with no head beside it. */
export async function writeDocument(doc: string): Promise<void> {
  await env.ROUTES.delete(ROUTES_HEAD_KEY);
  await env.ROUTES.put(ROUTES_KEY, doc);
}

/**
 * Makes the registry write what it owes KV now (its alarm, skipping the 1 s coalescing) and waits
 * until KV holds it. The registry's own alarm, a second after its last write, may have fired just
 * before: its write is then in flight, and the alarm run here finds nothing owed and returns
 * before that write lands. No head (an older registry's document, an upgrade still writing its
 * keys): nothing to wait for.
 */
export async function flushRegistry(): Promise<void> {
  const registry = registryOf(env);
  await runDurableObjectAlarm(registry);
  const generation = await registry.generation();
  let written: number | undefined;
  for (let tries = 0; tries < 200; tries++) {
    const head = (await env.ROUTES.get(ROUTES_HEAD_KEY, "json")) as { generation: number } | null;
    if (head === null || head.generation >= generation) return;
    written = head.generation;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  // Said here, not left to the test's next assertion to fail on a table it thinks is current.
  throw new Error(
    `flushRegistry: KV's route head stayed at generation ${written} for 2 s; the registry is at ${generation}`,
  );
}

/** The head the registry wrote (throws when there is none or it does not fit its schema). */
export async function readHead(): Promise<RoutesHead> {
  return RoutesHeadSchema.parse(await env.ROUTES.get(ROUTES_HEAD_KEY, "json")) as RoutesHead;
}

/** One service's entry as published, unchecked (undefined: no key). */
export async function readPublishedRaw(name: string): Promise<unknown> {
  const raw = await env.ROUTES.get(serviceKey(name), "json");
  return raw === null ? undefined : ServiceDocEnvelope.parse(raw).entry;
}

/** One service's entry as published (undefined: no key). */
export async function readPublishedEntry(name: string): Promise<RouteEntry | undefined> {
  const entry = await readPublishedRaw(name);
  return entry === undefined ? undefined : RouteEntry.parse(entry);
}

/** One host index shard as published ({} when absent). */
export async function readHostShard(shard: number): Promise<Record<string, string[]>> {
  const raw = await env.ROUTES.get(hostShardKey(shard), "json");
  return raw === null ? {} : HostShardDoc.parse(raw).hosts;
}

/**
 * Every published service's entry as KV holds it (unchecked), in name order, with the generation
 * KV holds: from the keys of a publication per service when a head exists, else the document.
 */
export async function readPublishedEntries(): Promise<{ generation: number; services: unknown[] }> {
  const head = await env.ROUTES.get(ROUTES_HEAD_KEY, "json");
  if (head === null) {
    const doc = RoutesDocEnvelope.parse(await env.ROUTES.get(ROUTES_KEY, "json"));
    return { generation: doc.generation, services: doc.services };
  }
  const prefix = serviceKey("");
  const { keys } = await env.ROUTES.list({ prefix });
  const names = keys.map(({ name }) => name.slice(prefix.length)).sort();
  return {
    generation: RoutesHeadSchema.parse(head).generation,
    services: await Promise.all(names.map(readPublishedRaw)),
  };
}

/** Every published service's entry, checked against RouteEntry. */
export async function readPublished(): Promise<{ generation: number; services: RouteEntry[] }> {
  const { generation, services } = await readPublishedEntries();
  return { generation, services: services.map((entry) => RouteEntry.parse(entry)) };
}
