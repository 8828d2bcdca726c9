// npm run bench:stages: what each of Keystone's per-request steps adds to the bare Worker's workerd
// CPU, with Keystone's own code (bench/lib/stages.ts). Knobs: BENCH_ROUNDS (3), BENCH_SECONDS (3),
// BENCH_CONNECTIONS (16), BENCH_PIN (auto).
import { knob, log } from "./lib/knobs.ts";
import { describePinning, pinningFromEnv } from "./lib/pinning.ts";
import { startOriginProcess } from "./lib/processes.ts";
import { measureStages } from "./lib/stages.ts";

const pinning = pinningFromEnv();
const origin = await startOriginProcess(0, pinning.client);
try {
  const costs = await measureStages({
    origin,
    rounds: knob("BENCH_ROUNDS", 3),
    load: {
      seconds: knob("BENCH_SECONDS", 3),
      connections: knob("BENCH_CONNECTIONS", 16),
      cores: pinning.client,
    },
    workerCores: pinning.worker,
    log,
  });
  console.log(`\n${describePinning(pinning)}`);
  console.log(costs.lines.join("\n"));
} finally {
  origin.child.kill();
}
