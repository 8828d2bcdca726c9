// npm run bench:stages: where a proxy Worker's CPU goes. Bare-proxy variants that each add one
// of Keystone's per-request steps, in alternating rounds against the same origin, measured as
// workerd CPU time per request (steadier than throughput on a shared 2-core machine).
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { cpuSeconds, newWorkerdPid } from "./lib/cpu.ts";
import { load, median } from "./lib/load.ts";
import { COMPATIBILITY_DATE, startOriginProcess, urlOf } from "./lib/processes.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const WORKERS = fileURLToPath(new URL("./workers/", import.meta.url));
const variants: Record<string, string> = {
  bare: join(WORKERS, "bare.js"),
  "request headers": join(WORKERS, "stages/headers.js"),
  "timeout timer": join(WORKERS, "stages/timer.js"),
  "copy response": join(WORKERS, "stages/copy-response.js"),
  "headers in place": join(WORKERS, "stages/in-place.js"),
  "request.cf": join(WORKERS, "stages/cf.js"),
};

const origin = await startOriginProcess();
const instances: { name: string; mf: Miniflare; url: string; pid: number }[] = [];
try {
  for (const [name, scriptPath] of Object.entries(variants)) {
    const { value, pid } = await newWorkerdPid(async () => {
      const options = convertV4MiniflareOptions({
        modules: true,
        scriptPath,
        modulesRoot: WORKERS,
        compatibilityDate: COMPATIBILITY_DATE,
        bindings: { ORIGIN: origin.url },
      });
      const mf = new Miniflare({ ...options, logRequests: false });
      return { mf, url: await urlOf(mf) };
    });
    instances.push({ name, ...value, pid });
  }
  const rps = new Map<string, number[]>();
  const cpu = new Map<string, number[]>();
  const headers = { cookie: "ks_bench=7f1d3c2a-5b6e-4f80-9a1b-2c3d4e5f6a7b" };
  for (let round = 0; round < ROUNDS; round++) {
    for (const { name, url, pid } of instances) {
      const before = cpuSeconds(pid);
      const result = await load(`${url}/api/items`, headers, SECONDS, 16);
      rps.set(name, [...(rps.get(name) ?? []), result.requestsPerSecond]);
      cpu.set(name, [...(cpu.get(name) ?? []), ((cpuSeconds(pid) - before) / result.total) * 1e6]);
    }
  }
  const bareCpu = median(cpu.get("bare")!);
  console.log(`median of ${ROUNDS} rounds × ${SECONDS} s, 16 connections`);
  console.log(
    `${"step added to the bare proxy".padEnd(30)}  req/s  workerd CPU µs/request  added µs`,
  );
  for (const { name } of instances) {
    const us = median(cpu.get(name)!);
    const line = [
      name.padEnd(30),
      String(Math.round(median(rps.get(name)!))).padStart(5),
      us.toFixed(0).padStart(22),
      (us - bareCpu).toFixed(0).padStart(8),
    ];
    console.log(line.join("  "));
  }
} finally {
  await Promise.all(instances.map(({ mf }) => mf.dispose()));
  origin.child.kill();
}
