// The KV keys a registry's publication per service writes (a head, the host shards, a key per
// service), built from service configs: what a benchmark seeds KV with so that an isolate reads
// the route table as production publishes it.
import { ConfigFile } from "../../schemas/config-file.ts";
import {
  type HostShardDoc,
  hostShardKey,
  hostShardOf,
  ROUTES_HEAD_KEY,
  type RoutesHead,
  type ServiceDoc,
  serviceKey,
} from "../../schemas/route-doc-format.ts";
import type { ServiceInput } from "../../schemas/service.ts";

/** The KV keys a registry's publication per service writes for these services. */
export function publishedKeys(services: ServiceInput[]): Map<string, string> {
  const parsed = ConfigFile.parse({ services }).services;
  const keys = new Map<string, string>();
  const shards = new Map<number, HostShardDoc>();
  for (const config of parsed) {
    const doc: ServiceDoc = {
      format: 1,
      generation: 1,
      entry: { name: config.name, sequence: 1, config },
    };
    keys.set(serviceKey(config.name), JSON.stringify(doc));
    for (const host of config.hosts) {
      const shard = hostShardOf(host);
      const index = shards.get(shard) ?? { format: 1, generation: 1, hosts: {} };
      index.hosts[host] = [config.name];
      shards.set(shard, index);
    }
  }
  for (const [shard, doc] of shards) keys.set(hostShardKey(shard), JSON.stringify(doc));
  const head: RoutesHead = {
    format: 1,
    generation: 1,
    publishedAt: new Date(0).toISOString(),
    recentSince: 1,
    recent: [],
    rootHosts: {},
  };
  keys.set(ROUTES_HEAD_KEY, JSON.stringify(head));
  return keys;
}
