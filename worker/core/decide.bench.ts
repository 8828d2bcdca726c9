// Microbenchmarks of the routing core: decideRoute per decision (1, 10, 100 rules; warm = the same
// request again, cold = a new visitor and path each time) and route-table compile time.
import { mkdirSync, writeFileSync } from "node:fs";
import { afterAll, type Bench, test } from "vitest";
import { benchService } from "../../bench/lib/config.ts";
import { ConfigFile } from "../../schemas/config-file.ts";
import type { ServiceInput } from "../../schemas/service.ts";
import { compileRouteTable } from "./compile.ts";
import { decideRoute } from "./decide.ts";
import { factsFromDescription } from "./facts.ts";
import { pinToIssue } from "./pin-issue.ts";

function withRules(count: number): ServiceInput {
  const base = benchService("http://origin.internal");
  const rules = Array.from({ length: count }, (_, i) => ({
    ...base.rules![i % base.rules!.length]!,
    name: `rule-${i}`,
  }));
  return { ...base, rules };
}

const ctx = { now: 0, overrideSecret: "secret", mintVisitorId: () => "minted-visitor-id" };
const warmRequest = factsFromDescription({
  host: "127.0.0.1",
  path: "/api/items",
  headers: { "user-agent": "Mozilla/5.0 keystone-bench", accept: "application/json" },
  cookies: { ks_bench: "7f1d3c2a-5b6e-4f80-9a1b-2c3d4e5f6a7b" },
  ip: "203.0.113.9",
  country: "US",
});
const coldRequests = Array.from({ length: 4096 }, (_, i) =>
  factsFromDescription({
    host: "127.0.0.1",
    path: `/api/items/${i}`,
    headers: { "user-agent": `client-${i}` },
    cookies: { ks_bench: `visitor-${i.toString(16).padStart(8, "0")}-0000` },
    ip: `198.51.${i % 256}.${(i * 7) % 256}`,
  }),
);

interface Figure {
  name: string;
  medianNs: number;
  meanNs: number;
  p99Ns: number;
  opsPerSecond: number;
}

const figures: Figure[] = [];

/**
 * Runs one benchmark with the Tinybench fixture and keeps its figures per operation. Each sample
 * runs `batch` operations, so the timer's own cost (about a microsecond per sample) does not
 * swamp operations that take one; latencies come back in ms.
 */
async function measure(bench: Bench, name: string, batch: number, fn: () => void): Promise<void> {
  const result = await bench(name, () => {
    for (let i = 0; i < batch; i++) fn();
  }).run({ time: 1000, warmupTime: 300 });
  const { latency, throughput } = result as unknown as {
    latency: { p50: number; mean: number; p99: number };
    throughput: { mean: number };
  };
  const ns = (ms: number) => (ms * 1e6) / batch;
  figures.push({
    name,
    medianNs: ns(latency.p50),
    meanNs: ns(latency.mean),
    p99Ns: ns(latency.p99),
    opsPerSecond: throughput.mean * batch,
  });
}

for (const count of [1, 10, 100]) {
  const table = compileRouteTable(ConfigFile.parse({ services: [withRules(count)] }).services);
  test(`decideRoute with ${count} rule(s)`, async ({ bench }) => {
    await measure(bench, `decideRoute warm, ${count} rules`, 100, () => {
      decideRoute(warmRequest, table, ctx);
    });
    let i = 0;
    await measure(bench, `decideRoute cold, ${count} rules`, 100, () => {
      decideRoute(coldRequests[i++ & 4095]!, table, ctx);
    });
  });
}

// Consistent visitors: a pinned visitor of a grouped service (its pin verified and its visitor
// key signed once per isolate, then remembered), and new visitors whose pin must be signed.
test("decideRoute with affinity and a track group", async ({ bench }) => {
  const base = withRules(10);
  const service = { ...base, sticky: { ...base.sticky, affinity: {}, group: "bench" } };
  const table = compileRouteTable(ConfigFile.parse({ services: [service] }).services);
  const pinned = { ...ctx, affinitySecret: "secret" };
  const first = decideRoute(warmRequest, table, pinned)!;
  const token = pinToIssue(first, "secret", 0)!.token;
  const returning = factsFromDescription({
    host: "127.0.0.1",
    path: "/api/items",
    cookies: { ks_bench: "7f1d3c2a-5b6e-4f80-9a1b-2c3d4e5f6a7b", ks_pin_bench: token },
  });
  await measure(bench, "decideRoute pinned and grouped, 10 rules", 100, () => {
    decideRoute(returning, table, pinned);
  });
  let i = 0;
  await measure(bench, "decideRoute + pin for a new visitor, 10 rules", 100, () => {
    const verdict = decideRoute(coldRequests[i++ & 4095]!, table, pinned)!;
    pinToIssue(verdict, "secret", 0);
  });
});

test("compileRouteTable", async ({ bench }) => {
  for (const count of [1, 100, 1000]) {
    const services = ConfigFile.parse({
      services: Array.from({ length: count }, (_, i) => ({
        ...benchService("http://origin.internal"),
        name: `svc-${i}`,
        hosts: [`svc-${i}.example.com`],
      })),
    }).services;
    await measure(bench, `compile ${count} service(s)`, 1, () => {
      compileRouteTable(services);
    });
  }
});

afterAll(() => {
  const out = new URL("../../bench/results/micro.json", import.meta.url);
  mkdirSync(new URL(".", out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(figures, null, 2)}\n`);
});
