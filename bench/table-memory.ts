// npm run bench:memory: the heap an isolate's route table takes with every service loaded (issue
// 24's target: ≤ 32 MB at 10,000 services). Two ways, over the KV keys a publication per service
// writes (a head, the host shards, a key per service), every host asked for once, as requests
// would:
// - workerd: the Worker as `npm run deploy` builds it, in Miniflare, one request per host (its
//   Durable Objects in a second Worker, as in production), outcomes flushed and landed; through
//   the V8 inspector, the whole isolate's live heap (a heap snapshot's reachable objects), and
//   with every service loaded less with one, the live heap and the used heap;
// - Node: the data plane's own table cache in Node's V8, the heap after a full GC against the
//   heap before. Node's V8 keeps full 8-byte pointers, so this is an upper bound.
//
// BENCH_MEMORY_SIZES=1,1000,10000 (default); two service shapes: the scale bench's (two versions,
// a rollout) and the benchmark's (12 rules of every kind, an experiment, a sticky cookie).
import type { ServiceInput } from "../schemas/service.ts";
import { RouteTableCache } from "../worker/data-plane/table-cache.ts";
import { bundleKeystone } from "./lib/bundle.ts";
import { benchService } from "./lib/config.ts";
import { InspectorSession } from "./lib/inspector.ts";
import { startOriginProcess } from "./lib/processes.ts";
import { publishedKeys } from "./lib/published-keys.ts";
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

/**
 * The data plane isolate's used heap in workerd with every one of `services` loaded, less with the
 * first. Its Durable Objects run in a second Worker of the same script, as in production, where an
 * object runs in an isolate of its own and not in the isolate serving requests: in one Worker,
 * Miniflare would run the 10,000 services' stats objects inside the isolate measured.
 */
async function workerdHeap(
  script: string,
  services: ServiceInput[],
): Promise<{ usedMb: number; liveMb: number; wholeLiveMb: number }> {
  // Outcomes flushed each second, and measured once the last flush has landed: what is left is the
  // table and what traffic keeps for good (visitor windows, stats shards chosen), not outcomes on
  // their way to the stats objects.
  const options = keystoneOptions(script, { METRICS_FLUSH_SECONDS: "1" });
  const objects = Object.fromEntries(
    Object.entries(options.durableObjects ?? {}).map(([binding, object]) => [
      binding,
      { ...(object as object), scriptName: "control-plane" },
    ]),
  );
  const { mf } = await startWorker(
    "memory",
    { ...options, durableObjects: objects },
    { ...LEAN_FLOOR, directSocket: false, inspectorPort: INSPECTOR_PORT },
    undefined,
    [{ name: "control-plane", options }],
  );
  try {
    const kv = await mf.getKVNamespace("ROUTES");
    for (const [key, value] of publishedKeys(services)) await kv.put(key, value);
    const isolate = await InspectorSession.open(INSPECTOR_PORT, "core:user:");
    const ask = async (host: string) => (await mf.dispatchFetch(`http://${host}/`)).arrayBuffer();
    const [first, ...rest] = services.flatMap((service) => service.hosts);
    // A request after the flush interval sends what the isolate holds; then the flush's calls land.
    const settle = async () => {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await ask(first!);
      await new Promise((resolve) => setTimeout(resolve, 3_000));
    };
    // workerd serves the inspector's commands when the isolate runs: a request to a host already
    // loaded (nothing new read or compiled) keeps it running while they are answered.
    const used = async () => {
      await settle();
      const [, usage] = await Promise.all([
        isolate.send("HeapProfiler.collectGarbage"),
        isolate.send<{ usedSize: number }>("Runtime.getHeapUsage"),
        ask(first!),
      ]);
      // A snapshot of 10,000 services takes seconds: requests keep the isolate running meanwhile.
      const asked: Promise<unknown>[] = [];
      const running = setInterval(() => asked.push(ask(first!)), 100);
      const live = await isolate.liveHeapBytes().finally(() => clearInterval(running));
      await Promise.all(asked);
      return { usedMb: usage.usedSize / 1024 / 1024, liveMb: live / 1024 / 1024 };
    };
    await ask(first!);
    const one = await used();
    for (let i = 0; i < rest.length; i += 16) await Promise.all(rest.slice(i, i + 16).map(ask));
    const all = await used();
    isolate.close();
    return {
      usedMb: all.usedMb - one.usedMb,
      liveMb: all.liveMb - one.liveMb,
      wholeLiveMb: all.liveMb,
    };
  } finally {
    await mf.dispose();
  }
}

const { script } = bundleKeystone();
try {
  for (const [shape, make] of Object.entries(SHAPES)) {
    console.log(`\n${shape}`);
    console.log(
      "services  workerd: the whole isolate's live heap (MB)  live, all less one  used heap, all less one  Node heap of the table (MB)  per service in Node (KB)",
    );
    for (const size of SIZES) {
      const services = Array.from({ length: size }, (_, i) => make(`svc-${i}`));
      const inWorkerd = await workerdHeap(script, services);
      const { mb, held } = await tableHeap(services);
      if (held !== size) throw new Error(`the table holds ${held} services of ${size}`);
      console.log(
        [
          String(size).padStart(8),
          inWorkerd.wholeLiveMb.toFixed(2).padStart(44),
          inWorkerd.liveMb.toFixed(2).padStart(18),
          inWorkerd.usedMb.toFixed(2).padStart(23),
          mb.toFixed(2).padStart(27),
          ((mb * 1024) / size).toFixed(2).padStart(24),
        ].join("  "),
      );
    }
  }
  console.log("\ntarget (issue 24): ≤ 32 MB with 10,000 services loaded");
} finally {
  origin.child.kill();
}
