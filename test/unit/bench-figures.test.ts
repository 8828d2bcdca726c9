// The benchmark's arithmetic: differences paired by round, verdicts that say when the noise
// crosses a target, a CPU profile read back through a source map, the pinning setting.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import {
  BENCH_HEADERS,
  BENCH_PATH,
  BENCH_REQUEST,
  BENCH_VISITOR,
  benchService,
} from "../../bench/lib/config.ts";
import type { CpuProfile } from "../../bench/lib/inspector.ts";
import type { MeasuredRun } from "../../bench/lib/load.ts";
import { pinningFromEnv } from "../../bench/lib/pinning.ts";
import { moduleOf, selfTimeByKind, summarizeProfile } from "../../bench/lib/profile-summary.ts";
import { compare } from "../../bench/lib/rounds.ts";
import { quantile, spreadOf } from "../../bench/lib/stats.ts";
import { hotPathTarget, verdict } from "../../bench/lib/targets.ts";
import { ConfigFile } from "../../schemas/config-file.ts";
import { offlineService } from "../../schemas/service-spec.ts";
import { compileRouteTable } from "../../worker/core/compile.ts";
import { decideRoute } from "../../worker/core/decide.ts";
import { factsFromDescription } from "../../worker/core/facts.ts";

describe("B's config and request", () => {
  const config = benchService("http://origin.internal");
  test("has rules of every kind", () => {
    const kinds = new Set(
      config.rules!.flatMap(({ when }) =>
        Object.entries(when).map(([key, value]) =>
          key === "path" ? `path ${Object.keys(value as object)[0]}` : key,
        ),
      ),
    );
    expect([...kinds].sort()).toEqual(
      [
        "header",
        "cookie",
        "query",
        "path prefix",
        "path regex",
        "method",
        "ip",
        "country",
        "all",
        "any",
        "not",
      ].sort(),
    );
  });

  test("the benchmark's request matches none of the 12 rules, falls in the experiment, and is a returning visitor", () => {
    const table = compileRouteTable(
      ConfigFile.parse({ services: [config] }).services.map(offlineService),
    );
    const verdict = decideRoute(factsFromDescription(BENCH_REQUEST), table, {
      now: 0,
      overrideSecret: "secret",
      mintVisitorId: () => "minted",
    });
    expect(config.rules).toHaveLength(12);
    expect(verdict).toMatchObject({ reason: { kind: "split" }, visitorSource: "cookie" });
    expect(verdict!.experiments.map((e) => e.name)).toEqual(["listing-redesign"]);
    expect(verdict!.setCookie).toBeUndefined();
  });

  test("describes the request the Workers are sent", () => {
    const url = new URL(BENCH_PATH, "http://127.0.0.1");
    expect(BENCH_REQUEST).toMatchObject({
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      cookies: { ks_bench: BENCH_VISITOR },
      headers: { "user-agent": BENCH_HEADERS["user-agent"] },
    });
    expect(BENCH_HEADERS.cookie).toBe(`ks_bench=${BENCH_VISITOR}; theme=dark`);
  });
});

function run(cpuUsPerRequest: number, requestsPerSecond = 1000): MeasuredRun {
  return {
    requestsPerSecond,
    p50Ms: 10,
    p99Ms: 20,
    total: requestsPerSecond,
    errors: 0,
    non2xx: 0,
    loadCpuSeconds: 0,
    cpuUsPerRequest,
    workerdCores: 1,
    loadCores: 0,
    originCores: 0,
  };
}

describe("figures over rounds", () => {
  test("quartiles interpolate between samples", () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(spreadOf([5, 1, 3])).toEqual({ median: 3, min: 1, max: 5, q1: 2, q3: 4 });
  });

  test("B − A is paired within each round, not a difference of medians", () => {
    // A drifts between rounds (a busy machine); B stays 30–60 µs above it in every round.
    const a = [100, 500, 300].map((cpu) => run(cpu));
    const b = [150, 560, 330].map((cpu) => run(cpu));
    const { cpuUs } = compare(b, a);
    expect(cpuUs.median).toBe(50);
    expect([cpuUs.min, cpuUs.max]).toEqual([30, 60]);
  });

  test("ratios are paired too", () => {
    const a = [run(0, 1000), run(0, 500)];
    const b = [run(0, 900), run(0, 450)];
    expect(compare(b, a).throughput).toMatchObject({ min: 0.9, max: 0.9 });
  });
});

describe("verdicts against targets", () => {
  const atMost60 = (x: number) => x <= 60;
  test("a miss by more than the noise is a plain miss", () => {
    expect(verdict(90, atMost60, 20)).toBe("MISSED");
  });
  test("a miss or a pass the noise could reverse says so", () => {
    expect(verdict(70, atMost60, 20)).toBe("MISSED (within noise)");
    expect(verdict(50, atMost60, 20)).toBe("met (within noise)");
    expect(verdict(20, atMost60, 20)).toBe("met");
  });
});

describe("the hot-path target", () => {
  const hot = { seconds: 60, requestsServed: 30_000, droppedOutcomes: 0 };
  test("reads and calls that follow the clock are met, whatever the request count", () => {
    expect(hotPathTarget({ ...hot, kvReads: 3, durableObjectCalls: 26 }).verdict).toBe("met");
  });
  test("a KV read or a Durable Object call per request is a miss", () => {
    expect(hotPathTarget({ ...hot, kvReads: 4, durableObjectCalls: 0 }).verdict).toBe("MISSED");
    expect(hotPathTarget({ ...hot, kvReads: 0, durableObjectCalls: 27 }).verdict).toBe("MISSED");
  });
});

describe("reading a CPU profile through the bundle's source map", () => {
  // Generated line 0 is decideRoute in decide.ts, line 1 originHeaders in headers.ts.
  const map = {
    version: 3,
    sources: ["../../repo/worker/core/decide.ts", "../../repo/worker/data-plane/headers.ts"],
    names: ["decideRoute", "originHeaders"],
    mappings: "AAAAA;ACAAC",
  };
  const frame = (functionName: string, url: string, lineNumber: number) => ({
    functionName,
    scriptId: "1",
    url,
    lineNumber,
    columnNumber: 4,
  });
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame("(root)", "", -1), children: [2, 4, 5] },
      { id: 2, callFrame: frame("a", "index.js", 0), children: [3] },
      { id: 3, callFrame: frame("Headers", "", -1) },
      { id: 4, callFrame: frame("b", "index.js", 1) },
      { id: 5, callFrame: frame("(idle)", "", -1) },
    ],
    startTime: 0,
    endTime: 60,
    samples: [2, 3, 3, 4, 5],
    timeDeltas: [0, 10, 10, 10, 10],
  };

  test("runtime calls are charged to the Keystone module that made them; idle is left out", () => {
    const dir = mkdtempSync(join(tmpdir(), "profile-"));
    writeFileSync(join(dir, "index.js.map"), JSON.stringify(map));
    const summary = summarizeProfile(profile, join(dir, "index.js.map"));
    expect(summary).toMatchObject({ totalUs: 60, busyUs: 40 });
    expect(summary.modules).toEqual([
      { module: "worker/core/decide.ts", ownUs: 10, runtimeUs: 20 },
      { module: "worker/data-plane/headers.ts", ownUs: 10, runtimeUs: 0 },
    ]);
    expect(summary.topFunctions[0]).toEqual({ label: "Headers (runtime)", selfUs: 20 });
    expect(summary.topFunctions.map((f) => f.label)).toContain(
      "decideRoute worker/core/decide.ts:1",
    );
  });

  test("by kind, for B against P: the script's own frames as one line, runtime calls by name, idle left out", () => {
    expect(Object.fromEntries(selfTimeByKind(profile, "index.js"))).toEqual({
      "the Worker's JavaScript": 20,
      "Headers (runtime)": 20,
    });
    // Another Worker's script: none of these frames are its own.
    expect(
      selfTimeByKind(profile, "proxy-floor.js").get("the Worker's JavaScript"),
    ).toBeUndefined();
  });

  test("sources are grouped by project file or by package", () => {
    expect(moduleOf("../../work/x/node_modules/zod/v4/core/schemas.js")).toBe("zod");
    expect(moduleOf("../../work/x/node_modules/@scope/pkg/index.js")).toBe("@scope/pkg");
    expect(moduleOf("../../work/x/worker/data-plane/proxy.ts")).toBe("worker/data-plane/proxy.ts");
  });
});

describe("BENCH_PIN", () => {
  test("names the cores of the load generator and of workerd, or turns pinning off", () => {
    expect(pinningFromEnv("0:1")).toEqual({ client: "0", worker: "1" });
    expect(pinningFromEnv("off")).toEqual({ client: undefined, worker: undefined });
  });
  test("anything else is refused with the setting named", () => {
    expect(() => pinningFromEnv("fast")).toThrow(/BENCH_PIN.*"fast"/);
  });
});
