// npm run bench:profile: a CPU profile of Keystone, bundled and minified as deployed, under load,
// taken through workerd's inspector (Chrome DevTools Protocol, Profiler.start/stop) and read back
// through the bundle's source map: the top functions by self time and the time per Keystone module,
// per request. Saves the raw profiles under bench/results/ (open them in Chrome DevTools).
// The bare Worker is profiled the same way, for what any proxy pays.
// Knobs: BENCH_SECONDS (5), BENCH_CONNECTIONS (16), BENCH_PIN (auto), BENCH_INSPECTOR_PORT (18851
// for Keystone, the next port for the bare Worker),
// BENCH_PROFILE_INTERVAL_US (1000: finer sampling costs workerd more CPU than Keystone does).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bundleKeystone, ROOT } from "./lib/bundle.ts";
import { BENCH_HEADERS, BENCH_PATH, BENCH_VISITOR, benchService } from "./lib/config.ts";
import { type CpuProfile, InspectorSession } from "./lib/inspector.ts";
import { applyService, visit, waitFor } from "./lib/keystone-client.ts";
import { knob, log } from "./lib/knobs.ts";
import { type LoadSettings, load, type MeasuredRun, measure } from "./lib/load.ts";
import { describePinning, pinningFromEnv } from "./lib/pinning.ts";
import { startOriginProcess } from "./lib/processes.ts";
import { type ProfileSummary, summarizeProfile } from "./lib/profile-summary.ts";
import { table } from "./lib/report.ts";
import {
  type BenchWorker,
  bareOptions,
  keystoneOptions,
  LEAN_FLOOR,
  startWorker,
} from "./lib/workers.ts";

const SECONDS = knob("BENCH_SECONDS", 5);
const CONNECTIONS = knob("BENCH_CONNECTIONS", 16);
const INSPECTOR_PORT = knob("BENCH_INSPECTOR_PORT", 18851);
const INTERVAL_US = knob("BENCH_PROFILE_INTERVAL_US", 1000);
const RESULTS = join(ROOT, "bench/results");

function printSummary(s: ProfileSummary, requests: number): void {
  const per = (us: number) => (us / requests).toFixed(1);
  const pct = (us: number) => `${((us / s.busyUs) * 100).toFixed(1)} %`;
  console.log(
    "\ntop functions by self time (share of the isolate's busy samples; µs per request as sampled):",
  );
  console.log(
    table(
      ["function (source)", "µs/req", "share"],
      s.topFunctions.slice(0, 20).map((f) => [f.label, per(f.selfUs), pct(f.selfUs)]),
    )
      .map((l) => `  ${l}`)
      .join("\n"),
  );
  console.log(
    "\ntime per module (own code, plus the runtime calls it makes: Headers, fetch, crypto…):",
  );
  console.log(
    table(
      ["module", "own µs/req", "runtime calls µs/req", "total µs/req", "share"],
      s.modules.map((m) => [
        m.module,
        per(m.ownUs),
        per(m.runtimeUs),
        per(m.ownUs + m.runtimeUs),
        pct(m.ownUs + m.runtimeUs),
      ]),
    )
      .map((l) => `  ${l}`)
      .join("\n"),
  );
}

interface Profiled {
  run: MeasuredRun;
  isolate: CpuProfile;
  outboundHop: CpuProfile;
}

/** Profiles a Worker's isolate and Miniflare's outbound hop while it serves the benchmark's load. */
async function profileUnderLoad(
  worker: BenchWorker,
  inspectorPort: number,
  settings: LoadSettings,
  originPid: number,
): Promise<Profiled> {
  await load(worker.url + BENCH_PATH, BENCH_HEADERS, { ...settings, seconds: 2 });
  const isolate = await InspectorSession.open(inspectorPort, "core:user:");
  const outbound = await InspectorSession.open(inspectorPort, "outbound:0");
  try {
    await isolate.startProfiler(INTERVAL_US);
    await outbound.startProfiler(INTERVAL_US);
    log(`profiling ${worker.name} under load for ${settings.seconds} s`);
    const run = await measure(worker.url + BENCH_PATH, BENCH_HEADERS, settings, {
      workerd: worker.pid,
      origin: originPid,
    });
    return {
      run,
      isolate: await isolate.stopProfiler(),
      outboundHop: await outbound.stopProfiler(),
    };
  } finally {
    isolate.close();
    outbound.close();
  }
}

/** The same profile of the bare Worker (A): what Keystone's figures include that any proxy pays. */
async function profileBare(
  originUrl: string,
  settings: LoadSettings,
  originPid: number,
  sourceMap: string,
) {
  const bare = await startWorker(
    "A",
    bareOptions(originUrl),
    { ...LEAN_FLOOR, inspectorPort: INSPECTOR_PORT + 1 },
    pinning.worker,
  );
  try {
    const p = await profileUnderLoad(bare, INSPECTOR_PORT + 1, settings, originPid);
    const isolate = summarizeProfile(p.isolate, sourceMap, "bare.js");
    const fetchUs = isolate.topFunctions.find((f) => f.label === "fetch (runtime)")?.selfUs ?? 0;
    const n = p.run.total;
    return (
      `The bare Worker (A) profiled the same way: workerd ${p.run.cpuUsPerRequest.toFixed(0)} µs/request; ` +
      `its isolate ${(isolate.busyUs / n).toFixed(0)} µs/request sampled (fetch ${(fetchUs / n).toFixed(0)}), ` +
      `the outbound hop ${(summarizeProfile(p.outboundHop, sourceMap, "(none)").busyUs / n).toFixed(0)}.`
    );
  } finally {
    await bare.mf.dispose();
  }
}

const pinning = pinningFromEnv();
const origin = await startOriginProcess(0, pinning.client);
try {
  log("bundling Keystone as npm run deploy builds it, with its source map");
  const bundle = bundleKeystone();
  const settings = { seconds: SECONDS, connections: CONNECTIONS, cores: pinning.client };
  const worker = await startWorker(
    "B",
    keystoneOptions(bundle.script),
    { ...LEAN_FLOOR, inspectorPort: INSPECTOR_PORT },
    pinning.worker,
  );
  let profiled: Profiled;
  try {
    await applyService(worker.url, benchService(origin.url));
    await waitFor(async () => (await visit(worker.url, BENCH_VISITOR)) !== null, 10_000);
    profiled = await profileUnderLoad(worker, INSPECTOR_PORT, settings, origin.pid);
  } finally {
    await worker.mf.dispose();
  }
  const bareLine = await profileBare(origin.url, settings, origin.pid, bundle.sourceMap);
  const { run, isolate: profile, outboundHop: hop } = profiled;
  mkdirSync(RESULTS, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const file = join(RESULTS, `keystone-${stamp}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  writeFileSync(join(RESULTS, `outbound-hop-${stamp}.cpuprofile`), JSON.stringify(hop));
  const summary = summarizeProfile(profile, bundle.sourceMap);
  const hopSummary = summarizeProfile(hop, bundle.sourceMap, "(none)");
  const requests = run.total;
  console.log(
    `\nCPU profile of Keystone (as deployed, minified) under load: ${SECONDS} s, ${CONNECTIONS} connections, ` +
      `${requests} requests, sampled every ${INTERVAL_US} µs; ${describePinning(pinning)}`,
  );
  console.log(`saved ${file} (open in Chrome DevTools; names are mapped in the tables below)`);
  console.log(
    `workerd CPU per request while profiling (from /proc): ${run.cpuUsPerRequest.toFixed(0)} µs, the profiler's own cost included.\n` +
      `Sampled busy time per request: Keystone's isolate ${(summary.busyUs / requests).toFixed(0)} µs, ` +
      `Miniflare's outbound hop (part of every Worker's floor, not Keystone) ${(hopSummary.busyUs / requests).toFixed(0)} µs. ` +
      "Samples are wall-clock: on a busy machine they exceed CPU time, so read the shares.\n" +
      bareLine,
  );
  printSummary(summary, requests);
} finally {
  origin.child.kill();
}
