// npm run bench:memory: the heap an isolate's route table takes with every service loaded (issue
// 24's target: ≤ 32 MB at 10,000 services). Two ways, over the KV keys a publication per service
// writes (a head, the host shards, a key per service), every host asked for once, as requests
// would:
// - workerd: the Worker as `npm run deploy` builds it, in Miniflare, one request per host; the
//   isolate's used heap read through the V8 inspector after a full GC, with every service loaded
//   less with one;
// - Node: the data plane's own table cache in Node's V8, the heap after a full GC against the
//   heap before. Node's V8 keeps full 8-byte pointers, so this is an upper bound.
//
// BENCH_MEMORY_SIZES=1,1000,10000 (default); two service shapes: the scale bench's (two versions,
// a rollout) and the benchmark's (12 rules of every kind, an experiment, a sticky cookie).
import { ConfigFile } from "../schemas/config-file.ts";
import {
  type HostShardDoc,
  hostShardKey,
  hostShardOf,
  ROUTES_HEAD_KEY,
  type RoutesHead,
  type ServiceDoc,
  serviceKey,
} from "../schemas/route-doc-format.ts";
import type { ServiceInput } from "../schemas/service.ts";
import { RouteTableCache } from "../worker/data-plane/table-cache.ts";
import { bundleKeystone } from "./lib/bundle.ts";
import { benchService } from "./lib/config.ts";
import { InspectorSession } from "./lib/inspector.ts";
import { startOriginProcess } from "./lib/processes.ts";
import { rolloutServiceConfig } from "./lib/scale-live.ts";
import { keystoneOptions, LEAN_FLOOR, startWorker } from "./lib/workers.ts";

const INSPECTOR_PORT = 9329;
const origin = await startOriginProcess();
const ORIGIN = origin.url;
const SIZES = (process.env.BENCH_MEMORY_SIZES ?? "1,1000,10000").split(",").map(Number);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc (npm run bench:memory does)");

const SHAPES: Record<string, (name: string) => ServiceInput> = {
  "two versions and a rollout (bench:scale's)": (name) => rolloutServiceConfig(name, ORIGIN),
  "12 rules, an experiment, a sticky cookie (npm run bench's)": (name) => ({
    ...benchService(ORIGIN),
    name,
    hosts: [`${name}.memory.test`],
  }),
};

/** The KV keys a registry's publication per service writes for these services. */
function publishedKeys(services: ServiceInput[]): Map<string, string> {
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

function heapMb(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

/** The heap a cache holding every one of `services` takes, and how many it holds. */
async function tableHeap(services: ServiceInput[]): Promise<{ mb: number; held: number }> {
  const keys = publishedKeys(services);
  const hosts = services.flatMap((service) => service.hosts);
  const before = heapMb();
  const cache = new RouteTableCache({
    read: async (key) => keys.get(key) ?? null,
    refreshMs: 3_600_000,
  });
  for (const host of hosts) await cache.current(0, host, () => {});
  const mb = heapMb() - before;
  return { mb, held: cache.loaded?.services.size ?? 0 };
}

/** The isolate's used heap in workerd with every one of `services` loaded, less with the first. */
async function workerdHeap(script: string, services: ServiceInput[]): Promise<number> {
  const worker = await startWorker("memory", keystoneOptions(script), {
    ...LEAN_FLOOR,
    directSocket: false,
    inspectorPort: INSPECTOR_PORT,
  });
  try {
    const kv = await worker.mf.getKVNamespace("ROUTES");
    for (const [key, value] of publishedKeys(services)) await kv.put(key, value);
    const isolate = await InspectorSession.open(INSPECTOR_PORT, "core:user:");
    const ask = async (host: string) =>
      (await worker.mf.dispatchFetch(`http://${host}/`)).arrayBuffer();
    const [first, ...rest] = services.flatMap((service) => service.hosts);
    // workerd serves the inspector's commands when the isolate runs: a request to a host already
    // loaded (nothing new read or compiled) keeps it running while they are answered.
    const used = async () => {
      const [, usage] = await Promise.all([
        isolate.send("HeapProfiler.collectGarbage"),
        isolate.send<{ usedSize: number }>("Runtime.getHeapUsage"),
        ask(first!),
      ]);
      return usage.usedSize / 1024 / 1024;
    };
    await ask(first!);
    const one = await used();
    for (let i = 0; i < rest.length; i += 16) await Promise.all(rest.slice(i, i + 16).map(ask));
    const all = await used();
    isolate.close();
    return all - one;
  } finally {
    await worker.mf.dispose();
  }
}

const { script } = bundleKeystone();
try {
  for (const [shape, make] of Object.entries(SHAPES)) {
    console.log(`\n${shape}`);
    console.log(
      "services  workerd heap, all less one (MB)  Node heap of the table (MB)  per service in Node (KB)",
    );
    for (const size of SIZES) {
      const services = Array.from({ length: size }, (_, i) => make(`svc-${i}`));
      const inWorkerd = await workerdHeap(script, services);
      const { mb, held } = await tableHeap(services);
      if (held !== size) throw new Error(`the table holds ${held} services of ${size}`);
      console.log(
        `${String(size).padStart(8)}  ${inWorkerd.toFixed(2).padStart(32)}  ${mb.toFixed(2).padStart(27)}  ${((mb * 1024) / size).toFixed(2).padStart(24)}`,
      );
    }
  }
  console.log("\ntarget (issue 24): ≤ 32 MB with 10,000 services loaded");
} finally {
  origin.child.kill();
}
