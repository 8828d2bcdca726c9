// The printed report of npm run bench: the headline (workerd CPU per request, B − A, beside the
// A/A' noise), the side-by-side table, ratios paired by round, and the targets table.
import type { Comparison, WorkerSummary } from "./rounds.ts";
import { formatSpread } from "./stats.ts";
import { type BenchResults, targets } from "./targets.ts";
import type { SideBySide } from "./throughput.ts";

const LABELS: Record<string, string> = {
  A: "A  bare pass-through",
  "A'": "A' bare, again (the noise)",
  P: "P  correct proxy floor",
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

/** The measurement is only bound where it should be when workerd gets (nearly) a whole core. */
function boundWarning(t: SideBySide): string[] {
  const lowest = Math.min(...Object.values(t.summary).map((s) => s.workerdCores));
  if (lowest >= 0.8) return [];
  return [
    `          WARNING: a Worker's workerd had only ${(lowest * 100).toFixed(0)} % of a core: another process took the rest,`,
    "          so req/s and latency ratios say more about the machine than about the Workers; CPU per request holds better.",
  ];
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
    `HEADLINE  workerd CPU per request, B − P (Keystone's own): ${formatSpread(t.bVsP.cpuUs, 0, true)} µs;` +
      ` B − A: ${formatSpread(b.cpuUs, 0, true)} µs   (noise, A' − A: ${formatSpread(n.cpuUs, 0, true)} µs)`,
    `          P − A (what a correct proxy pays over the bare pass-through): ${formatSpread(t.vsA.P!.cpuUs, 0, true)} µs;` +
      ` throughput B/P ${formatSpread(t.bVsP.throughput, 3)}, B/A ${formatSpread(b.throughput, 3)}`,
    ...(r.cold
      ? [
          `          cold start, workerd CPU, B − A paired over ${r.cold.bare.length} fresh processes: startup ` +
            `${formatSpread(r.cold.vsBareCpuMs.startup, 1, true)} ms, first request ` +
            `${formatSpread(r.cold.vsBareCpuMs.firstRequest, 1, true)} ms, together ` +
            `${formatSpread(r.cold.vsBareCpuMs.sum, 1, true)} ms`,
        ]
      : []),
    ...(r.cold?.dataPlane
      ? [
          `          cold start of D, the data plane Worker (worker/data-plane/wrangler.toml), D − A paired: startup ` +
            `${formatSpread(r.cold.dataPlane.vsBareCpuMs.startup, 1, true)} ms, first request ` +
            `${formatSpread(r.cold.dataPlane.vsBareCpuMs.firstRequest, 1, true)} ms, together ` +
            `${formatSpread(r.cold.dataPlane.vsBareCpuMs.sum, 1, true)} ms`,
          `          … D less the bare Worker reading the same KV keys (Miniflare's KV is CPU in the same process): startup ` +
            `${formatSpread(r.cold.dataPlane.vsBareKvCpuMs.startup, 1, true)} ms, first request ` +
            `${formatSpread(r.cold.dataPlane.vsBareKvCpuMs.firstRequest, 1, true)} ms, together ` +
            `${formatSpread(r.cold.dataPlane.vsBareKvCpuMs.sum, 1, true)} ms`,
        ]
      : []),
    "          median over rounds or samples (min – max), each difference paired within its round or sample",
    "",
    ...table(
      WORKER_COLUMNS,
      Object.entries(t.summary).map(([name, s]) => workerRow(LABELS[name] ?? name, s)),
    ),
    "          (workerd / load gen / origin: share of one core each used while the load ran)",
    ...boundWarning(t),
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
    const m = r.cold.median;
    lines.push(
      "",
      `cold start (a fresh workerd per sample, median of ${r.cold.bare.length}):`,
      ...table(
        [
          "",
          "startup ms",
          "first request ms",
          "second request ms",
          "CPU: startup",
          "first request",
        ],
        (["bare", "keystone"] as const).map((k) => [
          k === "bare" ? "A bare" : "B Keystone",
          m[k].startupMs.toFixed(0),
          m[k].firstRequestMs.toFixed(1),
          m[k].secondRequestMs.toFixed(1),
          m[k].startupCpuMs.toFixed(0),
          m[k].firstRequestCpuMs.toFixed(1),
        ]),
      ).map((l) => `  ${l}`),
      `  Keystone's script evaluation (its startup less the same-shape bare Worker's): ${m.scriptMs.toFixed(1)} ms;` +
        ` a fresh isolate before answering: ${m.freshKeystoneMs.toFixed(1)} ms against the bare Worker's ${m.bare.firstRequestMs.toFixed(1)} ms`,
      `  the same in workerd CPU: script evaluation ${m.scriptCpuMs.toFixed(1)} ms; a fresh isolate ${m.freshKeystoneCpuMs.toFixed(1)} ms` +
        ` against the bare Worker's first request ${m.bare.firstRequestCpuMs.toFixed(1)} ms`,
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
