// npm run bench: Keystone Edge (B) side by side with a bare pass-through Worker (A) and a naive
// KV-per-request splitter (C), all in workerd through Miniflare directly, against one local origin,
// in alternating rounds; then hot-path counts, reaction times and the core's microbenchmarks.
// Prints a table and writes bench/results/latest.json. All traffic stays on 127.0.0.1.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import type { Miniflare } from "miniflare";
import { BENCH_HEADERS, BENCH_PATH, benchService } from "./lib/config.ts";
import { cpuSeconds, newWorkerdPid } from "./lib/cpu.ts";
import { applyService, isolateCounters, visit, waitFor } from "./lib/keystone-client.ts";
import { type LoadResult, load, median } from "./lib/load.ts";
import {
  bareWorker,
  bundleKeystone,
  keystoneWorker,
  naiveWorker,
  startOriginProcess,
  urlOf,
} from "./lib/processes.ts";
import { measureRollbackReaction, measureWeightsReaction } from "./lib/reaction.ts";
import type { MicroFigure } from "./micro.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RESULTS = new URL("./results/", import.meta.url);

const log = (line: string) => process.stderr.write(`${line}\n`);

type Name = "A" | "B" | "C";
const NAMES: Name[] = ["A", "B", "C"];

async function throughput(origin: string, bundle: string) {
  const started: Record<string, { mf: Miniflare; url: string; pid: number }> = {};
  const start = async (name: Name, make: () => Miniflare | Promise<Miniflare>) => {
    const { value, pid } = await newWorkerdPid(async () => {
      const mf = await make();
      return { mf, url: await urlOf(mf) };
    });
    started[name] = { ...value, pid };
  };
  try {
    await start("A", () => bareWorker(origin));
    await start("B", () => keystoneWorker(bundle));
    await start("C", () => naiveWorker(origin));
    const worker = (name: Name) => started[name]!;
    await applyService(worker("B").url, benchService(origin));
    await waitFor(
      async () => (await visit(worker("B").url, "7f1d3c2a-5b6e-4f80-9a1b-2c3d4e5f6a7b")) !== null,
      10_000,
    );
    for (const name of NAMES)
      await load(worker(name).url + BENCH_PATH, BENCH_HEADERS, 2, CONNECTIONS);
    const before = await isolateCounters(worker("B").url);
    const runs: Record<Name, (LoadResult & { cpuUsPerRequest: number })[]> = {
      A: [],
      B: [],
      C: [],
    };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const name of NAMES) {
        const cpuBefore = cpuSeconds(worker(name).pid);
        const result = await load(
          worker(name).url + BENCH_PATH,
          BENCH_HEADERS,
          SECONDS,
          CONNECTIONS,
        );
        const cpuUsPerRequest = ((cpuSeconds(worker(name).pid) - cpuBefore) / result.total) * 1e6;
        runs[name].push({ ...result, cpuUsPerRequest });
        log(
          `round ${round} ${name}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ` +
            `workerd CPU ${cpuUsPerRequest.toFixed(0)} µs/request, errors ${result.errors}, non-2xx ${result.non2xx}`,
        );
      }
    }
    const after = await isolateCounters(worker("B").url);
    const served = after.requestsServed - before.requestsServed;
    const per10k = (n: number) => (n / served) * 10_000;
    const summarize = (name: Name) => ({
      requestsPerSecond: median(runs[name].map((r) => r.requestsPerSecond)),
      p50Ms: median(runs[name].map((r) => r.p50Ms)),
      p99Ms: median(runs[name].map((r) => r.p99Ms)),
      cpuUsPerRequest: median(runs[name].map((r) => r.cpuUsPerRequest)),
      errors: runs[name].reduce((sum, r) => sum + r.errors + r.non2xx, 0),
    });
    return {
      runs,
      summary: { A: summarize("A"), B: summarize("B"), C: summarize("C") },
      hotPath: {
        requestsServed: served,
        kvReads: after.routeTableReads - before.routeTableReads,
        durableObjectCalls: after.statsFlushCalls - before.statsFlushCalls,
        kvReadsPer10k: per10k(after.routeTableReads - before.routeTableReads),
        durableObjectCallsPer10k: per10k(after.statsFlushCalls - before.statsFlushCalls),
        droppedOutcomes: after.droppedOutcomes + after.droppedOutcomeBatches,
      },
    };
  } finally {
    await Promise.all(Object.values(started).map(({ mf }) => mf.dispose()));
  }
}

function microbenchmarks(): MicroFigure[] {
  const run = spawnSync(process.execPath, [`${ROOT}bench/micro.ts`, "--json"], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (run.status !== 0) throw new Error("the microbenchmarks failed");
  return (JSON.parse(run.stdout) as { figures: MicroFigure[] }).figures;
}

function check(ok: boolean): string {
  return ok ? "met" : "MISSED";
}

const origin = await startOriginProcess();
try {
  log(
    `bundling the Worker; ${ROUNDS} rounds × 3 Workers × ${SECONDS} s, ${CONNECTIONS} connections`,
  );
  const bundle = bundleKeystone();
  const tp = await throughput(origin.url, bundle);
  log("reaction: keystone weights → first request that follows (local, 1 s refresh)");
  const weights = await measureWeightsReaction(bundle, origin.url);
  log("reaction: failing canary → last request that reaches it (30 s refresh, 5 s flush)");
  const rollback = await measureRollbackReaction(bundle, origin.url);
  log("microbenchmarks (bench/micro.ts)");
  const micro = microbenchmarks();
  const microOf = (name: string) => micro.find((m) => m.name === name)!;

  const { A, B, C } = tp.summary;
  const ratios = {
    bOverAThroughput: B.requestsPerSecond / A.requestsPerSecond,
    bOverAP50: B.p50Ms / A.p50Ms,
    bOverCThroughput: B.requestsPerSecond / C.requestsPerSecond,
  };
  const decide10 = microOf("decideRoute cold, 10 rules").medianNs;
  const decide100 = microOf("decideRoute cold, 100 rules").medianNs;
  const targets = [
    [
      "B/A throughput ≥ 0.90",
      ratios.bOverAThroughput.toFixed(3),
      check(ratios.bOverAThroughput >= 0.9),
    ],
    ["B p50 ≤ 1.10 × A p50", ratios.bOverAP50.toFixed(3), check(ratios.bOverAP50 <= 1.1)],
    [
      "B/C throughput ≥ 1.5",
      ratios.bOverCThroughput.toFixed(3),
      check(ratios.bOverCThroughput >= 1.5),
    ],
    [
      "KV reads per 10k = 0",
      tp.hotPath.kvReadsPer10k.toFixed(2),
      check(tp.hotPath.kvReadsPer10k < 0.5),
    ],
    [
      "DO calls per 10k ≤ 10",
      tp.hotPath.durableObjectCallsPer10k.toFixed(2),
      check(tp.hotPath.durableObjectCallsPer10k <= 10),
    ],
    [
      "decideRoute 10 rules ≤ 2 µs (median, cold)",
      `${(decide10 / 1000).toFixed(2)} µs`,
      check(decide10 <= 2000),
    ],
    [
      "decideRoute 100 rules ≤ 10 µs (median, cold)",
      `${(decide100 / 1000).toFixed(2)} µs`,
      check(decide100 <= 10_000),
    ],
    [
      "rollback: last canary request after the tick",
      `${(rollback.lastCanaryAfterTickMs / 1000).toFixed(1)} s`,
      check(rollback.lastCanaryAfterTickMs <= 60_000),
    ],
  ];

  const pad = (cells: string[], widths: number[]) =>
    cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  const lines = [
    "",
    `Keystone Edge benchmark — ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}`,
    "",
    pad(
      ["Worker", "req/s (median)", "p50 ms", "p99 ms", "CPU µs/req", "errors"],
      [50, 15, 7, 7, 11, 6],
    ),
    ...(["A", "B", "C"] as const).map((k) =>
      pad(
        [
          {
            A: "A bare pass-through",
            B: "B Keystone Edge (10 rules, experiment, 5% canary)",
            C: "C naive (KV read + parse per request)",
          }[k],
          tp.summary[k].requestsPerSecond.toFixed(0),
          String(tp.summary[k].p50Ms),
          String(tp.summary[k].p99Ms),
          tp.summary[k].cpuUsPerRequest.toFixed(0),
          String(tp.summary[k].errors),
        ],
        [50, 15, 7, 7, 11, 6],
      ),
    ),
    "",
    `Keystone's own cost: ${(B.cpuUsPerRequest - A.cpuUsPerRequest).toFixed(0)} µs of workerd CPU per request over the bare proxy (${(B.cpuUsPerRequest / A.cpuUsPerRequest).toFixed(2)}×); the naive splitter: ${(C.cpuUsPerRequest - A.cpuUsPerRequest).toFixed(0)} µs`,
    `hot path (B, ${tp.hotPath.requestsServed} requests): ${tp.hotPath.kvReads} KV reads, ${tp.hotPath.durableObjectCalls} Durable Object calls`,
    `weights → first following request (local): median ${weights.medianMs} ms (samples ${weights.samplesMs.join(", ")} ms)`,
    `failing canary at ${rollback.requestsPerSecond.toFixed(0)} req/s: window held ${rollback.minRequests} requests after ${(rollback.toMinRequestsMs / 1000).toFixed(1)} s; after the tick: halted in the isolate at ${(rollback.haltAfterTickMs / 1000).toFixed(1)} s, last canary request at ${(rollback.lastCanaryAfterTickMs / 1000).toFixed(1)} s, route table at ${(rollback.tableAfterTickMs / 1000).toFixed(1)} s`,
    "",
    "microbenchmarks (per operation):",
    ...micro.map(
      (m) =>
        `  ${m.name.padEnd(32)} median ${(m.medianNs / 1000).toFixed(2).padStart(10)} µs   q3 ${(m.q3Ns / 1000).toFixed(2).padStart(10)} µs`,
    ),
    "",
    "targets:",
    ...targets.map(
      ([what, value, verdict]) => `  ${what!.padEnd(48)} ${value!.padStart(10)}  ${verdict}`,
    ),
  ];
  console.log(lines.join("\n"));
  mkdirSync(RESULTS, { recursive: true });
  const report = {
    at: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model,
      memoryGiB: totalmem() / 2 ** 30,
      node: process.versions.node,
    },
    settings: { rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS },
    throughput: tp,
    ratios,
    reaction: { weights, rollback },
    micro,
    targets: targets.map(([what, value, verdict]) => ({ what, value, verdict })),
  };
  writeFileSync(new URL("latest.json", RESULTS), `${JSON.stringify(report, null, 2)}\n`);
  log("wrote bench/results/latest.json");
} finally {
  origin.child.kill();
}
