// npm run bench:micro: decideRoute (1, 10, 100 rules; warm = the same request again, cold = a new
// visitor, path and IP each time; with version pins and a track group) and compileRouteTable, timed in plain Node on an esbuild bundle of
// the core, minified as the Worker ships it: process.hrtime.bigint around batches of calls, median
// and quartiles over samples. No test runner's module loader sits between the timer and the code.
// `--json` prints the figures as JSON (npm run bench reads them).
import { join } from "node:path";
import { ConfigFile } from "../schemas/config-file.ts";
import type { ServiceInput } from "../schemas/service.ts";
import { offlineService } from "../schemas/service-spec.ts";
import { bundleEntries } from "./lib/bundle.ts";
import { BENCH_CF, BENCH_REQUEST, benchService } from "./lib/config.ts";
import { knob } from "./lib/knobs.ts";
import { quantile } from "./lib/stats.ts";

type Core = typeof import("./micro/core.ts");

export interface MicroFigure {
  name: string;
  medianNs: number;
  q1Ns: number;
  q3Ns: number;
  samples: number;
  batch: number;
}

const SAMPLES = knob("BENCH_MICRO_SAMPLES", 100);
const WARMUP_MS = 200;

function withRules(count: number): ServiceInput {
  const base = benchService("http://origin.internal");
  const rules = Array.from({ length: count }, (_, i) => ({
    ...base.rules![i % base.rules!.length]!,
    name: `rule-${i}`,
  }));
  return { ...base, rules };
}

/** Per-operation time of `op` over `samples` batches of `batch` calls, after a warm-up. */
function timePerOp(name: string, batch: number, samples: number, op: (i: number) => void) {
  let i = 0;
  const warmUntil = performance.now() + WARMUP_MS;
  while (performance.now() < warmUntil) for (let k = 0; k < batch; k++) op(i++);
  const ns: number[] = [];
  for (let s = 0; s < samples; s++) {
    const started = process.hrtime.bigint();
    for (let k = 0; k < batch; k++) op(i++);
    ns.push(Number(process.hrtime.bigint() - started) / batch);
  }
  return {
    name,
    medianNs: quantile(ns, 0.5),
    q1Ns: quantile(ns, 0.25),
    q3Ns: quantile(ns, 0.75),
    samples,
    batch,
  };
}

/**
 * Consistent visitors: a returning visitor of a grouped service with a version pin (the pin
 * verified and the visitor key signed once per isolate, then remembered), and new visitors
 * whose pin must be signed.
 */
function visitorFigures(
  core: Core,
  ctx: { now: number; overrideSecret: string; mintVisitorId: () => string },
  cold: ReturnType<Core["factsFromDescription"]>[],
  keep: () => void,
): MicroFigure[] {
  const base = withRules(10);
  const service = { ...base, sticky: { ...base.sticky, affinity: {}, group: "bench" } };
  const table = core.compileRouteTable(
    ConfigFile.parse({ services: [service] }).services.map(offlineService),
  );
  const pinned = { ...ctx, affinitySecret: "secret" };
  const first = core.decideRoute(core.factsFromDescription(BENCH_REQUEST), table, pinned)!;
  const token = core.pinToIssue(first, "secret", 0)!.token;
  const returning = core.factsFromDescription({
    host: "127.0.0.1",
    path: "/api/items",
    cookies: { ks_bench: "7f1d3c2a-5b6e-4f80-9a1b-2c3d4e5f6a7b", ks_pin_bench: token },
  });
  return [
    timePerOp("decideRoute pinned and grouped, 10 rules", 1000, SAMPLES, () => {
      if (core.decideRoute(returning, table, pinned)) keep();
    }),
    timePerOp("decideRoute + pin, new visitor, 10 rules", 1000, SAMPLES, (i) => {
      const verdict = core.decideRoute(cold[i & 4095]!, table, pinned)!;
      if (core.pinToIssue(verdict, "secret", 0)) keep();
    }),
  ];
}

export async function runMicrobenchmarks(): Promise<{
  figures: MicroFigure[];
  firstCallNs: number;
}> {
  const dir = await bundleEntries({ core: "bench/micro/core.ts" }, "node");
  const core = (await import(join(dir, "core.mjs"))) as Core;
  // RE2 loaded for any benchmark rule string search cannot answer (none today): the figures time
  // decisions, never the engine's load.
  await core.loadRegexEngine();
  const ctx = { now: 0, overrideSecret: "secret", mintVisitorId: () => "minted-visitor-id" };
  const warm = core.factsFromDescription(BENCH_REQUEST);
  const cold = Array.from({ length: 4096 }, (_, i) =>
    core.factsFromDescription({
      host: "127.0.0.1",
      path: `/api/items/${i}`,
      headers: { ...BENCH_REQUEST.headers, "user-agent": `client-${i}` },
      cookies: { ks_bench: `visitor-${i.toString(16).padStart(8, "0")}-0000` },
      ip: `198.51.${i % 256}.${(i * 7) % 256}`,
      country: BENCH_CF.country,
    }),
  );
  const tableOf = (services: ServiceInput[]) =>
    core.compileRouteTable(ConfigFile.parse({ services }).services.map(offlineService));
  let sink = 0;
  const tables = new Map([1, 10, 100].map((count) => [count, tableOf([withRules(count)])]));
  // The very first call, before the JIT has seen the code (what a fresh isolate's first request pays).
  const started = process.hrtime.bigint();
  sink += core.decideRoute(warm, tables.get(10)!, ctx)!.bucket;
  const firstCallNs = Number(process.hrtime.bigint() - started);
  const figures: MicroFigure[] = [];
  for (const [count, table] of tables) {
    figures.push(
      timePerOp(`decideRoute warm, ${count} rules`, 1000, SAMPLES, () => {
        sink += core.decideRoute(warm, table, ctx)!.bucket;
      }),
      timePerOp(`decideRoute cold, ${count} rules`, 1000, SAMPLES, (i) => {
        sink += core.decideRoute(cold[i & 4095]!, table, ctx)!.bucket;
      }),
    );
  }
  figures.push(...visitorFigures(core, ctx, cold, () => sink++));
  for (const count of [1, 100, 1000]) {
    const services = Array.from({ length: count }, (_, i) => ({
      ...benchService("http://origin.internal"),
      name: `svc-${i}`,
      hosts: [`svc-${i}.example.com`],
    }));
    const parsed = ConfigFile.parse({ services }).services.map(offlineService);
    figures.push(
      timePerOp(`compile ${count} service(s)`, 1, Math.min(SAMPLES, 30), () => {
        sink += core.compileRouteTable(parsed).services.size;
      }),
    );
  }
  if (sink === 0.5) console.error("unreachable: keeps the results alive");
  return { figures, firstCallNs };
}

const isMain = process.argv[1] === import.meta.filename;
if (isMain) {
  const result = await runMicrobenchmarks();
  if (process.argv.includes("--json")) {
    console.log(JSON.stringify(result));
  } else {
    console.log(`per operation, median (quartiles) of ${SAMPLES} samples:`);
    for (const f of result.figures) {
      const us = (ns: number) => (ns / 1000).toFixed(3);
      console.log(
        `  ${f.name.padEnd(30)} ${us(f.medianNs).padStart(9)} µs  (${us(f.q1Ns)} – ${us(f.q3Ns)})`,
      );
    }
    console.log(
      `  first decideRoute call (10 rules, not yet compiled by the JIT): ${(result.firstCallNs / 1000).toFixed(1)} µs`,
    );
  }
}
