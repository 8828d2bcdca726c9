// Reaction times: from `keystone weights` to the first request that follows it, and from a canary
// failing to the last request that reaches it.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { benchService } from "./config.ts";
import { admin, applyService, isolateCounters, visit, waitFor } from "./keystone-client.ts";
import { startOriginProcess } from "./processes.ts";
import { BENCH_TOKEN, keystoneOptions, startWorker } from "./workers.ts";

const CLI = fileURLToPath(new URL("../../admin-cli/bin.js", import.meta.url));

export interface WeightsReaction {
  samplesMs: number[];
  medianMs: number;
}

/**
 * Locally (as under npm start: 1 s route refresh) the time from `keystone weights` returning to
 * the first request answered by the new split, polled every 10 ms.
 */
export async function measureWeightsReaction(
  bundle: string,
  origin: string,
  samples = 5,
): Promise<WeightsReaction> {
  const { mf, url } = await startWorker(
    "weights reaction",
    keystoneOptions(bundle, { ROUTE_REFRESH_SECONDS: "1" }),
  );
  try {
    await applyService(url, {
      ...benchService(origin),
      split: { stable: 100, canary: 0 },
      rules: [],
    });
    await waitFor(async () => (await visit(url, "visitor-weights-0001")) === "stable", 10_000);
    const results: number[] = [];
    for (let i = 0; i < samples; i++) {
      const target = i % 2 === 0 ? "canary" : "stable";
      const split = target === "canary" ? ["stable=0", "canary=100"] : ["stable=100", "canary=0"];
      const cli = spawnSync(
        process.execPath,
        [CLI, "weights", "bench", ...split, "--url", url, "--token", BENCH_TOKEN],
        { encoding: "utf8" },
      );
      if (cli.status !== 0) throw new Error(`keystone weights failed: ${cli.stderr}`);
      const returned = Date.now();
      const followed = await waitFor(
        async () => (await visit(url, "visitor-weights-0001")) === target,
        30_000,
        10,
      );
      results.push(followed - returned);
    }
    const sorted = [...results].sort((a, b) => a - b);
    return { samplesMs: results, medianMs: sorted[Math.floor(sorted.length / 2)]! };
  } finally {
    await mf.dispose();
  }
}

export interface RollbackReaction {
  requestsPerSecond: number;
  minRequests: number;
  /** Rollout start → the step window holds minRequests. */
  toMinRequestsMs: number;
  /** Cron tick → the isolate learns of the halt on a metrics flush (fast abort path). */
  haltAfterTickMs: number;
  /** Cron tick → the last request answered by the failing canary. */
  lastCanaryAfterTickMs: number;
  /** Cron tick → the isolate's route table shows the rollback (the path without the fast abort). */
  tableAfterTickMs: number;
}

/**
 * Production-like settings (30 s route refresh, 5 s metrics flush) and steady traffic: a canary
 * answering 20% 500s, rolled back by the first tick after its window holds minRequests.
 */
export async function measureRollbackReaction(
  bundle: string,
  stableOrigin: string,
): Promise<RollbackReaction> {
  const faulty = await startOriginProcess(0.2);
  try {
    return await rollbackAgainst(bundle, stableOrigin, faulty.url);
  } finally {
    faulty.child.kill();
  }
}

async function rollbackAgainst(
  bundle: string,
  stableOrigin: string,
  faultyOrigin: string,
): Promise<RollbackReaction> {
  const { mf, url } = await startWorker(
    "rollback reaction",
    keystoneOptions(bundle, { ROUTE_REFRESH_SECONDS: "30", METRICS_FLUSH_SECONDS: "5" }),
  );
  const minRequests = 100;
  let running = true;
  const served: { at: number; version: string | null }[] = [];
  try {
    await applyService(url, {
      ...benchService(stableOrigin, faultyOrigin),
      split: { stable: 100, canary: 0 },
      rollout: {
        strategy: "canary",
        steps: [{ weight: 50, bake: "10m" }],
        analysis: { minRequests, maxErrorRatePercent: 5, failureLimit: 0 },
      },
    });
    await visit(url, "warm-up-visitor-0001");
    const started = Date.now();
    await admin(url, "POST", "/services/bench/rollout/start", {});
    // The isolate was just warmed: make it load the new split now rather than in 30 s.
    await waitFor(async () => (await isolateCounters(url)).tableGeneration !== null, 5_000);
    const loaders = Array.from({ length: 4 }, async (_, worker) => {
      for (let i = 0; running; i++) {
        const version = await visit(url, `visitor-${worker}-${i}-0000`);
        served.push({ at: Date.now(), version });
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    });
    const reachedMin = await waitFor(
      async () => {
        const status = await admin<{ candidate: { requests: number } | null }>(
          url,
          "GET",
          "/services/bench/rollout",
        );
        return (status.candidate?.requests ?? 0) >= minRequests;
      },
      120_000,
      250,
    );
    const generationBefore = (await isolateCounters(url)).tableGeneration;
    const tick = Date.now();
    await mf
      .getWorker()
      .then((worker) => worker.scheduled({ scheduledTime: new Date(tick), cron: "* * * * *" }));
    const halted = await waitFor(
      async () => (await isolateCounters(url)).haltedVersions.length > 0,
      60_000,
      50,
    );
    const tableArrived = await waitFor(
      async () => (await isolateCounters(url)).tableGeneration !== generationBefore,
      90_000,
      100,
    );
    running = false;
    await Promise.all(loaders);
    const lastCanary = Math.max(...served.filter((s) => s.version === "canary").map((s) => s.at));
    const window = served.filter((s) => s.at >= started);
    return {
      requestsPerSecond: window.length / ((Date.now() - started) / 1000),
      minRequests,
      toMinRequestsMs: reachedMin - started,
      haltAfterTickMs: halted - tick,
      lastCanaryAfterTickMs: lastCanary - tick,
      tableAfterTickMs: tableArrived - tick,
    };
  } finally {
    running = false;
    await mf.dispose();
  }
}
