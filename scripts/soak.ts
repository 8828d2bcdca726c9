// npm run soak: drives `npm start` (PORT, DEMO_STABLE_PORT, DEMO_CANARY_PORT from the environment)
// at the highest rate it sustains for SOAK_SECONDS (default 60) while a canary rollout progresses
// (the cron fired every 2 s) and SOAK_CHANGES (default 20) `keystone weights` changes land on a
// second service; then prints what was sent, what was stored and what was recorded.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { recordedOutcomes, runLoad } from "./soak-load.ts";
import { PROJECT_ROOT, readEnvFile, stopProcessGroup } from "./stack.ts";

const port = Number(process.env.PORT ?? 8787);
const stablePort = Number(process.env.DEMO_STABLE_PORT ?? 9001);
const canaryPort = Number(process.env.DEMO_CANARY_PORT ?? 9002);
const seconds = Number(process.env.SOAK_SECONDS ?? 60);
const connections = Number(process.env.SOAK_CONNECTIONS ?? 32);
const changes = Number(process.env.SOAK_CHANGES ?? 20);
const url = `http://127.0.0.1:${port}`;
const run = Date.now().toString(36);
const rolled = `soak-roll-${run}`;
const weighted = `soak-weights-${run}`;
const dir = mkdtempSync(join(tmpdir(), "keystone-soak-"));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function service(name: string, split: Record<string, number>, rollout?: object) {
  return {
    name,
    hosts: [`${name}.soak.test`],
    versions: {
      stable: { origin: `http://127.0.0.1:${stablePort}`, release: "soak-v1" },
      canary: { origin: `http://127.0.0.1:${canaryPort}`, release: "soak-v2" },
    },
    baseline: "stable",
    split,
    ...(rollout ? { rollout } : {}),
  };
}

function keystone(token: string, ...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, "admin-cli/bin.js"), ...args], {
      env: { ...process.env, KEYSTONE_URL: url, KEYSTONE_TOKEN: token, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.on("close", (code) => resolve({ code: code ?? -1, out }));
  });
}

/** A read of the admin API (its JSON shapes are the contract; the CLI's output may change). */
async function admin<T>(token: string, path: string): Promise<T> {
  const response = await fetch(`${url}/_keystone/v1${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

async function startStack(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(PROJECT_ROOT, "scripts/start.ts")], {
    cwd: PROJECT_ROOT,
    detached: true,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, PORT: String(port) },
  });
  for (const deadline = Date.now() + 180_000; Date.now() < deadline; await sleep(500)) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`);
    const listing = await fetch(`${url}/_keystone/v1/services`, {
      headers: {
        authorization: `Bearer ${readEnvFile(join(PROJECT_ROOT, ".dev.vars")).ADMIN_TOKEN}`,
      },
    }).catch(() => undefined);
    if (listing?.ok) return child;
  }
  throw new Error(`npm start did not answer on ${url}`);
}

/** The cron, every 2 s, so the rollout advances through its short bakes. */
async function fireCron(until: () => boolean): Promise<number> {
  let fired = 0;
  while (!until()) {
    const response = await fetch(`${url}/__scheduled?cron=${encodeURIComponent("* * * * *")}`);
    await response.arrayBuffer();
    if (response.ok) fired++;
    await sleep(2_000);
  }
  return fired;
}

/** `changes` weights changes spread over the run; each differs from the one before. */
async function changeWeights(token: string): Promise<number> {
  let stored = 0;
  for (let i = 0; i < changes; i++) {
    await sleep((seconds * 1000) / (changes + 1));
    const canary = 11 + i;
    const result = await keystone(
      token,
      "weights",
      weighted,
      `stable=${100 - canary}`,
      `canary=${canary}`,
    );
    if (result.code === 0 && !result.out.includes("unchanged")) stored++;
    else console.error(`weights change ${i + 1} failed: ${result.out.trim()}`);
  }
  return stored;
}

const stack = await startStack();
const token = readEnvFile(join(PROJECT_ROOT, ".dev.vars")).ADMIN_TOKEN!;
try {
  const file = join(dir, "soak.yaml");
  const rollout = {
    strategy: "canary",
    steps: [10, 25, 50, 75].map((weight) => ({ weight, bake: "3s" })),
    analysis: { minRequests: 20, maxErrorRatePercent: 5 },
  };
  writeFileSync(
    file,
    stringify({
      services: [
        service(rolled, { stable: 100, canary: 0 }, rollout),
        service(weighted, { stable: 90, canary: 10 }),
      ],
    }),
  );
  for (const args of [
    ["apply", "-f", file],
    ["rollout", "start", rolled],
  ]) {
    const result = await keystone(token, ...args);
    if (result.code !== 0) throw new Error(`keystone ${args.join(" ")}: ${result.out}`);
  }
  await sleep(2_500); // the new services reach the isolate (ROUTE_REFRESH_SECONDS=1 locally)

  console.log(`soak: ${seconds} s, ${connections} connections, against ${url}`);
  let loadDone = false;
  const [tally, cronTicks, stored] = await Promise.all([
    runLoad(port, [`${rolled}.soak.test`, `${weighted}.soak.test`], seconds, connections).finally(
      () => (loadDone = true),
    ),
    fireCron(() => loadDone),
    changeWeights(token),
  ]);

  // The last outcomes reach the stats objects by the isolate's flush deadline (1 s locally).
  let recorded = await recordedOutcomes(url, token, [rolled, weighted]);
  for (let i = 0; i < 15; i++) {
    await sleep(1_000);
    const again = await recordedOutcomes(url, token, [rolled, weighted]);
    const same = [...again].every(([name, n]) => recorded.get(name) === n);
    recorded = again;
    if (same && i >= 2) break;
  }
  const history = await admin<{ history: { type: string }[] }>(
    token,
    `/services/${weighted}/history`,
  );
  const revisions = history.history.filter((e) => e.type === "weights.changed").length;
  const status = await admin<{
    state: { phase: string; stepIndex: number; stepCount: number; weight: number } | null;
  }>(token, `/services/${rolled}/rollout`);
  const outcomes = [...recorded.values()].reduce((a, b) => a + b, 0);
  const line = (label: string, value: string, goal = "") =>
    console.log(`  ${label.padEnd(30)} ${value}${goal ? `   (${goal})` : ""}`);
  console.log("\nsoak results");
  line("requests sent", `${tally.sent} (${Math.round(tally.sent / seconds)}/s)`);
  line(
    "statuses",
    [...tally.statuses]
      .sort()
      .map(([s, n]) => `${s}: ${n}`)
      .join(", "),
  );
  line(
    "non-origin errors",
    String(tally.nonOrigin),
    `goal 0; ${tally.networkErrors} network errors`,
  );
  line("weights changes stored", String(stored), `of ${changes}`);
  line("revisions in history", String(revisions), `goal ${stored}`);
  line("outcomes recorded", String(outcomes), `goal ${tally.sent}; lost ${tally.sent - outcomes}`);
  line("cron ticks fired", String(cronTicks));
  const state = status.state;
  line(
    "rollout",
    state
      ? `${state.phase}, step ${state.stepIndex + 1} of ${state.stepCount}, canary ${state.weight}%`
      : "none",
  );
  const ok =
    tally.nonOrigin === 0 && revisions === stored && stored === changes && outcomes === tally.sent;
  console.log(ok ? "\nsoak: every goal met" : "\nsoak: a goal was missed (see above)");
  process.exitCode = ok ? 0 : 1;
  if (state?.phase === "progressing" || state?.phase === "paused")
    await keystone(token, "rollout", "abort", rolled);
  for (const name of [rolled, weighted])
    await keystone(token, "delete", name, "--reason", "soak done");
} finally {
  await stopProcessGroup(stack);
  rmSync(dir, { recursive: true, force: true });
}
