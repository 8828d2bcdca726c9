// npm run bench:own: where Keystone's own cost (B − P) goes, in two parts.
// 1. In one isolate (bench/workers/own-cost.ts): Keystone's request path and the proxy floor's,
//    each K times per request with the origin call answered in the isolate: the Worker's own
//    JavaScript and runtime calls, µs per request, B − P, to within a few µs.
// 2. Under load, as npm run bench measures: the proxy floor P against P with one of Keystone's
//    duties added (bench/workers/proxy-floor.js): the four origin headers Keystone's contract
//    adds beyond P's three, reading request.cf as a geo rule does, and 40 more origin headers (the
//    price of one header, to within the noise); P' against P is the noise.
// Knobs: BENCH_OWN_TIMES (K, 200), BENCH_OWN_EXTRA_HEADERS (40),
// BENCH_OWN_REQUESTS (40 per round), BENCH_ROUNDS (5),
// BENCH_SECONDS (5), BENCH_CONNECTIONS (16), BENCH_PIN (auto).
import { join } from "node:path";
import { bundleEntries } from "./lib/bundle.ts";
import { BENCH_HEADERS, BENCH_PATH, benchService } from "./lib/config.ts";
import { cpuMillis } from "./lib/cpu.ts";
import { knob, log } from "./lib/knobs.ts";
import { describePinning, pinningFromEnv } from "./lib/pinning.ts";
import { startOriginProcess } from "./lib/processes.ts";
import { publishedKeys } from "./lib/published-keys.ts";
import { alternatingRounds, compare, summarize } from "./lib/rounds.ts";
import { formatSpread, median } from "./lib/stats.ts";
import {
  type BenchWorker,
  keystoneOptions,
  proxyFloorOptions,
  startWorker,
  stopWorkers,
} from "./lib/workers.ts";

const TIMES = knob("BENCH_OWN_TIMES", 200);
const REQUESTS = knob("BENCH_OWN_REQUESTS", 40);
const EXTRA_HEADERS = knob("BENCH_OWN_EXTRA_HEADERS", 40);
const ROUNDS = knob("BENCH_ROUNDS", 5);
const pinning = pinningFromEnv();

/** Part 1: µs per pass of each path, the isolate's CPU over REQUESTS × passes, per round. */
async function inIsolate(origin: { url: string }): Promise<string[]> {
  const dir = await bundleEntries({ "own-cost": "bench/workers/own-cost.ts" }, "workerd");
  const script = join(dir, "own-cost.mjs");
  // B's own bindings (its secrets decide how visitors are hashed and overrides checked), so that
  // the path timed is the one npm run bench measures.
  const { bindings } = keystoneOptions(script);
  const worker = await startWorker(
    "own",
    {
      scriptPath: script,
      kvNamespaces: ["ROUTES"],
      bindings: { ...(bindings as Record<string, string>), BENCH_PATH, ORIGIN: origin.url },
    },
    undefined,
    pinning.worker,
  );
  try {
    const kv = await worker.mf.getKVNamespace("ROUTES");
    for (const [key, value] of publishedKeys([benchService(origin.url)])) await kv.put(key, value);
    // Every pass must have been answered by the stand-in (none reached a socket).
    const pass = async (path: string, times: number) => {
      const response = await fetch(`${worker.url}/${path}${times}`, { headers: BENCH_HEADERS });
      const body = await response.text();
      if (body !== String(times)) throw new Error(`bench:own: /${path}${times} answered ${body}`);
    };
    const sides = async (times: number) => {
      const paths = ["none", "b", "p"];
      const perPass = new Map<string, number[]>(paths.map((path) => [path, []]));
      for (const path of paths) await pass(path, times);
      for (let round = 0; round < ROUNDS; round++) {
        for (const path of paths) {
          const before = cpuMillis(worker.pid);
          for (let i = 0; i < REQUESTS; i++) await pass(path, times);
          perPass.get(path)!.push(((cpuMillis(worker.pid) - before) * 1000) / (REQUESTS * times));
        }
      }
      const none = perPass.get(paths[0]!)!;
      const net = (path: string) => perPass.get(path)!.map((us, i) => us - none[i]!);
      const b = net(paths[1]!);
      const p = net(paths[2]!);
      const range = (values: number[]) =>
        `${median(values).toFixed(1)} (${Math.min(...values).toFixed(1)} – ${Math.max(...values).toFixed(1)})`;
      return [
        `  Keystone's request path (B)   ${range(b)}`,
        `  the proxy floor's (P)         ${range(p)}`,
        `  B − P, paired by round        ${range(b.map((us, i) => us - p[i]!))}`,
      ];
    };
    return [
      `1. In one isolate, the origin call answered in the isolate (${ROUNDS} rounds × ${REQUESTS} requests × ${TIMES} passes, the paths in turn; workerd CPU µs per pass, median (min – max) over rounds, the empty loop taken off):`,
      ...(await sides(TIMES)),
    ];
  } finally {
    await stopWorkers([worker]);
  }
}

/** Part 2: P against P with one of Keystone's duties added, under the benchmark's load. */
async function underLoad(origin: { url: string; pid: number }): Promise<string[]> {
  const variants: [string, Record<string, string>][] = [
    ["P", {}],
    ["P' (noise)", {}],
    ["P + Keystone's four origin headers", { KEYSTONE_HEADERS: "1" }],
    ["P + reading request.cf", { READ_CF: "1" }],
    [`P + ${EXTRA_HEADERS} more origin headers`, { EXTRA_HEADERS: String(EXTRA_HEADERS) }],
  ];
  const workers: BenchWorker[] = [];
  try {
    for (const [name, vars] of variants) {
      workers.push(
        await startWorker(name, proxyFloorOptions(origin.url, vars), undefined, pinning.worker),
      );
    }
    const seconds = knob("BENCH_SECONDS", 5);
    const runs = await alternatingRounds(workers, {
      rounds: ROUNDS,
      load: { seconds, connections: knob("BENCH_CONNECTIONS", 16), cores: pinning.client },
      originPid: origin.pid,
      log,
    });
    const floor = runs.get("P")!;
    const width = Math.max(...variants.map(([name]) => name.length));
    const many = compare(runs.get(variants[4]![0])!, floor).cpuUs;
    return [
      `2. Under load (${ROUNDS} rounds × ${seconds} s, the order rotated; workerd CPU µs per request, median (min – max); added: paired by round against P):`,
      ...workers.map(
        (w) =>
          `  ${w.name.padEnd(width)}  ${formatSpread(summarize(runs.get(w.name)!).cpuUsPerRequest).padEnd(22)}  ${w.name === "P" ? "" : formatSpread(compare(runs.get(w.name)!, floor).cpuUs, 0, true)}`,
      ),
      `  one header to the origin: ${(many.median / EXTRA_HEADERS).toFixed(1)} µs (${(many.min / EXTRA_HEADERS).toFixed(1)} – ${(many.max / EXTRA_HEADERS).toFixed(1)})`,
    ];
  } finally {
    await stopWorkers(workers);
  }
}

log("bench:own: Keystone's own cost, apart from the transport");
const origin = await startOriginProcess(0, pinning.client);
try {
  const lines = [...(await inIsolate(origin)), "", ...(await underLoad(origin))];
  console.log(`\n${describePinning(pinning)}`);
  console.log(lines.join("\n"));
} finally {
  origin.child.kill();
}
