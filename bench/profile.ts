// npm run bench:profile: a CPU profile of Keystone, bundled and minified as deployed, under load,
// taken through workerd's inspector (Chrome DevTools Protocol, Profiler.start/stop) and read back
// through the bundle's source map: the top functions by self time and the time per Keystone module,
// per request. Saves the raw profiles under bench/results/ (open them in Chrome DevTools).
// The bare Worker (A) and the proxy floor (P) are profiled the same way: A for what any Worker
// pays, P for what a correct proxy pays, set against Keystone kind by kind (runtime call, native
// work, the Worker's own JavaScript) so that B − P shows where Keystone's own cost goes.
// Knobs: BENCH_SECONDS (5), BENCH_CONNECTIONS (16), BENCH_PIN (auto), BENCH_INSPECTOR_PORT (18851
// for Keystone, the next two for the bare Worker and the proxy floor),
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
import { type ProfileSummary, selfTimeByKind, summarizeProfile } from "./lib/profile-summary.ts";
import { table } from "./lib/report.ts";
import {
  type BenchWorker,
  bareOptions,
  keystoneOptions,
  LEAN_FLOOR,
  proxyFloorOptions,
  startWorker,
  type WorkerOptions,
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

/** Another Worker profiled the same way: the bare Worker (A) or the proxy floor (P). */
async function profileOther(
  name: string,
  options: WorkerOptions,
  port: number,
  settings: LoadSettings,
  originPid: number,
): Promise<Profiled> {
  const other = await startWorker(
    name,
    options,
    { ...LEAN_FLOOR, inspectorPort: port },
    pinning.worker,
  );
  try {
    return await profileUnderLoad(other, port, settings, originPid);
  } finally {
    await other.mf.dispose();
  }
}

function bareLine(p: Profiled): string {
  const n = p.run.total;
  const isolate = selfTimeByKind(p.isolate, "bare.js");
  const busy = [...isolate.values()].reduce((a, b) => a + b, 0);
  const hop = [...selfTimeByKind(p.outboundHop, "(none)").values()].reduce((a, b) => a + b, 0);
  return (
    `The bare Worker (A) profiled the same way: workerd ${p.run.cpuUsPerRequest.toFixed(0)} µs/request; ` +
    `its isolate ${(busy / n).toFixed(0)} µs/request sampled (fetch ${((isolate.get("fetch (runtime)") ?? 0) / n).toFixed(0)}), ` +
    `the outbound hop ${(hop / n).toFixed(0)}.`
  );
}

/**
 * Keystone (B) against the proxy floor (P), kind by kind (bench/lib/profile-summary.ts
 * selfTimeByKind): what B pays that a correct proxy does not, µs per request as sampled, the
 * outbound hop included (it runs in the same workerd, and what B sends it is B's doing).
 */
function printAgainstFloor(b: Profiled, p: Profiled, bScript: string): void {
  const rows = new Map<string, [number, number]>();
  const add = (kinds: Map<string, number>, requests: number, side: 0 | 1, prefix = "") => {
    for (const [kind, us] of kinds) {
      const row = rows.get(prefix + kind) ?? [0, 0];
      row[side] += us / requests;
      rows.set(prefix + kind, row);
    }
  };
  add(selfTimeByKind(b.isolate, bScript), b.run.total, 0);
  add(selfTimeByKind(p.isolate, "proxy-floor.js"), p.run.total, 1);
  add(selfTimeByKind(b.outboundHop, "(none)"), b.run.total, 0, "outbound hop: ");
  add(selfTimeByKind(p.outboundHop, "(none)"), p.run.total, 1, "outbound hop: ");
  const sorted = [...rows].sort(
    (x, y) => Math.abs(y[1][0] - y[1][1]) - Math.abs(x[1][0] - x[1][1]),
  );
  const sum = (side: 0 | 1) => [...rows.values()].reduce((a, r) => a + r[side], 0);
  console.log(
    `
B against the proxy floor P, profiled the same way (workerd ${b.run.cpuUsPerRequest.toFixed(0)} and ` +
      `${p.run.cpuUsPerRequest.toFixed(0)} µs/request from /proc while profiled): self time by kind, µs per request as ` +
      `sampled, largest difference first; sampled busy time ${sum(0).toFixed(0)} and ${sum(1).toFixed(0)}, B − P ${(sum(0) - sum(1)).toFixed(0)}:`,
  );
  console.log(
    table(
      ["kind", "B", "P", "B − P"],
      sorted
        .slice(0, 16)
        .map(([kind, [bUs, pUs]]) => [
          kind,
          bUs.toFixed(1),
          pUs.toFixed(1),
          (bUs - pUs).toFixed(1),
        ]),
    )
      .map((l) => `  ${l}`)
      .join("\n"),
  );
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
  const bare = await profileOther(
    "A",
    bareOptions(origin.url),
    INSPECTOR_PORT + 1,
    settings,
    origin.pid,
  );
  const floor = await profileOther(
    "P",
    proxyFloorOptions(origin.url),
    INSPECTOR_PORT + 2,
    settings,
    origin.pid,
  );
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
      bareLine(bare),
  );
  printSummary(summary, requests);
  printAgainstFloor(profiled, floor, "index.js");
} finally {
  origin.child.kill();
}
