// The printed report of npm run bench: the headline (workerd CPU per request, B − A, beside the
// A/A' noise), the side-by-side table, ratios paired by round, and every figure against its target.
import type { MicroFigure } from "../micro.ts";
import type { WorkerBundle } from "./bundle.ts";
import type { ColdStart } from "./cold-start.ts";
import type { RollbackReaction, WeightsReaction } from "./reaction.ts";
import type { Comparison, WorkerSummary } from "./rounds.ts";
import type { StageCosts } from "./stages.ts";
import { formatSpread, type Spread } from "./stats.ts";
import type { SideBySide } from "./throughput.ts";

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

const LABELS: Record<string, string> = {
  A: "A  bare pass-through",
  "A'": "A' bare, again (the noise)",
  B: "B  Keystone Edge, as deployed",
  C: "C  naive (KV read per request)",
};

export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  return [line(header), ...rows.map(line)];
}

export const WORKER_COLUMNS = [
  "Worker",
  "req/s",
  "p50 ms",
  "p99 ms",
  "workerd CPU µs/req",
  "workerd",
  "load gen",
  "origin",
  "errors",
];

/** One Worker's line: medians (and ranges) over rounds, and the CPU each process used. */
export function workerRow(label: string, s: WorkerSummary): string[] {
  return [
    label,
    formatSpread(s.requestsPerSecond),
    String(s.p50Ms.median),
    String(s.p99Ms.median),
    formatSpread(s.cpuUsPerRequest),
    `${(s.workerdCores * 100).toFixed(0)} %`,
    `${(s.loadCores * 100).toFixed(0)} %`,
    `${(s.originCores * 100).toFixed(0)} %`,
    String(s.errors),
  ];
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
  const hot = r.throughput.hotPath;
  const per10k = (n: number) => ((n / hot.requestsServed) * 10_000).toFixed(1);
  out.push({
    what: "hot path: ≤ 10 Durable Object calls and ≤ 1 KV read per 10,000 requests",
    measured: `${per10k(hot.durableObjectCalls)} DO calls, ${per10k(hot.kvReads)} KV reads (${hot.requestsServed} requests)`,
    noise: "",
    verdict:
      hot.durableObjectCalls * 1000 <= hot.requestsServed &&
      hot.kvReads * 10_000 <= hot.requestsServed
        ? "met"
        : "MISSED",
  });
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
    const { bare, keystone } = r.cold.median;
    const x = keystone.firstRequestMs / bare.firstRequestMs;
    out.push({
      what: "fresh isolate's first request ≤ 1.5 × bare's",
      measured: `${x.toFixed(2)} × (${keystone.firstRequestMs.toFixed(1)} / ${bare.firstRequestMs.toFixed(1)} ms)`,
      noise: "",
      verdict: x <= 1.5 ? "met" : "MISSED",
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

export function report(r: BenchResults): string {
  const t = r.throughput;
  const b = t.vsA.B!;
  const n = t.vsA["A'"]!;
  const a = t.summary.A!;
  const lines = [
    "",
    `Keystone Edge benchmark — ${r.machine}`,
    r.settings,
    "",
    `HEADLINE  workerd CPU per request, B − A: ${formatSpread(b.cpuUs, 0, true)} µs` +
      `   (noise, A' − A: ${formatSpread(n.cpuUs, 0, true)} µs)`,
    "          median over rounds (min – max), each round's difference paired within the round",
    "",
    ...table(
      WORKER_COLUMNS,
      Object.entries(t.summary).map(([name, s]) => workerRow(LABELS[name] ?? name, s)),
    ),
    "          (workerd / load gen / origin: share of one core each used while the load ran)",
    "",
    ...table(
      ["paired by round, vs A", ...Object.keys(t.vsA).map((k) => `${k}`)],
      (
        [
          ["workerd CPU µs/request, difference", (c: Comparison) => formatSpread(c.cpuUs, 0, true)],
          ["throughput ratio", (c: Comparison) => formatSpread(c.throughput, 3)],
          ["p50 ratio", (c: Comparison) => formatSpread(c.p50, 3)],
          ["p99 ratio", (c: Comparison) => formatSpread(c.p99, 3)],
        ] as const
      ).map(([label, f]) => [label, ...Object.values(t.vsA).map(f)]),
    ),
    "",
    `origin alone (a core to itself, pipelined 8 deep; once per round): ${formatSpread(t.origin.requestsPerSecond)} req/s ` +
      `on ${(t.origin.originCores * 100).toFixed(0)} % of a core = ${formatSpread(t.origin.timesA, 1)} × A's rate (paired by round); ` +
      `behind the Workers it used ${(a.originCores * 100).toFixed(0)} % of a core`,
    `hot path (B): ${t.hotPath.requestsServed} requests served by its isolate, ${t.hotPath.kvReads} KV reads, ` +
      `${t.hotPath.durableObjectCalls} Durable Object calls, ${t.hotPath.droppedOutcomes} outcomes dropped`,
    `bundle: ${r.bundle.minifiedBytes} bytes minified, ${r.bundle.gzippedBytes} gzipped; largest parts: ` +
      r.bundle.largestInputs
        .slice(0, 5)
        .map((i) => `${i.input} ${(i.bytes / 1000).toFixed(0)} KB`)
        .join(", "),
  ];
  if (r.cold) {
    lines.push(
      "",
      `cold start (a fresh workerd per sample, median of ${r.cold.bare.length}):`,
      ...table(
        ["", "startup ms", "first request ms", "second request ms"],
        (["bare", "keystone"] as const).map((k) => [
          k === "bare" ? "A bare" : "B Keystone",
          r.cold!.median[k].startupMs.toFixed(0),
          r.cold!.median[k].firstRequestMs.toFixed(1),
          r.cold!.median[k].secondRequestMs.toFixed(1),
        ]),
      ).map((l) => `  ${l}`),
    );
  }
  if (r.stages) lines.push("", ...r.stages.lines);
  if (r.micro) {
    lines.push(
      "",
      "microbenchmarks (plain Node, minified bundle of the core; median (quartiles) per operation):",
      ...r.micro.figures.map(
        (f) =>
          `  ${f.name.padEnd(30)} ${(f.medianNs / 1000).toFixed(3).padStart(10)} µs  (${(f.q1Ns / 1000).toFixed(3)} – ${(f.q3Ns / 1000).toFixed(3)})`,
      ),
      `  first decideRoute call in a fresh process (10 rules): ${(r.micro.firstCallNs / 1000).toFixed(0)} µs`,
    );
  }
  if (r.weights || r.rollback) lines.push("");
  if (r.weights) {
    const { medianMs, samplesMs } = r.weights;
    lines.push(
      `weights → first following request (local, 1 s refresh): median ${medianMs} ms (${samplesMs.join(", ")} ms)`,
    );
  }
  if (r.rollback) {
    const rollback = r.rollback;
    lines.push(
      `failing canary at ${rollback.requestsPerSecond.toFixed(0)} req/s: window held ${rollback.minRequests} requests after ${(rollback.toMinRequestsMs / 1000).toFixed(1)} s; after the tick: halted in the isolate at ${(rollback.haltAfterTickMs / 1000).toFixed(1)} s, last canary request at ${(rollback.lastCanaryAfterTickMs / 1000).toFixed(1)} s, route table at ${(rollback.tableAfterTickMs / 1000).toFixed(1)} s`,
    );
  }
  lines.push(
    "",
    "targets (noise: the same figure for A' against A):",
    ...table(
      ["target", "measured", "noise (A'/A)", "verdict"],
      targets(r).map((x) => [x.what, x.measured, x.noise, x.verdict]),
    ).map((l) => `  ${l}`),
  );
  return lines.join("\n");
}
