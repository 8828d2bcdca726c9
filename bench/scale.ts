// npm run bench:scale: how Keystone's use of Durable Objects and KV holds up at scale, printed and
// checked against the targets of issue 24 (figures, never timed tests). Bounded: about 5 minutes.
//   1. Stats that spread: fleets of 1,000 / 10,000 / 50,000 isolates flushing one version's
//      outcomes every 5 s (1M requests a second in all), spread by the Worker's own fan-out rules
//      on a virtual clock: the busiest object's flushes a second (target ≤ 500); the same code live
//      in workerd at the rate this machine reaches: the fan-out it grows to and outcomes lost (0);
//      the tick's read of a version spread over each fleet's fan-out (a 10-minute step per shard).
//   2. Ticks that spread: 1,000 rollouts started, each ticked by its own object's alarm; every
//      first tick within one interval of its due time, none left for the cron.
//   3. Publication per service: at 10 / 1,000 / 3,000 services (SCALE_PUB_SIZES), one weights
//      change's KV bytes (target ≤ 4 × the service's own entry) and workerd CPU; applying one
//      service at a time at the smallest and largest size; an isolate holding every service: its
//      refresh after one change (≤ 2 ms), a cold isolate's first request to one host (≤ the
//      one-service case + 5 ms), the memory it grows by.
import { startOrigin } from "../scripts/origin-server.ts";
import { bundleEntries } from "./lib/bundle.ts";
import { liveFleet, spreadRead, tickFleet } from "./lib/scale-live.ts";
import { type FleetFigures, simulateFleet } from "./lib/scale-model.ts";
import { type ChangeCost, type IsolateCost, PublicationBench } from "./lib/scale-publication.ts";
import { median } from "./lib/stats.ts";
import { keystoneOptions, startWorker } from "./lib/workers.ts";

// Smaller runs for a quick look: SCALE_ROLLOUTS=20 SCALE_PUB_SIZES=10,200 SCALE_ISOLATES=200.
const ROLLOUTS = Number(process.env.SCALE_ROLLOUTS ?? 1_000);
const LIVE_ISOLATES = Number(process.env.SCALE_ISOLATES ?? 2_000);
// SCALE_PARTS=ticks runs only that part: stats, ticks, publication.
const PARTS = new Set((process.env.SCALE_PARTS ?? "stats,publication,ticks").split(","));
// SCALE_PUB_SIZES=10,1000,3000,10000: the service counts the publication part measures at.
const PUBLICATION_SIZES = (process.env.SCALE_PUB_SIZES ?? "10,1000,3000").split(",").map(Number);
const ONE_AT_A_TIME = 50;
const TICK_SECONDS = 60;
const out = (line = "") => process.stdout.write(`${line}\n`);
const log = (line: string) => process.stderr.write(`${line}\n`);
const verdict = (ok: boolean) => (ok ? "met" : "MISSED");
const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  out("# bench:scale");
  out();
  out("## 1. Stats that spread: one version at 1M requests a second");
  out();
  out("Fleet model (the Worker's fan-out code on a virtual clock, 180 s, flush every 5 s):");
  out();
  out("| isolates | flushes/s | fan-out | busiest object flushes/s | target ≤ 500 | grew at (s) |");
  out("|---:|---:|---:|---:|---|---|");
  const fleets = [1_000, 10_000, 50_000].map((isolates) => simulateFleet(isolates));
  for (const f of fleets)
    out(
      `| ${fmt(f.isolates)} | ${fmt(f.flushesPerSecond)} | ${f.shards} | ${fmt(f.busiestPerSecond, 1)} | ${verdict(f.busiestPerSecond <= 500)} | ${f.grewAt.join(", ") || "-"} |`,
    );

  log("bench:scale: bundling and starting Keystone in workerd…");
  const origin = await startOrigin("scale-origin");
  const folder = await bundleEntries(
    { "scale-driver": "bench/workers/scale-driver.ts" },
    "workerd",
  );
  const options = keystoneOptions(`${folder}/scale-driver.mjs`, {
    ROLLOUT_TICK_SECONDS: String(TICK_SECONDS),
    METRICS_FLUSH_SECONDS: "5",
  });
  // The release objects too (the other benches' Workers have none): the cron ticks releases.
  const durableObjects = {
    ...(options.durableObjects as Record<string, unknown>),
    RELEASES: { className: "ReleaseObject", useSQLite: true },
  } as typeof options.durableObjects;
  const worker = await startWorker("keystone-scale", { ...options, durableObjects });
  try {
    if (PARTS.has("stats")) await statsPart(worker, fleets);
    // Before the ticks: its sizes are the services it applies itself.
    if (PARTS.has("publication")) await publicationPart(worker, origin.url);
    if (PARTS.has("ticks")) await ticks(worker, origin.url);
  } finally {
    await worker.mf.dispose();
    await origin.close();
  }
}

type Worker = Awaited<ReturnType<typeof startWorker>>;

/** Live in workerd: a fleet flushing for real (outcomes lost), the tick's read of a spread version. */
async function statsPart(worker: Worker, fleets: FleetFigures[]): Promise<void> {
  {
    log("bench:scale: live fleet…");
    const live = await liveFleet(worker.url, LIVE_ISOLATES, 5);
    out();
    out(
      "Live in workerd (real OutcomeFlusher per simulated isolate, as fast as this machine goes):",
    );
    out();
    out(
      `- ${fmt(live.isolates)} isolates × 5 flushes = ${fmt(live.flushes)} flushes in ${fmt(live.elapsedMs / 1000, 1)} s (${fmt(live.flushesPerSecond)}/s): fan-out grew to ${live.shards}; busiest object ${fmt(live.busiestPerSecond)} flushes/s over the run`,
    );
    out(
      `- outcomes sent ${fmt(live.sent)}, counted over all shards ${fmt(live.counted)}, dropped by flushers ${fmt(live.dropped)}: lost ${fmt(live.sent - live.counted)} (target 0: ${verdict(live.sent === live.counted && live.dropped === 0)})`,
    );
    out();
    out("The tick's read of one version (every shard's 10-minute window, merged), median of 7:");
    out();
    out("| fan-out | read ms (median) | read ms (max) | requests merged |");
    out("|---:|---:|---:|---:|");
    for (const shards of [...new Set([1, ...fleets.map((f) => f.shards)])]) {
      const read = await spreadRead(worker.url, shards);
      out(
        `| ${shards} | ${fmt(median(read.readMs), 1)} | ${fmt(Math.max(...read.readMs), 1)} | ${fmt(read.requests)} |`,
      );
    }
  }
}

/** A thousand rollouts ticking from their alarms. */
async function ticks(worker: Worker, origin: string): Promise<void> {
  {
    log(`bench:scale: ${ROLLOUTS} rollouts…`);
    const ticks = await tickFleet(worker.url, origin, ROLLOUTS, TICK_SECONDS * 1000);
    out();
    out(
      `## 2. Ticks that spread: ${fmt(ROLLOUTS)} active rollouts, a tick every ${TICK_SECONDS} s`,
    );
    out();
    out(
      `- applied ${fmt(ticks.rollouts)} services in files of 100 in ${fmt(ticks.applySeconds, 1)} s; started their rollouts in ${fmt(ticks.startSeconds, 1)} s (8 at a time; each start is a publication of its service)`,
    );
    out(
      `- ticks made by the objects' own alarms, watched for ${fmt(ticks.watchedSeconds)} s: ${fmt(ticks.ticks)}; rollouts with fewer than two ticks seen: ${ticks.unfinished}`,
    );
    out(
      `- each tick after it was due: median ${fmt(ticks.lateness.median)} ms, p99 ${fmt(ticks.lateness.p99)} ms, max ${fmt(ticks.lateness.max)} ms; late by more than one tick: ${ticks.lateByMoreThanATick} (target 0: ${verdict(ticks.lateByMoreThanATick === 0 && ticks.unfinished === 0)})`,
    );
    out(
      `- rollouts the cron would wake (late by the registry) at the end: ${ticks.lateForCron} (a cron invocation's subrequests: 2 + that, not 2 + ${fmt(ticks.rollouts)})`,
    );
  }
}

/** Publication per service at each size: one change's bytes and CPU, the isolates' costs. */
async function publicationPart(worker: Worker, origin: string): Promise<void> {
  log("bench:scale: publication per service…");
  const kv = await worker.mf.getKVNamespace("ROUTES");
  const bench = new PublicationBench(worker.url, origin, kv, worker.pid);
  const changes: ChangeCost[] = [];
  const isolates: IsolateCost[] = [];
  const applied: string[] = [];
  let small = 0;
  for (const size of PUBLICATION_SIZES) {
    const seconds = await bench.growTo(size);
    applied.push(`${fmt(bench.services)} in ${fmt(seconds, 1)} s`);
    log(`  ${bench.services} services; one change…`);
    changes.push(await bench.changeCost(5));
    isolates.push(await bench.isolateCost(5, 20));
    if (small === 0) small = await bench.oneAtATime(ONE_AT_A_TIME, "small");
  }
  const smallAt = changes[0]!.services + ONE_AT_A_TIME;
  const largeAt = bench.services;
  const large = await bench.oneAtATime(ONE_AT_A_TIME, "large");
  out();
  out("## 3. Publication per service (issue 24, item 1)");
  out();
  out(`Services applied in files of 100 (running total): ${applied.join("; ")}.`);
  out();
  out("One weights change of one service (median of 5), the registry writing KV:");
  out();
  out(
    "| services | KV bytes written | keys written | the service's own entry | ≤ 4 × entry | workerd CPU ms | published after ms |",
  );
  out("|---:|---:|---:|---:|---|---:|---:|");
  for (const c of changes)
    out(
      `| ${fmt(c.services)} | ${fmt(c.writtenBytes)} | ${c.writtenKeys} | ${fmt(c.entryBytes)} | ${verdict(c.writtenBytes <= 4 * c.entryBytes)} (${fmt(c.writtenBytes / c.entryBytes, 2)}×) | ${fmt(c.cpuMs, 1)} | ${fmt(c.publishedMs)} |`,
    );
  out();
  out(
    `Applying services one \`PUT\` at a time: ${fmt(small, 1)} ms a PUT at ${fmt(smallAt)} services, ${fmt(large, 1)} ms a PUT at ${fmt(largeAt)} (${ONE_AT_A_TIME} PUTs each; linear growth keeps these alike).`,
  );
  out();
  out(
    "An isolate's route table (the data plane's RouteTableCache in workerd; CPU of the workerd process around the call, so it includes one HTTP request's handling):",
  );
  out();
  out(
    "| services | warm refresh after one change, CPU ms | with nothing changed | net | its KV reads | cold first request to one host, CPU ms | its KV reads | workerd memory grown holding all, MB |",
  );
  out("|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const i of isolates)
    out(
      `| ${fmt(i.services)} | ${fmt(i.refreshCpuMs, 2)} | ${fmt(i.idleRefreshCpuMs, 2)} | ${fmt(i.refreshCpuMs - i.idleRefreshCpuMs, 2)} | ${i.refreshReads} | ${fmt(i.coldCpuMs, 2)} | ${i.coldReads} | ${fmt(i.rssGrowthMb, 1)} |`,
    );
  const [first] = isolates;
  const last = isolates.at(-1)!;
  out();
  out(
    `Targets: a warm refresh after one change ≤ 2 ms: ${verdict(last.refreshCpuMs - last.idleRefreshCpuMs <= 2)} (net of the idle refresh, at ${fmt(last.services)}); a cold first request ≤ the one-service case + 5 ms: ${verdict(last.coldCpuMs <= first!.coldCpuMs + 5)} (${fmt(last.coldCpuMs, 2)} ms at ${fmt(last.services)} against ${fmt(first!.coldCpuMs, 2)} ms at ${fmt(first!.services)}); one change among ${fmt(changes.at(-1)!.services)} costs what it costs among ${fmt(changes[0]!.services)}: ${fmt(changes.at(-1)!.cpuMs, 1)} against ${fmt(changes[0]!.cpuMs, 1)} ms.`,
  );
}

await main();
