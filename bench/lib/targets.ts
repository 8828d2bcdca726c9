// Every figure of npm run bench against its target, with the A/A' noise beside it: a verdict says
// when the noise could move a figure across its target.
import type { MicroFigure } from "../micro.ts";
import type { WorkerBundle } from "./bundle.ts";
import type { ColdStart } from "./cold-start.ts";
import type { RollbackReaction, WeightsReaction } from "./reaction.ts";
import type { Comparison } from "./rounds.ts";
import type { StageCosts } from "./stages.ts";
import { formatSpread, type Spread } from "./stats.ts";
import type { HotPath, SideBySide } from "./throughput.ts";

export interface BenchResults {
  machine: string;
  settings: string;
  throughput: SideBySide;
  bundle: WorkerBundle;
  stages?: StageCosts;
  cold?: ColdStart;
  micro?: { figures: MicroFigure[]; firstCallNs: number };
  weights?: WeightsReaction;
  rollback?: RollbackReaction;
}

export interface Target {
  what: string;
  measured: string;
  noise: string;
  verdict: string;
}

/** "met", "MISSED", with "(within noise)" when the noise band around the median crosses the bound. */
export function verdict(median: number, ok: (x: number) => boolean, noise = 0): string {
  const base = ok(median) ? "met" : "MISSED";
  return ok(median - noise) !== ok(median + noise) ? `${base} (within noise)` : base;
}

/** Half-width of the noise band: the largest A'/A deviation over rounds. */
function band(noise: Spread, center: number): number {
  return Math.max(Math.abs(noise.min - center), Math.abs(noise.max - center));
}

/** KV refresh and stats flush intervals B runs with (keystoneOptions), and its versions. */
const REFRESH_SECONDS = 30;
const FLUSH_SECONDS = 5;
const SERIES = 2;

/**
 * Reads and calls that follow the clock, not the requests: at most one KV read per refresh
 * interval and one Durable Object call per version per flush interval, whatever the load.
 */
export function hotPathTarget(hot: HotPath): Target {
  const kvBound = Math.ceil(hot.seconds / REFRESH_SECONDS) + 1;
  const doBound = SERIES * (Math.ceil(hot.seconds / FLUSH_SECONDS) + 1);
  const per10k = (n: number) => ((n / hot.requestsServed) * 10_000).toFixed(1);
  return {
    what: "hot path: KV reads and DO calls follow the clock, not the requests",
    measured:
      `${hot.kvReads} KV reads (bound ${kvBound}), ${hot.durableObjectCalls} DO calls (bound ${doBound}) ` +
      `in ${hot.seconds.toFixed(0)} s; per 10,000 requests ${per10k(hot.kvReads)} and ${per10k(hot.durableObjectCalls)}`,
    noise: "",
    verdict: hot.kvReads <= kvBound && hot.durableObjectCalls <= doBound ? "met" : "MISSED",
  };
}

export function targets(r: BenchResults): Target[] {
  const b = r.throughput.vsA.B!;
  const n = r.throughput.vsA["A'"]!;
  const out: Target[] = [];
  const cpu = b.cpuUs.median;
  out.push({
    what: "workerd CPU per request B − A ≤ 60 µs (stretch ≤ 25 µs)",
    measured: `${formatSpread(b.cpuUs, 0, true)} µs`,
    noise: `${formatSpread(n.cpuUs, 0, true)} µs`,
    verdict: `${verdict(cpu, (x) => x <= 60, band(n.cpuUs, 0))}${cpu <= 25 ? ", stretch met" : ""}`,
  });
  const own = r.throughput.bVsP;
  out.push({
    what: "Keystone's own cost, workerd CPU per request B − P ≤ 40 µs",
    measured: `${formatSpread(own.cpuUs, 0, true)} µs`,
    noise: `${formatSpread(n.cpuUs, 0, true)} µs`,
    verdict: verdict(own.cpuUs.median, (x) => x <= 40, band(n.cpuUs, 0)),
  });
  out.push({
    what: "throughput B/P ≥ 0.95",
    measured: formatSpread(own.throughput, 3),
    noise: formatSpread(n.throughput, 3),
    verdict: verdict(own.throughput.median, (x) => x >= 0.95, band(n.throughput, 1)),
  });
  const ratio = (what: string, pick: (c: Comparison) => Spread, ok: (x: number) => boolean) =>
    out.push({
      what,
      measured: formatSpread(pick(b), 3),
      noise: formatSpread(pick(n), 3),
      verdict: verdict(pick(b).median, ok, band(pick(n), 1)),
    });
  ratio(
    "throughput B/A ≥ 0.93",
    (c) => c.throughput,
    (x) => x >= 0.93,
  );
  ratio(
    "p50 B/A ≤ 1.10",
    (c) => c.p50,
    (x) => x <= 1.1,
  );
  ratio(
    "p99 B/A ≤ 1.20",
    (c) => c.p99,
    (x) => x <= 1.2,
  );
  out.push({
    what: "origin alone ≥ 10 × A's rate",
    measured: `${formatSpread(r.throughput.origin.timesA, 1)} ×`,
    noise: "",
    verdict: r.throughput.origin.timesA.median >= 10 ? "met" : "MISSED",
  });
  out.push(hotPathTarget(r.throughput.hotPath));
  if (r.micro) {
    for (const [rules, boundNs] of [
      [10, 1000],
      [100, 5000],
    ] as const) {
      const of = (kind: string) =>
        r.micro!.figures.find((f) => f.name === `decideRoute ${kind}, ${rules} rules`)!.medianNs;
      const worst = Math.max(of("warm"), of("cold"));
      out.push({
        what: `decideRoute, ${rules} rules ≤ ${boundNs / 1000} µs (median, warm and cold)`,
        measured: `warm ${(of("warm") / 1000).toFixed(2)} µs, cold ${(of("cold") / 1000).toFixed(2)} µs`,
        noise: "",
        verdict: worst <= boundNs ? "met" : "MISSED",
      });
    }
  }
  out.push({
    what: "bundle ≤ 300 KB minified",
    measured: `${(r.bundle.minifiedBytes / 1000).toFixed(0)} KB (gzip ${(r.bundle.gzippedBytes / 1000).toFixed(0)} KB)`,
    noise: "",
    verdict: r.bundle.minifiedBytes <= 300_000 ? "met" : "MISSED",
  });
  if (r.cold) {
    const { bare, keystone, freshKeystoneMs, freshKeystoneCpuMs } = r.cold.median;
    const x = freshKeystoneMs / bare.firstRequestMs;
    out.push({
      what: "fresh isolate's first request ≤ 1.5 × bare's (script evaluation included)",
      measured:
        `${x.toFixed(2)} × (${freshKeystoneMs.toFixed(1)} / ${bare.firstRequestMs.toFixed(1)} ms; ` +
        `request alone ${(keystone.firstRequestMs / bare.firstRequestMs).toFixed(2)} ×; ` +
        `in workerd CPU ${(freshKeystoneCpuMs / bare.firstRequestCpuMs).toFixed(2)} ×)`,
      noise: "",
      verdict: x <= 1.5 ? "met" : "MISSED",
    });
  }
  if (r.cold) {
    const sum = r.cold.vsBareCpuMs.sum;
    out.push({
      what: "fresh isolate, startup + first request CPU within 10 ms of bare's (paired)",
      measured: `${formatSpread(sum, 1, true)} ms`,
      noise: "",
      verdict: sum.median <= 10 ? "met" : "MISSED",
    });
  }
  if (r.cold?.dataPlane) {
    const sum = r.cold.dataPlane.vsBareCpuMs.sum;
    out.push({
      what: "fresh data plane Worker isolate (D), startup + first request CPU within 10 ms of bare's (paired)",
      measured: `${formatSpread(sum, 1, true)} ms`,
      noise: "",
      verdict: sum.median <= 10 ? "met" : "MISSED",
    });
  }
  if (r.rollback) {
    out.push({
      what: "failing canary: no request reaches it later than one tick (60 s) after the window fills",
      measured: `last canary request ${(r.rollback.lastCanaryAfterTickMs / 1000).toFixed(1)} s after the tick`,
      noise: "",
      verdict: r.rollback.lastCanaryAfterTickMs <= 60_000 ? "met" : "MISSED",
    });
  }
  return out;
}
