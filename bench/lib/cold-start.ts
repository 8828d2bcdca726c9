// Cold start: a fresh workerd (a new Miniflare instance) per sample, for the bare Worker and for
// Keystone as deployed, alternating; the time to start and the first request's time (Keystone's
// includes reading and compiling the route table from KV, as a new isolate's does).
import { ROUTES_KEY, RoutesDoc } from "../../schemas/routes-doc.ts";
import { Service } from "../../schemas/service.ts";
import { BENCH_HEADERS, BENCH_PATH, benchService } from "./config.ts";
import { median } from "./stats.ts";
import { type BenchWorker, bareOptions, keystoneOptions, startWorker } from "./workers.ts";

export interface ColdSample {
  startupMs: number;
  firstRequestMs: number;
  /** The next request, for scale. */
  secondRequestMs: number;
}

export interface ColdStart {
  bare: ColdSample[];
  keystone: ColdSample[];
  median: { bare: ColdSample; keystone: ColdSample };
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

async function timedRequest(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(url + BENCH_PATH, { headers: BENCH_HEADERS });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`cold start: ${url} answered HTTP ${response.status}`);
  return performance.now() - started;
}

async function sample(
  start: () => Promise<BenchWorker>,
  prepare: (worker: BenchWorker) => Promise<void>,
): Promise<ColdSample> {
  const worker = await start();
  try {
    await prepare(worker);
    const firstRequestMs = await timedRequest(worker.url);
    const secondRequestMs = await timedRequest(worker.url);
    return { startupMs: worker.startupMs, firstRequestMs, secondRequestMs };
  } finally {
    await worker.mf.dispose();
  }
}

function medianSample(samples: ColdSample[]): ColdSample {
  return {
    startupMs: median(samples.map((s) => s.startupMs)),
    firstRequestMs: median(samples.map((s) => s.firstRequestMs)),
    secondRequestMs: median(samples.map((s) => s.secondRequestMs)),
  };
}

export async function measureColdStart(
  origin: string,
  keystoneScript: string,
  samples: number,
  workerCores: string | undefined,
): Promise<ColdStart> {
  const doc = benchRoutesDoc(origin);
  const bare: ColdSample[] = [];
  const keystone: ColdSample[] = [];
  for (let i = 0; i < samples; i++) {
    bare.push(
      await sample(
        () => startWorker("cold A", bareOptions(origin), undefined, workerCores),
        async () => {},
      ),
    );
    keystone.push(
      await sample(
        () => startWorker("cold B", keystoneOptions(keystoneScript), undefined, workerCores),
        // The route table is in KV before the isolate's first request, as in production.
        async (worker) => (await worker.mf.getKVNamespace("ROUTES")).put(ROUTES_KEY, doc),
      ),
    );
  }
  return { bare, keystone, median: { bare: medianSample(bare), keystone: medianSample(keystone) } };
}
