// npm run bench:floor: what a bare pass-through Worker costs in workerd under each Miniflare setting
// the benchmark could use, in alternating rounds: Miniflare's defaults, then each cost taken out
// (request log, the outbound header copy, the entry Worker), the lean floor twice (its noise), and the
// lean floor with the inspector on, unpinned, and beside a busy process. This is how the benchmark's
// floor was chosen (docs/performance.md).
import { spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./lib/bundle.ts";
import { BENCH_PATH } from "./lib/config.ts";
import { knob, log } from "./lib/knobs.ts";
import { measureOrigin } from "./lib/load.ts";
import { describePinning, pinnedCommand, pinningFromEnv } from "./lib/pinning.ts";
import { startOriginProcess } from "./lib/processes.ts";
import { table, WORKER_COLUMNS, workerRow } from "./lib/report.ts";
import { alternatingRounds, summarize } from "./lib/rounds.ts";
import {
  type BenchWorker,
  bareOptions,
  type FloorSettings,
  LEAN_FLOOR,
  startWorker,
  stopWorkers,
} from "./lib/workers.ts";

const ROUNDS = knob("BENCH_ROUNDS", 3);
const SECONDS = knob("BENCH_SECONDS", 3);
const CONNECTIONS = knob("BENCH_CONNECTIONS", 16);
const INSPECTOR_PORT = knob("BENCH_INSPECTOR_PORT", 18851);
const WORKERS = join(ROOT, "bench/workers");

const pinning = pinningFromEnv();
const variants: {
  name: string;
  floor: FloorSettings;
  pinned: boolean;
  busy?: boolean;
  script?: string;
}[] = [
  {
    name: "Miniflare defaults",
    floor: { directSocket: false, stripCfConnectingIp: true, logRequests: true },
    pinned: true,
  },
  {
    name: "no request log",
    floor: { directSocket: false, stripCfConnectingIp: true, logRequests: false },
    pinned: true,
  },
  {
    name: "… outbound keeps headers",
    floor: { directSocket: false, stripCfConnectingIp: false, logRequests: false },
    pinned: true,
  },
  { name: "… direct socket (lean)", floor: LEAN_FLOOR, pinned: true },
  { name: "lean again (A')", floor: LEAN_FLOOR, pinned: true },
  { name: "lean, fetch with init object", floor: LEAN_FLOOR, pinned: true, script: "bare-init.js" },
  {
    name: "lean + inspector",
    floor: { ...LEAN_FLOOR, inspectorPort: INSPECTOR_PORT },
    pinned: true,
  },
  { name: "lean, nothing pinned", floor: LEAN_FLOOR, pinned: false },
  { name: "lean + busy neighbour", floor: LEAN_FLOOR, pinned: true, busy: true },
];

/** A process spinning on workerd's core (or anywhere, unpinned) while `run` measures. */
async function besideBusyProcess<T>(run: () => Promise<T>): Promise<T> {
  const { command, args } = pinnedCommand(pinning.worker, process.execPath, ["-e", "for (;;) {}"]);
  const hog = spawn(command, args, { stdio: "ignore" });
  try {
    return await run();
  } finally {
    hog.kill();
  }
}

const origin = await startOriginProcess(0, pinning.client);
const workers: BenchWorker[] = [];
try {
  const load = { seconds: SECONDS, connections: CONNECTIONS, cores: pinning.client };
  const alone = await measureOrigin(origin, BENCH_PATH, load, {
    during: pinning.worker,
    after: pinning.client,
  });
  log(`origin alone: ${alone.requestsPerSecond.toFixed(0)} req/s`);
  for (const v of variants) {
    workers.push(
      await startWorker(
        v.name,
        { ...bareOptions(origin.url), ...(v.script && { scriptPath: join(WORKERS, v.script) }) },
        v.floor,
        v.pinned ? pinning.worker : undefined,
      ),
    );
  }
  const byName = new Map(variants.map((v) => [v.name, v]));
  const runs = await alternatingRounds(workers, {
    rounds: ROUNDS,
    load,
    originPid: origin.pid,
    log,
    loadFor: (w) => (byName.get(w.name)!.pinned ? load : { ...load, cores: undefined }),
    around: (w, run) => (byName.get(w.name)!.busy ? besideBusyProcess(run) : run()),
  });
  console.log(
    `\nbare pass-through Worker, ${ROUNDS} rounds × ${SECONDS} s, ${CONNECTIONS} connections, ${describePinning(pinning)}; median (min – max) over rounds`,
  );
  console.log(
    `origin alone (a core to itself, pipelined 8 deep): ${alone.requestsPerSecond.toFixed(0)} req/s\n`,
  );
  const rows = workers.map((w) => workerRow(w.name, summarize(runs.get(w.name)!)));
  console.log(table(["floor", ...WORKER_COLUMNS.slice(1)], rows).join("\n"));
} finally {
  await stopWorkers(workers);
  origin.child.kill();
}
