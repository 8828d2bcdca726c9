// npm run bench:profile:cold: where a fresh data plane isolate's first request goes. Starts the
// data plane Worker (built as `npm run deploy:data-plane` builds it, with its source map) in a
// fresh workerd beside a stub of the control plane, with the route table in KV, and profiles its
// first request only, through workerd's inspector at a fine interval (one request: the profiler's
// own cost is paid once), in BENCH_COLD_SAMPLES fresh processes. The bare Worker that reads the
// same KV keys (bench/workers/bare-kv.js) is profiled the same way, alternating, for what any
// Worker's first request pays here. Prints the top functions by self time and the time per module,
// in ms per first request, the mean over samples. Knobs: BENCH_COLD_SAMPLES (5),
// BENCH_INSPECTOR_PORT (18861), BENCH_PROFILE_INTERVAL_US (50).
import { bundleDataPlane } from "./lib/bundle.ts";
import { hostKeys, seedRoutes } from "./lib/cold-start.ts";
import { BENCH_HEADERS, BENCH_PATH } from "./lib/config.ts";
import { InspectorSession } from "./lib/inspector.ts";
import { knob, log } from "./lib/knobs.ts";
import { startOriginProcess } from "./lib/processes.ts";
import { type ProfileSummary, summarizeProfile } from "./lib/profile-summary.ts";
import { table } from "./lib/report.ts";
import {
  type BesideWorker,
  bareKvOptions,
  controlPlaneStub,
  dataPlaneOptions,
  LEAN_FLOOR,
  startWorker,
  type WorkerOptions,
} from "./lib/workers.ts";

const SAMPLES = knob("BENCH_COLD_SAMPLES", 5);
const INSPECTOR_PORT = knob("BENCH_INSPECTOR_PORT", 18861);
const INTERVAL_US = knob("BENCH_PROFILE_INTERVAL_US", 50);

/** One Worker's first-request profiles, summed over fresh processes. */
class FirstRequestProfiles {
  readonly #functions = new Map<string, number>();
  readonly #modules = new Map<string, number>();
  #busyUs = 0;
  #samples = 0;

  readonly name: string;
  readonly #options: WorkerOptions;
  /** The script's source map and file name, to name its frames ("(none)" for the bare Worker). */
  readonly #sourceMap: string;
  readonly #bundleName: string;

  constructor(name: string, options: WorkerOptions, sourceMap: string, bundleName: string) {
    this.name = name;
    this.#options = options;
    this.#sourceMap = sourceMap;
    this.#bundleName = bundleName;
  }

  /** A fresh workerd beside `beside`, the route table seeded, its first request profiled. */
  async sample(beside: BesideWorker, origin: string): Promise<void> {
    const worker = await startWorker(
      this.name,
      this.#options,
      { ...LEAN_FLOOR, inspectorPort: INSPECTOR_PORT },
      undefined,
      [beside],
    );
    try {
      await seedRoutes(worker, origin);
      const isolate = await InspectorSession.open(INSPECTOR_PORT, "core:user:");
      let summary: ProfileSummary;
      try {
        await isolate.startProfiler(INTERVAL_US);
        const response = await fetch(worker.url + BENCH_PATH, { headers: BENCH_HEADERS });
        await response.arrayBuffer();
        if (!response.ok) throw new Error(`${this.name}: HTTP ${response.status}`);
        summary = summarizeProfile(await isolate.stopProfiler(), this.#sourceMap, this.#bundleName);
      } finally {
        isolate.close();
      }
      this.#add(summary);
    } finally {
      await worker.mf.dispose();
    }
  }

  #add(summary: ProfileSummary): void {
    this.#samples++;
    this.#busyUs += summary.busyUs;
    for (const f of summary.topFunctions) this.#sum(this.#functions, f.label, f.selfUs);
    for (const m of summary.modules) this.#sum(this.#modules, m.module, m.ownUs + m.runtimeUs);
    log(`${this.name} sample ${this.#samples}: ${(summary.busyUs / 1000).toFixed(1)} ms busy`);
  }

  #sum(sums: Map<string, number>, label: string, us: number): void {
    sums.set(label, (sums.get(label) ?? 0) + us);
  }

  #ms(us: number): string {
    return (us / this.#samples / 1000).toFixed(2);
  }

  #rows(sums: Map<string, number>, n: number): string[][] {
    return [...sums]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([label, us]) => [label, this.#ms(us)]);
  }

  print(): void {
    console.log(
      `\n${this.name}: first request in a fresh isolate, profiled every ${INTERVAL_US} µs over ` +
        `${this.#samples} fresh processes: ${this.#ms(this.#busyUs)} ms busy (mean; wall-clock ` +
        "samples, the profiler's own cost included: read the shares)",
    );
    console.log("\ntop functions by self time, ms per first request:");
    console.log(indent(table(["function (source)", "ms"], this.#rows(this.#functions, 30))));
    console.log(
      "\ntime per module (own code plus the runtime calls it makes), ms per first request:",
    );
    console.log(indent(table(["module", "ms"], this.#rows(this.#modules, 20))));
  }
}

function indent(lines: string[]): string {
  return lines.map((l) => `  ${l}`).join("\n");
}

const origin = await startOriginProcess(0);
try {
  log("bundling the data plane Worker as npm run deploy:data-plane builds it");
  const bundle = bundleDataPlane();
  const stub = controlPlaneStub(origin.url);
  const bare = new FirstRequestProfiles(
    "the bare Worker reading the same KV keys",
    bareKvOptions(origin.url, hostKeys(origin.url)),
    bundle.sourceMap,
    "(none)",
  );
  const dataPlane = new FirstRequestProfiles(
    "D, the data plane Worker",
    dataPlaneOptions(bundle.script),
    bundle.sourceMap,
    "index.js",
  );
  for (let i = 0; i < SAMPLES; i++) {
    await bare.sample(stub, origin.url);
    await dataPlane.sample(stub, origin.url);
  }
  bare.print();
  dataPlane.print();
} finally {
  origin.child.kill();
}
