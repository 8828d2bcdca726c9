// npm run bench:stages: what each of Keystone's per-request steps adds to the bare Worker's workerd
// CPU, with Keystone's own code (bench/lib/stages.ts). Knobs: BENCH_ROUNDS (3), BENCH_SECONDS (3),
// BENCH_CONNECTIONS (16), BENCH_PIN (auto).
import { describePinning, pinningFromEnv } from "./lib/pinning.ts";
import { startOriginProcess } from "./lib/processes.ts";
import { measureStages } from "./lib/stages.ts";

const pinning = pinningFromEnv();
const origin = await startOriginProcess(0, pinning.client);
try {
  const costs = await measureStages({
    origin,
    rounds: Number(process.env.BENCH_ROUNDS ?? 3),
    load: {
      seconds: Number(process.env.BENCH_SECONDS ?? 3),
      connections: Number(process.env.BENCH_CONNECTIONS ?? 16),
      cores: pinning.client,
    },
    workerCores: pinning.worker,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  console.log(`\n${describePinning(pinning)}`);
  console.log(costs.lines.join("\n"));
} finally {
  origin.child.kill();
}
