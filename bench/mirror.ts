// node bench/mirror.ts: what shadow traffic costs the client. One Keystone Worker in workerd
// serves four services (by path prefix) that differ only in their mirror: none, 100 % to a fast origin, 100 % to
// a slow one (1 s), 100 % to one that refuses connections. Alternating rounds of the same load
// against each print the client's throughput and latency, workerd CPU per request, and how many
// copies the isolate started, capped or skipped. All traffic stays on 127.0.0.1.

import type { ServiceInput } from "../schemas/service.ts";
import { closedPort, startOrigin } from "../scripts/origin-server.ts";
import { bundleKeystone } from "./lib/bundle.ts";
import { BENCH_HEADERS, benchService } from "./lib/config.ts";
import { cpuSeconds } from "./lib/cpu.ts";
import { applyService, isolateCounters, waitFor } from "./lib/keystone-client.ts";
import { type LoadResult, load } from "./lib/load.ts";
import { startOriginProcess } from "./lib/processes.ts";
import { median } from "./lib/stats.ts";
import { keystoneOptions, startWorker } from "./lib/workers.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const PATH = "/api/items?page=2";

const log = (line: string) => process.stderr.write(`${line}\n`);

interface Variant {
  name: string;
  prefix: string;
  mirrorOrigin: string | null;
}

/** The benchmark's usual service, all traffic on stable, with or without a mirror to canary. */
function service(variant: Variant, origin: string): ServiceInput {
  const base = benchService(origin, variant.mirrorOrigin ?? origin);
  return {
    ...base,
    name: variant.prefix.slice(1),
    pathPrefix: variant.prefix,
    split: { stable: 100, canary: 0 },
    ...(variant.mirrorOrigin
      ? { mirror: { version: "canary", percent: 100, timeoutMs: 5_000 } as ServiceInput["mirror"] }
      : {}),
  };
}

const origin = await startOriginProcess();
const slow = await startOrigin("slow-mirror", { latencyMs: 1_000 });
const variants: Variant[] = [
  { name: "no mirror", prefix: "/plain", mirrorOrigin: null },
  { name: "mirror 100 % → fast origin", prefix: "/fast", mirrorOrigin: origin.url },
  { name: "mirror 100 % → slow origin (1 s)", prefix: "/slow", mirrorOrigin: slow.url },
  {
    name: "mirror 100 % → refused",
    prefix: "/refused",
    mirrorOrigin: `http://127.0.0.1:${await closedPort()}`,
  },
];
try {
  log(`bundling the Worker; ${ROUNDS} rounds × ${variants.length} services × ${SECONDS} s`);
  const worker = await startWorker(
    "keystone",
    keystoneOptions(bundleKeystone().script, {
      ROUTE_REFRESH_SECONDS: "1",
      ADMIN_HOSTS: "127.0.0.1",
    }),
  );
  const { mf, url, pid } = worker;
  try {
    for (const variant of variants) await applyService(url, service(variant, origin.url));
    const target = (v: Variant) => `${url}${v.prefix}${PATH}`;
    await waitFor(async () => {
      const answers = await Promise.all(
        variants.map((v) => fetch(target(v), { headers: BENCH_HEADERS })),
      );
      await Promise.all(answers.map((a) => a.arrayBuffer()));
      return answers.every((a) => a.status === 200);
    }, 20_000);
    for (const v of variants)
      await load(target(v), BENCH_HEADERS, {
        seconds: 2,
        connections: CONNECTIONS,
        cores: undefined,
      });
    const runs = new Map<string, (LoadResult & { cpuUs: number })[]>();
    const copies = new Map<string, { started: number; capped: number; skipped: number }>();
    for (let round = 1; round <= ROUNDS; round++) {
      for (const v of variants) {
        const before = (await isolateCounters(url)).mirror;
        const cpu = cpuSeconds(pid);
        const result = await load(target(v), BENCH_HEADERS, {
          seconds: SECONDS,
          connections: CONNECTIONS,
          cores: undefined,
        });
        const cpuUs = ((cpuSeconds(pid) - cpu) / result.total) * 1e6;
        const after = (await isolateCounters(url)).mirror;
        runs.set(v.name, [...(runs.get(v.name) ?? []), { ...result, cpuUs }]);
        const sum = copies.get(v.name) ?? { started: 0, capped: 0, skipped: 0 };
        // Each isolate answers /isolate for itself: locally there is one.
        sum.started += (after?.started ?? 0) - (before?.started ?? 0);
        sum.capped += (after?.capped ?? 0) - (before?.capped ?? 0);
        sum.skipped += (after?.skippedByBreaker ?? 0) - (before?.skippedByBreaker ?? 0);
        copies.set(v.name, sum);
        log(
          `round ${round} ${v.name}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, CPU ${cpuUs.toFixed(0)} µs/request, errors ${result.errors + result.non2xx}`,
        );
      }
    }
    const rows = variants.map((v) => {
      const r = runs.get(v.name)!;
      const c = copies.get(v.name)!;
      const total = r.reduce((s, x) => s + x.total, 0);
      return `| ${v.name} | ${median(r.map((x) => x.requestsPerSecond)).toFixed(0)} | ${median(r.map((x) => x.p50Ms))} | ${median(r.map((x) => x.p99Ms))} | ${median(r.map((x) => x.cpuUs)).toFixed(0)} | ${total} | ${c.started} | ${c.capped} | ${c.skipped} | ${r.reduce((s, x) => s + x.errors + x.non2xx, 0)} |`;
    });
    process.stdout.write(
      [
        "| service | req/s | p50 ms | p99 ms | workerd CPU µs/request | requests | copies started | capped | skipped by breaker | client errors |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ...rows,
        "",
      ].join("\n"),
    );
  } finally {
    await mf.dispose();
  }
} finally {
  origin.child.kill("SIGTERM");
  await slow.close();
}
