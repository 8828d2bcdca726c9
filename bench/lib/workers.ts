// Workers under test, each in its own workerd process through Miniflare directly (no wrangler dev
// proxy). The floor is kept as cheap as Miniflare allows, for every Worker alike: requests reach the
// Worker on a direct socket (Miniflare's entry Worker, which rebuilds every request and invents a
// `cf` object, is not in the path), the outbound hop does not copy headers to strip
// CF-Connecting-IP, no request logging, no inspector (npm run bench:floor measures each of these).
import { dirname, join } from "node:path";
import { convertV4MiniflareOptions, Miniflare, type V4MiniflareOptions } from "miniflare";
import { ROOT } from "./bundle.ts";
import { cpuMillis, newWorkerdPid } from "./cpu.ts";
import { pinProcess } from "./pinning.ts";

export const COMPATIBILITY_DATE = "2026-11-01";
export const BENCH_TOKEN = "bench-admin-token";

export interface FloorSettings {
  /** Requests go straight to the Worker instead of through Miniflare's entry Worker. */
  directSocket: boolean;
  /** Miniflare's outbound hop copies every request's headers to drop CF-Connecting-IP. */
  stripCfConnectingIp: boolean;
  logRequests: boolean;
  /** Port for workerd's inspector (the CPU profile needs it; it costs CPU). */
  inspectorPort?: number;
}

export const LEAN_FLOOR: FloorSettings = {
  directSocket: true,
  stripCfConnectingIp: false,
  logRequests: false,
};

export interface BenchWorker {
  name: string;
  mf: Miniflare;
  url: string;
  /** The workerd process serving it. */
  pid: number;
  /** From `new Miniflare` to the Worker accepting requests (workerd has compiled its script). */
  startupMs: number;
  /** workerd's CPU time meanwhile. */
  startupCpuMs: number;
}

export type WorkerOptions = Omit<V4MiniflareOptions, "host" | "port" | "modules"> & {
  scriptPath: string;
};

/** A Worker started in the same workerd process as the one measured, which binds to it by name. */
export interface BesideWorker {
  name: string;
  options: WorkerOptions;
}

/** A Worker's own Miniflare options: modules from its script's folder, the benchmark's date. */
function workerOf(options: WorkerOptions) {
  return {
    modules: true,
    // Module names are relative to this root; bundles live in temporary folders.
    modulesRoot: dirname(options.scriptPath),
    compatibilityDate: COMPATIBILITY_DATE,
    ...options,
  };
}

/**
 * Starts a Worker in a workerd process of its own, pinned to `cores` when given; `beside`: Workers
 * it binds to (a control plane's objects and service binding), in the same process.
 */
export async function startWorker(
  name: string,
  options: WorkerOptions,
  floor: FloorSettings = LEAN_FLOOR,
  cores?: string,
  beside: BesideWorker[] = [],
): Promise<BenchWorker> {
  const { value, pid } = await newWorkerdPid(async () => {
    const started = performance.now();
    const measured = {
      ...workerOf(options),
      stripCfConnectingIp: floor.stripCfConnectingIp,
      unsafeDirectSockets: floor.directSocket ? [{ host: "127.0.0.1", port: 0 }] : undefined,
    };
    const mf = new Miniflare({
      ...convertV4MiniflareOptions({
        host: "127.0.0.1",
        port: 0,
        inspectorPort: floor.inspectorPort,
        ...(beside.length === 0
          ? measured
          : {
              workers: [
                { ...measured, name: "" },
                ...beside.map((other) => ({ ...workerOf(other.options), name: other.name })),
              ],
            }),
      }),
      logRequests: floor.logRequests,
    });
    const url = floor.directSocket ? await mf.unsafeGetDirectURL() : await mf.ready;
    return { mf, url: url.toString().replace(/\/$/, ""), startupMs: performance.now() - started };
  });
  const startupCpuMs = cpuMillis(pid);
  if (cores !== undefined) pinProcess(pid, cores);
  return { name, ...value, pid, startupCpuMs };
}

export function keystoneOptions(script: string, vars: Record<string, string> = {}): WorkerOptions {
  return {
    scriptPath: script,
    compatibilityFlags: ["nodejs_compat"],
    kvNamespaces: ["ROUTES"],
    durableObjects: {
      SERVICES: { className: "ServiceObject", useSQLite: true },
      REGISTRY: { className: "RegistryObject", useSQLite: true },
      STATS: { className: "StatsObject", useSQLite: true },
    },
    bindings: {
      ADMIN_TOKEN: BENCH_TOKEN,
      READ_TOKEN: BENCH_TOKEN,
      // The protections production runs with: signed overrides checked, admin on one host only.
      OVERRIDE_SECRET: "bench-override-secret",
      ADMIN_HOSTS: "127.0.0.1",
      ROUTE_REFRESH_SECONDS: "30",
      METRICS_FLUSH_SECONDS: "5",
      ...vars,
    },
  };
}

/** The control plane Worker's name, which the data plane Worker binds to. */
const CONTROL_PLANE = "keystone-edge";

/**
 * D: the data plane as a Worker of its own (worker/data-plane/wrangler.toml), bound to the control
 * plane Worker's stats objects and service binding (started beside it: `controlPlaneStub`).
 */
export function dataPlaneOptions(script: string): WorkerOptions {
  const { bindings } = keystoneOptions(script);
  const {
    ADMIN_TOKEN: _admin,
    READ_TOKEN: _read,
    ...dataPlaneBindings
  } = bindings as Record<string, string>;
  return {
    scriptPath: script,
    kvNamespaces: ["ROUTES"],
    durableObjects: { STATS: { className: "StatsObject", scriptName: CONTROL_PLANE } },
    serviceBindings: { CONTROL_PLANE },
    bindings: dataPlaneBindings,
  };
}

/**
 * The control plane a data plane Worker binds to, as the bare Worker in Keystone's shape (the
 * object classes, empty): started beside D and beside its bare pair alike, so their difference is
 * D's script and its first request.
 */
export function controlPlaneStub(origin: string): BesideWorker {
  return {
    name: CONTROL_PLANE,
    options: keystoneOptions(join(ROOT, "bench/workers/keystone-shape.js"), { ORIGIN: origin }),
  };
}

/** A: the cheapest possible proxy Worker. */
export function bareOptions(origin: string): WorkerOptions {
  return { scriptPath: join(ROOT, "bench/workers/bare.js"), bindings: { ORIGIN: origin } };
}

/**
 * A with the route table's reads (bench/workers/bare-kv.js): on its first request it reads `keys`
 * from its ROUTES namespace, as a data plane does for one host.
 */
export function bareKvOptions(origin: string, keys: string[]): WorkerOptions {
  return {
    scriptPath: join(ROOT, "bench/workers/bare-kv.js"),
    kvNamespaces: ["ROUTES"],
    bindings: { ORIGIN: origin, KEYS: keys.join(",") },
  };
}

/** P: a correct proxy floor (headers cleaned and added, a timeout, the response re-wrapped). */
export function proxyFloorOptions(
  origin: string,
  vars: Record<string, string> = {},
): WorkerOptions {
  return {
    scriptPath: join(ROOT, "bench/workers/proxy-floor.js"),
    bindings: { ORIGIN: origin, ...vars },
  };
}

/** C: the tutorial splitter, with its config in KV (filled by `fillNaiveConfig`). */
export function naiveOptions(): WorkerOptions {
  return { scriptPath: join(ROOT, "bench/workers/naive.js"), kvNamespaces: ["CONFIG"] };
}

export async function fillNaiveConfig(worker: BenchWorker, origin: string): Promise<void> {
  const kv = await worker.mf.getKVNamespace("CONFIG");
  await kv.put(
    "config",
    JSON.stringify({
      versions: { stable: origin, canary: origin },
      weights: { stable: 90, canary: 10 },
    }),
  );
}

export async function stopWorkers(workers: Iterable<BenchWorker>): Promise<void> {
  await Promise.all([...workers].map(({ mf }) => mf.dispose()));
}
