// Cold start: fresh workerd processes (a new Miniflare instance each), alternating the bare Worker,
// Keystone as deployed, and the bare Worker in Keystone's shape (same Durable Object classes and
// bindings). workerd compiles and evaluates a script before it accepts requests, so a fresh
// isolate's cost is Keystone's script evaluation (its startup less the same-shape bare Worker's,
// paired by sample) plus its first request (reading, validating and compiling the route table
// from KV, and every function's first run).
import { join } from "node:path";
import { ROUTES_KEY, RoutesDoc } from "../../schemas/routes-doc.ts";
import { Service } from "../../schemas/service.ts";
import { ROOT } from "./bundle.ts";
import { BENCH_HEADERS, BENCH_PATH, benchService } from "./config.ts";
import { cpuMillis } from "./cpu.ts";
import { publishedKeys } from "./published-keys.ts";
import { median, type Spread, spreadOf } from "./stats.ts";
import {
  type BenchWorker,
  bareKvOptions,
  bareOptions,
  controlPlaneStub,
  dataPlaneOptions,
  keystoneOptions,
  startWorker,
} from "./workers.ts";

export interface ColdSample {
  startupMs: number;
  firstRequestMs: number;
  /** The next request, for scale. */
  secondRequestMs: number;
  /**
   * workerd's CPU time up to accepting requests, and during the first request: steadier than
   * wall-clock time on a busy machine, where waiting for a core swamps a few milliseconds.
   */
  startupCpuMs: number;
  firstRequestCpuMs: number;
}

export interface ColdStart {
  bare: ColdSample[];
  keystone: ColdSample[];
  shape: ColdSample[];
  median: {
    bare: ColdSample;
    keystone: ColdSample;
    /** Keystone's startup less the same-shape bare Worker's, paired by sample. */
    scriptMs: number;
    /** What a fresh isolate costs before answering: script evaluation plus first request. */
    freshKeystoneMs: number;
    /** The same two in workerd CPU time. */
    scriptCpuMs: number;
    freshKeystoneCpuMs: number;
  };
  /**
   * Keystone less the bare Worker in workerd CPU ms, paired by sample (fresh processes started
   * one after the other): startup, first request, and the two together.
   */
  vsBareCpuMs: { startup: Spread; firstRequest: Spread; sum: Spread };
  /**
   * D, the data plane as a Worker of its own (worker/data-plane/wrangler.toml), and the bare
   * Worker, each in a fresh workerd beside the same stub of the control plane Worker (its object
   * classes, empty: D binds its stats objects and service binding there): D less bare, paired.
   */
  dataPlane?: {
    samples: ColdSample[];
    bare: ColdSample[];
    /** The bare Worker reading the same KV keys on its first request (bench/workers/bare-kv.js). */
    bareKv: ColdSample[];
    vsBareCpuMs: { startup: Spread; firstRequest: Spread; sum: Spread };
    /**
     * D less the bare Worker that reads the same keys: Miniflare serves KV from code of its own
     * in the same workerd process, whose CPU a production isolate does not pay.
     */
    vsBareKvCpuMs: { startup: Spread; firstRequest: Spread; sum: Spread };
  };
}

/** The route document the control plane would publish for the benchmark's service. */
export function benchRoutesDoc(origin: string): string {
  const config = Service.parse(benchService(origin));
  return JSON.stringify(
    RoutesDoc.parse({
      format: 2,
      generation: 1,
      publishedAt: new Date(0).toISOString(),
      services: [{ name: config.name, sequence: 1, config }],
    }),
  );
}

/**
 * The route table in KV before the isolate's first request, as in production: the keys a
 * publication per service writes, and the whole document of before (routes:v1) for revisions that
 * read only that (bench:compare's base); a data plane that finds the newer keys reads those.
 */
export async function seedRoutes(worker: BenchWorker, origin: string): Promise<void> {
  const kv = await worker.mf.getKVNamespace("ROUTES");
  await kv.put(ROUTES_KEY, benchRoutesDoc(origin));
  for (const [key, value] of publishedKeys([benchService(origin)])) await kv.put(key, value);
}

/** The keys a data plane reads for the benchmark's host: the head, its shard, its service. */
export function hostKeys(origin: string): string[] {
  return [...publishedKeys([benchService(origin)]).keys()];
}

async function timedRequest(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(url + BENCH_PATH, { headers: BENCH_HEADERS });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`cold start: ${url} answered HTTP ${response.status}`);
  return performance.now() - started;
}

async function sample(
  start: () => Promise<BenchWorker>,
  prepare: (worker: BenchWorker) => Promise<void> = async () => {},
): Promise<ColdSample> {
  const worker = await start();
  try {
    await prepare(worker);
    const cpuBefore = cpuMillis(worker.pid);
    const firstRequestMs = await timedRequest(worker.url);
    const firstRequestCpuMs = cpuMillis(worker.pid) - cpuBefore;
    const secondRequestMs = await timedRequest(worker.url);
    return {
      startupMs: worker.startupMs,
      firstRequestMs,
      secondRequestMs,
      startupCpuMs: worker.startupCpuMs,
      firstRequestCpuMs,
    };
  } finally {
    await worker.mf.dispose();
  }
}

function medianSample(samples: ColdSample[]): ColdSample {
  return {
    startupMs: median(samples.map((s) => s.startupMs)),
    firstRequestMs: median(samples.map((s) => s.firstRequestMs)),
    secondRequestMs: median(samples.map((s) => s.secondRequestMs)),
    startupCpuMs: median(samples.map((s) => s.startupCpuMs)),
    firstRequestCpuMs: median(samples.map((s) => s.firstRequestCpuMs)),
  };
}

/** One Worker's samples less another's in workerd CPU, paired by sample. */
function cpuAgainst(measured: ColdSample[], against: ColdSample[]) {
  const paired = (pick: (s: ColdSample) => number) =>
    spreadOf(measured.map((m, i) => pick(m) - pick(against[i]!)));
  return {
    startup: paired((s) => s.startupCpuMs),
    firstRequest: paired((s) => s.firstRequestCpuMs),
    sum: paired((s) => s.startupCpuMs + s.firstRequestCpuMs),
  };
}

export async function measureColdStart(
  origin: string,
  keystoneScript: string,
  samples: number,
  workerCores: string | undefined,
  dataPlaneScript?: string,
): Promise<ColdStart> {
  const shapeOptions = keystoneOptions(join(ROOT, "bench/workers/keystone-shape.js"), {
    ORIGIN: origin,
  });
  const bare: ColdSample[] = [];
  const keystone: ColdSample[] = [];
  const shape: ColdSample[] = [];
  for (let i = 0; i < samples; i++) {
    bare.push(
      await sample(() => startWorker("cold A", bareOptions(origin), undefined, workerCores)),
    );
    keystone.push(
      await sample(
        () => startWorker("cold B", keystoneOptions(keystoneScript), undefined, workerCores),
        (worker) => seedRoutes(worker, origin),
      ),
    );
    shape.push(await sample(() => startWorker("cold shape", shapeOptions, undefined, workerCores)));
  }
  const stub = controlPlaneStub(origin);
  const dataPlane: ColdSample[] = [];
  const bareBeside: ColdSample[] = [];
  const bareKv: ColdSample[] = [];
  for (let i = 0; dataPlaneScript !== undefined && i < samples; i++) {
    bareBeside.push(
      await sample(() =>
        startWorker("cold A beside", bareOptions(origin), undefined, workerCores, [stub]),
      ),
    );
    bareKv.push(
      await sample(
        () =>
          startWorker(
            "cold A reading KV",
            bareKvOptions(origin, hostKeys(origin)),
            undefined,
            workerCores,
            [stub],
          ),
        (worker) => seedRoutes(worker, origin),
      ),
    );
    dataPlane.push(
      await sample(
        () =>
          startWorker("cold D", dataPlaneOptions(dataPlaneScript), undefined, workerCores, [stub]),
        (worker) => seedRoutes(worker, origin),
      ),
    );
  }
  const scriptMs = median(keystone.map((k, i) => k.startupMs - shape[i]!.startupMs));
  const freshKeystoneMs = median(
    keystone.map((k, i) => k.startupMs - shape[i]!.startupMs + k.firstRequestMs),
  );
  const scriptCpuMs = median(keystone.map((k, i) => k.startupCpuMs - shape[i]!.startupCpuMs));
  const freshKeystoneCpuMs = median(
    keystone.map((k, i) => k.startupCpuMs - shape[i]!.startupCpuMs + k.firstRequestCpuMs),
  );
  return {
    ...(dataPlane.length > 0 && {
      dataPlane: {
        samples: dataPlane,
        bare: bareBeside,
        bareKv,
        vsBareCpuMs: cpuAgainst(dataPlane, bareBeside),
        vsBareKvCpuMs: cpuAgainst(dataPlane, bareKv),
      },
    }),
    bare,
    keystone,
    shape,
    vsBareCpuMs: cpuAgainst(keystone, bare),
    median: {
      bare: medianSample(bare),
      keystone: medianSample(keystone),
      scriptMs,
      freshKeystoneMs,
      scriptCpuMs,
      freshKeystoneCpuMs,
    },
  };
}
