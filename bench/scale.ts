// npm run bench:scale: how Keystone's use of Durable Objects and KV holds up at scale, printed and
// checked against the targets of issue 24 (figures, never timed tests). Bounded: about 5 minutes.
//   1. Stats that spread: fleets of 1,000 / 10,000 / 50,000 isolates flushing one version's
//      outcomes every 5 s (1M requests a second in all), spread by the Worker's own fan-out rules
//      on a virtual clock: the busiest object's flushes a second (target ≤ 500); the same code live
//      in workerd at the rate this machine reaches: the fan-out it grows to and outcomes lost (0);
//      the tick's read of a version spread over each fleet's fan-out (a 10-minute step per shard).
//   2. Ticks that spread: 1,000 rollouts started, each ticked by its own object's alarm; every
//      first tick within one interval of its due time, none left for the cron.
//   3. Publication today ("before item 1"): one weights change among 1,000 and 2,000 services
//      rewrites the whole route document; its bytes and CPU, and 10,000 extrapolated from them.
import { ROUTES_KEY } from "../schemas/routes-doc.ts";
import { startOrigin } from "../scripts/origin-server.ts";
import { bundleEntries } from "./lib/bundle.ts";
import { cpuMillis } from "./lib/cpu.ts";
import { admin } from "./lib/keystone-client.ts";
import {
  applyInFiles,
  liveFleet,
  publicationCost,
  rolloutServiceConfig,
  spreadRead,
  tickFleet,
} from "./lib/scale-live.ts";
import { type FleetFigures, simulateFleet } from "./lib/scale-model.ts";
import { median } from "./lib/stats.ts";
import { keystoneOptions, startWorker } from "./lib/workers.ts";

// Smaller runs for a quick look: SCALE_ROLLOUTS=20 SCALE_MORE_SERVICES=100 SCALE_ISOLATES=200.
const ROLLOUTS = Number(process.env.SCALE_ROLLOUTS ?? 1_000);
const MORE_SERVICES = Number(process.env.SCALE_MORE_SERVICES ?? 1_000);
const LIVE_ISOLATES = Number(process.env.SCALE_ISOLATES ?? 2_000);
// SCALE_PARTS=ticks runs only that part: stats, ticks, publication (after the ticks' services).
const PARTS = new Set((process.env.SCALE_PARTS ?? "stats,ticks,publication").split(","));
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
    if (PARTS.has("ticks") || PARTS.has("publication"))
      await ticksAndPublication(worker, origin.url);
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

/** A thousand rollouts ticking from their alarms; then what one publication costs today. */
async function ticksAndPublication(worker: Worker, origin: string): Promise<void> {
  {
    log(`bench:scale: ${ROLLOUTS} rollouts…`);
    const kv = await worker.mf.getKVNamespace("ROUTES");
    const readDocument = async () => (await kv.get(ROUTES_KEY, "text")) as string | null;
    const cpu = () => cpuMillis(worker.pid);
    await admin(worker.url, "PUT", "/services/pub-probe", {
      config: { ...rolloutServiceConfig("pub-probe", origin), rollout: undefined },
    });
    const ticks = await tickFleet(worker.url, origin, ROLLOUTS, TICK_SECONDS * 1000);
    out();
    out(
      `## 2. Ticks that spread: ${fmt(ROLLOUTS)} active rollouts, a tick every ${TICK_SECONDS} s`,
    );
    out();
    out(
      `- applied ${fmt(ticks.rollouts)} services in files of 100 in ${fmt(ticks.applySeconds, 1)} s; started their rollouts in ${fmt(ticks.startSeconds, 1)} s (8 at a time; each start rewrites the whole route document today)`,
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

    if (!PARTS.has("publication")) return;
    log("bench:scale: publication today…");
    const costs = [
      await publicationCost(worker.url, "pub-probe", ROLLOUTS + 1, readDocument, cpu, 10),
    ];
    const more = Array.from({ length: MORE_SERVICES }, (_, i) =>
      rolloutServiceConfig(`more-${String(i).padStart(5, "0")}`, origin),
    );
    const applied = await applyInFiles(worker.url, more, 100);
    costs.push(
      await publicationCost(
        worker.url,
        "pub-probe",
        ROLLOUTS + MORE_SERVICES + 1,
        readDocument,
        cpu,
        20,
      ),
    );
    out();
    out('## 3. Publication today ("before item 1": one routes:v1 document of every service)');
    out();
    out(
      `${fmt(MORE_SERVICES)} more services applied in files of 100 in ${fmt(applied, 1)} s. One weights change:`,
    );
    out();
    out("| services | KV bytes written | workerd CPU ms | published after ms |");
    out("|---:|---:|---:|---:|");
    for (const c of costs)
      out(
        `| ${fmt(c.services)} | ${fmt(c.documentBytes)} | ${fmt(c.cpuMs)} | ${fmt(c.publishedMs)} |`,
      );
    const last = costs.at(-1)!;
    const perService = last.documentBytes / last.services;
    out(
      `| 10,000 (extrapolated, not measured) | ~${fmt((perService * 10_000) / 1e6, 1)} MB | — | — |`,
    );
    out();
    out(
      `Target after item 1: ≤ 4 × one service's own entry (~${fmt(4 * perService)} bytes) per change; today every change writes the whole document (${fmt(perService)} bytes a service; KV's 25 MiB value limit is reached near ${fmt((25 * 1_048_576) / perService)} services). CPU includes the rollouts' alarms ticking meanwhile.`,
    );
  }
}

await main();
