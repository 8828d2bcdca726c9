// npm run demo: a canary that progresses to promotion, then a faulty one rolled back, on a
// throwaway local stack (its own state and ports), driven by the real CLI and the real cron.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { main as keystone } from "../admin-cli/main.ts";
import { closedPort, startOrigin } from "./origin-server.ts";
import { randomSecrets, startWorker, writeEnvFile } from "./stack.ts";

const DEADLINE = Date.now() + 180_000;
const dir = mkdtempSync(join(tmpdir(), "keystone-demo-"));
const secrets = randomSecrets();
writeEnvFile(join(dir, "worker.env"), secrets, { METRICS_FLUSH_SECONDS: "0" });
const [stable, canary, faulty] = await Promise.all([
  startOrigin("stable v1"),
  startOrigin("canary v2"),
  startOrigin("broken v3", { errorRate: 0.25 }),
]);
console.log("starting the Worker (wrangler dev, local KV and Durable Objects)…");
const worker = await startWorker({
  port: await closedPort(),
  persistTo: join(dir, "state"),
  envFile: join(dir, "worker.env"),
});
const cli = (...args: string[]) =>
  keystone([...args, "--url", worker.url, "--token", secrets.ADMIN_TOKEN]);

async function cleanup(): Promise<void> {
  await worker.stop();
  await Promise.all([stable, canary, faulty].map((o) => o.close()));
  rmSync(dir, { recursive: true, force: true });
}

async function traffic(count: number): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const response = await fetch(`${worker.url}/`, {
        headers: { cookie: `ks_demo=visitor-${i}-${Date.now()}` },
      });
      await response.arrayBuffer();
    }),
  );
}

/** Sends traffic and fires the cron until the rollout ends; returns its final phase. */
async function drive(label: string): Promise<string> {
  for (let round = 1; Date.now() < DEADLINE; round++) {
    await traffic(80);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await fetch(
      `${worker.url}/__scheduled?cron=${encodeURIComponent("* * * * *")}&time=${Date.now()}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    console.log(`\n── ${label}, round ${round} ─────────────────────────────`);
    await cli("rollout", "status", "demo");
    const status = (await (
      await fetch(`${worker.url}/_keystone/v1/services/demo/rollout`, {
        headers: { authorization: `Bearer ${secrets.ADMIN_TOKEN}` },
      })
    ).json()) as { state: { phase: string } };
    if (["promoted", "rolledBack", "aborted"].includes(status.state.phase))
      return status.state.phase;
  }
  return "timeout";
}

try {
  const config = {
    services: [
      {
        name: "demo",
        hosts: ["127.0.0.1"],
        versions: {
          stable: { origin: stable.url, release: "v1" },
          canary: { origin: canary.url, release: "v2" },
        },
        baseline: "stable",
        split: { stable: 100, canary: 0 },
        rollout: {
          strategy: "canary",
          steps: [
            { weight: 20, bake: "3s" },
            { weight: 60, bake: "3s" },
          ],
          analysis: { minRequests: 15, maxErrorRatePercent: 5, maxP95Ms: 2000, failureLimit: 0 },
        },
      },
    ],
  };
  const file = join(dir, "demo.yaml");
  writeFileSync(file, stringify(config));
  await cli("apply", "-f", file, "--reason", "demo");

  console.log("\n=== 1. a healthy canary (v2) ===");
  await cli("rollout", "start", "demo", "--release", "v2");
  const first = await drive("healthy canary");
  console.log(`\nhealthy canary: ${first}`);

  console.log("\n=== 2. a faulty canary (v3 answers 25% 500s) ===");
  await cli("rollout", "start", "demo", "--origin", faulty.url, "--release", "v3");
  const second = await drive("faulty canary");
  console.log(`\nfaulty canary: ${second}; it received ${faulty.totalHits()} requests in all`);
  await cli("history", "demo");
  const incident = await lastIncident();
  if (incident) {
    console.log(
      `\n=== 3. the incident of the faulty canary (keystone incident show demo ${incident}) ===\n`,
    );
    await cli("incident", "show", "demo", incident);
  }
  process.exitCode = first === "promoted" && second === "rolledBack" && incident ? 0 : 1;
  await whereToLook(incident);
} finally {
  await cleanup();
}

/** The incident the last rollout left, as rollout status names it. */
async function lastIncident(): Promise<string | undefined> {
  const response = await fetch(`${worker.url}/_keystone/v1/services/demo/rollout`, {
    headers: { authorization: `Bearer ${secrets.READ_TOKEN}` },
  });
  const status = (await response.json()) as { incident: { id: string } | null };
  return status.incident?.id;
}

/**
 * Where to look: the status page (sign in with the read token) and the incident's page. On a
 * terminal the stack stays up until Ctrl-C so those links work; piped (CI), the demo ends here.
 */
async function whereToLook(incident: string | undefined): Promise<void> {
  const page = `${worker.url}/_keystone/ui`;
  console.log("\n=== where to look ===");
  console.log(`status page:  ${page}  (sign in with the read token ${secrets.READ_TOKEN})`);
  if (incident) console.log(`the incident: ${page}/services/demo/incidents/${incident}`);
  console.log(
    `in a terminal: npx keystone --url ${worker.url} --token ${secrets.READ_TOKEN} incident list demo`,
  );
  if (!process.stdout.isTTY || process.env.CI) return;
  console.log("\nthe demo stack stays up for you to look: Ctrl-C to stop it");
  await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
}
