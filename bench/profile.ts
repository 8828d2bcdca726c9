// npm run bench:profile: a CPU profile of Keystone, bundled and minified as deployed, under load,
// taken through workerd's inspector (Chrome DevTools Protocol, Profiler.start/stop) and read back
// through the bundle's source map: the top functions by self time and the time per Keystone module,
// per request. Saves the raw profiles under bench/results/ (open them in Chrome DevTools).
// Knobs: BENCH_SECONDS (5), BENCH_CONNECTIONS (16), BENCH_PIN (auto), BENCH_INSPECTOR_PORT (18851),
// BENCH_PROFILE_INTERVAL_US (1000: finer sampling costs workerd more CPU than Keystone does).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bundleKeystone, ROOT } from "./lib/bundle.ts";
import { BENCH_HEADERS, BENCH_PATH, BENCH_VISITOR, benchService } from "./lib/config.ts";
import { InspectorSession } from "./lib/inspector.ts";
import { applyService, visit, waitFor } from "./lib/keystone-client.ts";
import { load, measure } from "./lib/load.ts";
import { describePinning, pinningFromEnv } from "./lib/pinning.ts";
import { startOriginProcess } from "./lib/processes.ts";
import { type ProfileSummary, summarizeProfile } from "./lib/profile-summary.ts";
import { table } from "./lib/report.ts";
import { keystoneOptions, LEAN_FLOOR, startWorker } from "./lib/workers.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const INSPECTOR_PORT = Number(process.env.BENCH_INSPECTOR_PORT ?? 18851);
const INTERVAL_US = Number(process.env.BENCH_PROFILE_INTERVAL_US ?? 1000);
const RESULTS = join(ROOT, "bench/results");
const log = (line: string) => process.stderr.write(`${line}\n`);

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

const pinning = pinningFromEnv();
const origin = await startOriginProcess(0, pinning.client);
try {
  log("bundling Keystone as wrangler deploy --minify builds it, with its source map");
  const bundle = bundleKeystone();
  const worker = await startWorker(
    "B",
    keystoneOptions(bundle.script),
    { ...LEAN_FLOOR, inspectorPort: INSPECTOR_PORT },
    pinning.worker,
  );
  try {
    await applyService(worker.url, benchService(origin.url));
    await waitFor(async () => (await visit(worker.url, BENCH_VISITOR)) !== null, 10_000);
    const settings = { seconds: SECONDS, connections: CONNECTIONS, cores: pinning.client };
    await load(worker.url + BENCH_PATH, BENCH_HEADERS, { ...settings, seconds: 2 });
    const keystone = await InspectorSession.open(INSPECTOR_PORT, "core:user:");
    const outbound = await InspectorSession.open(INSPECTOR_PORT, "outbound:0");
    try {
      await keystone.startProfiler(INTERVAL_US);
      await outbound.startProfiler(INTERVAL_US);
      log(`profiling under load for ${SECONDS} s`);
      const run = await measure(worker.url + BENCH_PATH, BENCH_HEADERS, settings, {
        workerd: worker.pid,
        origin: origin.pid,
      });
      const profile = await keystone.stopProfiler();
      const hop = await outbound.stopProfiler();
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
          "Samples are wall-clock: on a busy machine they exceed CPU time, so read the shares.",
      );
      printSummary(summary, requests);
    } finally {
      keystone.close();
      outbound.close();
    }
  } finally {
    await worker.mf.dispose();
  }
} finally {
  origin.child.kill();
}
