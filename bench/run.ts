// npm run bench: Keystone Edge (B, bundled as `npm run deploy` builds it: wrangler.toml sets minify)
// side by side with a bare pass-through Worker (A), the same bare Worker again (A': the noise) and
// a naive KV-per-request splitter (C), each in its own workerd, in alternating rounds against one
// origin; then the per-step costs, cold start, bundle size, decideRoute microbenchmarks and reaction
// times. Prints every figure against its target and writes bench/results/latest.json.
// Knobs (environment): BENCH_ROUNDS (5), BENCH_SECONDS (6), BENCH_CONNECTIONS (16),
// BENCH_STAGE_ROUNDS (3), BENCH_STAGE_SECONDS (2), BENCH_COLD_SAMPLES (5), BENCH_PIN (auto),
// BENCH_SECTIONS (what runs besides the side by side; default naive,stages,cold,micro,weights;
// add rollback for the failing-canary reaction, about a minute more).
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { bundleDataPlane, bundleKeystone, ROOT } from "./lib/bundle.ts";
import { measureColdStart } from "./lib/cold-start.ts";
import { knob, log } from "./lib/knobs.ts";
import { describePinning, pinnedCommand, pinningFromEnv } from "./lib/pinning.ts";
import { startOriginProcess } from "./lib/processes.ts";
import { measureRollbackReaction, measureWeightsReaction } from "./lib/reaction.ts";
import { report } from "./lib/report.ts";
import { measureStages } from "./lib/stages.ts";
import { type BenchResults, targets } from "./lib/targets.ts";
import { sideBySide } from "./lib/throughput.ts";
import type { runMicrobenchmarks } from "./micro.ts";

const ROUNDS = knob("BENCH_ROUNDS", 5);
const SECONDS = knob("BENCH_SECONDS", 6);
const CONNECTIONS = knob("BENCH_CONNECTIONS", 16);
const STAGE_ROUNDS = knob("BENCH_STAGE_ROUNDS", 3);
const STAGE_SECONDS = knob("BENCH_STAGE_SECONDS", 2);
const COLD_SAMPLES = knob("BENCH_COLD_SAMPLES", 5);
const SECTIONS = ["naive", "stages", "cold", "micro", "weights", "rollback"];
const RUN = new Set(
  (process.env.BENCH_SECTIONS ?? "naive,stages,cold,micro,weights").split(",").filter(Boolean),
);
for (const name of RUN) {
  if (!SECTIONS.includes(name))
    throw new Error(`BENCH_SECTIONS: unknown section "${name}" (one of ${SECTIONS.join(", ")})`);
}
const RESULTS = join(ROOT, "bench/results");
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;

async function microbenchmarks(cores: string | undefined) {
  const { command, args } = pinnedCommand(cores, process.execPath, [
    join(ROOT, "bench/micro.ts"),
    "--json",
  ]);
  const { stdout } = await promisify(execFile)(command, args, { cwd: ROOT });
  return JSON.parse(stdout) as Awaited<ReturnType<typeof runMicrobenchmarks>>;
}

function machine(): string {
  const workerd = JSON.parse(
    readFileSync(join(ROOT, "node_modules/workerd/package.json"), "utf8"),
  ) as { version: string };
  return (
    `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
    `Node ${process.versions.node}, workerd ${workerd.version}`
  );
}

const pinning = pinningFromEnv();
const loadBefore = loadavg()[0]!;
const origin = await startOriginProcess(0, pinning.client);
try {
  log(`bundling Keystone as npm run deploy builds it (${elapsed()})`);
  const bundle = bundleKeystone();
  const load = { seconds: SECONDS, connections: CONNECTIONS, cores: pinning.client };
  log(`side by side: ${ROUNDS} rounds × ${SECONDS} s, ${CONNECTIONS} connections (${elapsed()})`);
  const throughput = await sideBySide({
    origin,
    keystoneScript: bundle.script,
    rounds: ROUNDS,
    load,
    workerCores: pinning.worker,
    naive: RUN.has("naive"),
    log,
  });
  const results: BenchResults = {
    machine: machine(),
    settings: "",
    throughput,
    bundle,
  };
  if (RUN.has("stages")) {
    log(`per-step costs: ${STAGE_ROUNDS} rounds × ${STAGE_SECONDS} s (${elapsed()})`);
    results.stages = await measureStages({
      origin,
      rounds: STAGE_ROUNDS,
      load: { ...load, seconds: STAGE_SECONDS },
      workerCores: pinning.worker,
      log,
    });
  }
  if (RUN.has("cold")) {
    log(`cold start: ${COLD_SAMPLES} fresh workerd per Worker (${elapsed()})`);
    results.cold = await measureColdStart(
      origin.url,
      bundle.script,
      COLD_SAMPLES,
      pinning.worker,
      bundleDataPlane().script,
    );
  }
  if (RUN.has("micro")) {
    log(`microbenchmarks (bench/micro.ts) (${elapsed()})`);
    results.micro = await microbenchmarks(pinning.client);
  }
  if (RUN.has("weights")) {
    log(`reaction: keystone weights → first request that follows (${elapsed()})`);
    results.weights = await measureWeightsReaction(bundle.script, origin.url);
  }
  if (RUN.has("rollback")) {
    log(`reaction: failing canary → last request that reaches it (${elapsed()})`);
    results.rollback = await measureRollbackReaction(bundle.script, origin.url);
  }
  results.settings =
    `${ROUNDS} rounds × ${SECONDS} s, ${CONNECTIONS} connections; ${describePinning(pinning)}; ` +
    `1-minute load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after` +
    `${loadBefore > 1 ? " (other work was running: figures are noisy)" : ""}; total ${elapsed()}`;
  console.log(report(results));
  mkdirSync(RESULTS, { recursive: true });
  const json = {
    at: new Date().toISOString(),
    ...results,
    throughput: { ...throughput, runs: Object.fromEntries(throughput.runs) },
    targets: targets(results),
  };
  writeFileSync(join(RESULTS, "latest.json"), `${JSON.stringify(json, null, 2)}\n`);
  log("wrote bench/results/latest.json");
} finally {
  origin.child.kill();
}
