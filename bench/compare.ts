// npm run bench:compare: Keystone at an earlier revision (BENCH_BASE, default HEAD) against this
// checkout, both bundled as `npm run deploy` builds them (with --minify, which revisions before
// wrangler.toml set it lacked), beside the bare Worker twice (A
// and A': the noise), in alternating rounds against one origin. What a change bought, paired by
// round: "after − before" beside "A' − A", so a busy machine moves both sides alike.
// BENCH_COMPARE=cold (or load,cold) also measures both cold starts (fresh workerd processes, as
// npm run bench does). Knobs: BENCH_BASE (a git revision), BENCH_COMPARE (load), BENCH_ROUNDS (6),
// BENCH_SECONDS (4), BENCH_CONNECTIONS (16), BENCH_COLD_SAMPLES (7), BENCH_PIN (auto).
import { execFileSync } from "node:child_process";
import { bundleKeystone, exportRevision, ROOT } from "./lib/bundle.ts";
import { measureColdStart } from "./lib/cold-start.ts";
import { BENCH_HEADERS, BENCH_PATH, BENCH_VISITOR, benchService } from "./lib/config.ts";
import { applyService, visit, waitFor } from "./lib/keystone-client.ts";
import { knob, log } from "./lib/knobs.ts";
import { load } from "./lib/load.ts";
import { describePinning, pinningFromEnv } from "./lib/pinning.ts";
import { startOriginProcess } from "./lib/processes.ts";
import { table, WORKER_COLUMNS, workerRow } from "./lib/report.ts";
import { alternatingRounds, compare, summarize } from "./lib/rounds.ts";
import { formatSpread } from "./lib/stats.ts";
import {
  type BenchWorker,
  bareOptions,
  keystoneOptions,
  startWorker,
  stopWorkers,
} from "./lib/workers.ts";

const BASE = process.env.BENCH_BASE || "HEAD";
const ROUNDS = knob("BENCH_ROUNDS", 6);
const SECONDS = knob("BENCH_SECONDS", 4);
const CONNECTIONS = knob("BENCH_CONNECTIONS", 16);
const COLD_SAMPLES = knob("BENCH_COLD_SAMPLES", 7);
const SECTIONS = new Set((process.env.BENCH_COMPARE || "load").split(","));
for (const name of SECTIONS) {
  if (name !== "load" && name !== "cold")
    throw new Error(`BENCH_COMPARE: unknown section "${name}" (load, cold)`);
}

// Exported first: a revision this clone lacks is refused with how to fetch it.
const baseTree = exportRevision(BASE);
const commit = execFileSync("git", ["rev-parse", "--short", BASE], { cwd: ROOT, encoding: "utf8" });
log(`bundling Keystone at ${BASE} (${commit.trim()}) and as checked out`);
const before = bundleKeystone(baseTree, ["--minify"]);
const after = bundleKeystone(undefined, ["--minify"]);
const pinning = pinningFromEnv();
const origin = await startOriginProcess(0, pinning.client);

/** Both load tests, alternating, paired by round. */
async function compareUnderLoad(): Promise<void> {
  const workers: BenchWorker[] = [];
  try {
    const start = async (name: string, options: Parameters<typeof startWorker>[1]) => {
      const worker = await startWorker(name, options, undefined, pinning.worker);
      workers.push(worker);
      return worker;
    };
    await start("A", bareOptions(origin.url));
    await start("A'", bareOptions(origin.url));
    const keystones = [
      await start("before", keystoneOptions(before.script)),
      await start("after", keystoneOptions(after.script)),
    ];
    for (const k of keystones) {
      await applyService(k.url, benchService(origin.url));
      await waitFor(async () => (await visit(k.url, BENCH_VISITOR)) !== null, 10_000);
    }
    const settings = { seconds: SECONDS, connections: CONNECTIONS, cores: pinning.client };
    for (const w of workers)
      await load(w.url + BENCH_PATH, BENCH_HEADERS, { ...settings, seconds: 2 });
    const runs = await alternatingRounds(workers, {
      rounds: ROUNDS,
      load: settings,
      originPid: origin.pid,
      log,
    });
    const paired = (of: string, against: string) => compare(runs.get(of)!, runs.get(against)!);
    const rows: [string, string, string][] = [
      ["A' − A (the noise)", "A'", "A"],
      ["before − A", "before", "A"],
      ["after − A", "after", "A"],
      ["after − before", "after", "before"],
    ];
    console.log(
      `\n${ROUNDS} rounds × ${SECONDS} s, ${CONNECTIONS} connections; ${describePinning(pinning)}; ` +
        `before = ${BASE} (${commit.trim()}), after = the working tree`,
    );
    console.log(
      table(
        WORKER_COLUMNS,
        workers.map((w) => workerRow(w.name, summarize(runs.get(w.name)!))),
      ).join("\n"),
    );
    console.log(
      "\npaired by round: workerd CPU µs per request, median (min – max); throughput ratio",
    );
    console.log(
      table(
        ["", "CPU µs/req", "req/s ratio"],
        rows.map(([label, of, against]) => {
          const c = paired(of, against);
          return [label, formatSpread(c.cpuUs, 0, true), formatSpread(c.throughput, 2)];
        }),
      ).join("\n"),
    );
  } finally {
    await stopWorkers(workers);
  }
}

/** Both cold starts (each against its own bare and same-shape Workers, as npm run bench does). */
async function compareColdStarts(): Promise<void> {
  const rows: string[][] = [];
  for (const [name, bundle] of [
    ["before", before],
    ["after", after],
  ] as const) {
    log(`cold start of ${name}: ${COLD_SAMPLES} fresh workerd per Worker`);
    const { median: m, vsBareCpuMs } = await measureColdStart(
      origin.url,
      bundle.script,
      COLD_SAMPLES,
      pinning.worker,
    );
    rows.push([
      name,
      m.bare.firstRequestMs.toFixed(1),
      m.scriptMs.toFixed(1),
      m.keystone.firstRequestMs.toFixed(1),
      m.freshKeystoneMs.toFixed(1),
      (m.freshKeystoneMs / m.bare.firstRequestMs).toFixed(2),
      m.bare.firstRequestCpuMs.toFixed(1),
      m.scriptCpuMs.toFixed(1),
      m.keystone.firstRequestCpuMs.toFixed(1),
      m.freshKeystoneCpuMs.toFixed(1),
      (m.freshKeystoneCpuMs / m.bare.firstRequestCpuMs).toFixed(2),
      formatSpread(vsBareCpuMs.firstRequest, 1, true),
      formatSpread(vsBareCpuMs.sum, 1, true),
    ]);
  }
  console.log(
    `\ncold start, median of ${COLD_SAMPLES} fresh workerd processes (ms; wall clock, then workerd CPU):`,
  );
  console.log(
    table(
      [
        "",
        "bare 1st request",
        "script evaluation",
        "1st request",
        "fresh isolate",
        "× bare",
        "CPU: bare 1st",
        "script",
        "1st request",
        "fresh",
        "× bare",
        "CPU − bare, paired: 1st request",
        "startup + 1st request",
      ],
      rows,
    ).join("\n"),
  );
}

try {
  if (SECTIONS.has("load")) await compareUnderLoad();
  if (SECTIONS.has("cold")) await compareColdStarts();
  console.log(
    `bundle: before ${(before.minifiedBytes / 1024).toFixed(1)} KB, after ${(after.minifiedBytes / 1024).toFixed(1)} KB minified`,
  );
} finally {
  origin.child.kill();
}
