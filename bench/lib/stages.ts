// Where Keystone's CPU goes: the bare Worker, and variants of it that each add one of Keystone's
// per-request steps with Keystone's own code (small esbuild bundles of worker/core and
// worker/data-plane modules, bench/workers/stages/), in alternating rounds; each step's added workerd
// CPU per request, paired by round against the bare Worker, beside the bare-vs-bare noise.
import { join } from "node:path";
import { ROUTES_KEY } from "../../schemas/routes-doc.ts";
import { bundleEntries } from "./bundle.ts";
import { benchRoutesDoc } from "./cold-start.ts";
import { BENCH_HEADERS, BENCH_PATH } from "./config.ts";
import type { LoadSettings } from "./load.ts";
import { alternatingRounds, compare, summarize } from "./rounds.ts";
import { formatSpread, type Spread } from "./stats.ts";
import {
  type BenchWorker,
  bareOptions,
  keystoneOptions,
  startWorker,
  stopWorkers,
} from "./workers.ts";

interface Stage {
  name: string;
  /** Entry in bench/workers/stages/ (bundled), or the bare Worker itself. */
  entry: string | "bare";
  /** KV route table, stats Durable Objects and Keystone's vars (the data-plane stages). */
  keystoneBindings?: boolean;
  vars?: Record<string, string>;
  /** A response header that proves the step ran (checked before measuring). */
  proof?: string;
}

const STAGES: Stage[] = [
  { name: "bare (A)", entry: "bare" },
  { name: "bare, again (noise)", entry: "bare" },
  { name: "request.cf read (a geo rule)", entry: "request-cf" },
  { name: "table lookup and decision", entry: "decision" },
  { name: "request headers", entry: "request-headers" },
  { name: "timeout", entry: "timeout" },
  { name: "proxy call (headers + timeout)", entry: "proxy-call" },
  { name: "response headers", entry: "response-headers", proof: "x-keystone-version" },
  {
    name: "… and cookie (new visitor)",
    entry: "response-headers",
    vars: { NEW_VISITOR: "1" },
    proof: "set-cookie",
  },
  { name: "outcome recording", entry: "outcome-recording", keystoneBindings: true },
  {
    name: "whole data plane",
    entry: "data-plane",
    keystoneBindings: true,
    proof: "x-keystone-version",
  },
];

export interface StageCosts {
  rows: { name: string; cpuUsPerRequest: Spread; addedUs: Spread; requestsPerSecond: number }[];
  lines: string[];
}

export interface StageOptions {
  origin: { url: string; pid: number };
  rounds: number;
  load: LoadSettings;
  workerCores: string | undefined;
  log: (line: string) => void;
}

export async function measureStages(o: StageOptions): Promise<StageCosts> {
  const entries = [...new Set(STAGES.map((s) => s.entry).filter((e) => e !== "bare"))];
  const dir = await bundleEntries(
    Object.fromEntries(entries.map((e) => [e, `bench/workers/stages/${e}.ts`])),
    "workerd",
  );
  const doc = benchRoutesDoc(o.origin.url);
  const workers: BenchWorker[] = [];
  try {
    for (const stage of STAGES) {
      const bindings = { ORIGIN: o.origin.url, ROUTES_DOC: doc, ...stage.vars };
      const options =
        stage.entry === "bare"
          ? bareOptions(o.origin.url)
          : stage.keystoneBindings
            ? keystoneOptions(join(dir, `${stage.entry}.mjs`), bindings)
            : { scriptPath: join(dir, `${stage.entry}.mjs`), bindings };
      const worker = await startWorker(stage.name, options, undefined, o.workerCores);
      workers.push(worker);
      if (stage.keystoneBindings)
        await (await worker.mf.getKVNamespace("ROUTES")).put(ROUTES_KEY, doc);
    }
    for (const [i, w] of workers.entries()) await fetchOk(w.url + BENCH_PATH, STAGES[i]!.proof);
    const runs = await alternatingRounds(workers, {
      rounds: o.rounds,
      load: o.load,
      originPid: o.origin.pid,
      log: o.log,
    });
    const bare = runs.get(STAGES[0]!.name)!;
    const rows = workers.map((w) => {
      const s = summarize(runs.get(w.name)!);
      return {
        name: w.name,
        cpuUsPerRequest: s.cpuUsPerRequest,
        addedUs: compare(runs.get(w.name)!, bare).cpuUs,
        requestsPerSecond: s.requestsPerSecond.median,
      };
    });
    return { rows, lines: formatStages(rows, o) };
  } finally {
    await stopWorkers(workers);
  }
}

async function fetchOk(url: string, proof: string | undefined): Promise<void> {
  const response = await fetch(url, { headers: BENCH_HEADERS });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`stage at ${url} answered HTTP ${response.status}`);
  if (proof && !response.headers.has(proof))
    throw new Error(`stage at ${url} answered without ${proof}: the step did not run`);
}

function formatStages(rows: StageCosts["rows"], o: StageOptions): string[] {
  const width = Math.max(...rows.map((r) => r.name.length));
  return [
    `per step (${o.rounds} rounds × ${o.load.seconds} s; workerd CPU µs per request, median (min – max); added: paired by round against bare):`,
    `  ${"step added to the bare Worker".padEnd(width)}  ${"req/s".padStart(6)}  ${"workerd CPU µs/req".padEnd(22)}  added µs`,
    ...rows.map(
      (r) =>
        `  ${r.name.padEnd(width)}  ${r.requestsPerSecond.toFixed(0).padStart(6)}  ${formatSpread(r.cpuUsPerRequest).padEnd(22)}  ${r.name === rows[0]!.name ? "" : formatSpread(r.addedUs, 0, true)}`,
    ),
  ];
}
