// npm run demo: a canary that progresses to promotion, then a faulty one rolled back, on a
// throwaway local stack (its own state and ports), driven by the real CLI, the rollouts' own
// ticks and the real cron.
// On a terminal the stack stays up afterwards, until Ctrl-C, so the links it prints work.
import type { RolloutPhase } from "../schemas/rollout-state.ts";
import { PHASE_NAMES } from "../worker/core/rollout/event-words.ts";
import { type Answers, DemoStack } from "./demo-stack.ts";

const DEADLINE = Date.now() + 180_000;

console.log("starting the Worker (wrangler dev, local KV and Durable Objects)…");
const demo = await DemoStack.start();

const describe = (answers: Answers) =>
  [...answers].map(([version, n]) => `${version} ${n}`).join(", ");

/** Rounds of traffic and ticks until the rollout ends; returns its final phase. */
async function drive(label: string): Promise<RolloutPhase | "timeout"> {
  for (let round = 1; Date.now() < DEADLINE; round++) {
    const answers = await demo.round();
    const sent = [...answers.values()].reduce((a, b) => a + b, 0);
    console.log(`\n── ${label}, round ${round} ─────────────────────────────`);
    console.log(`${sent} requests, each from a new visitor, answered by: ${describe(answers)}`);
    await demo.cli("rollout", "status", "demo");
    if (await demo.ended()) return demo.phase();
  }
  return "timeout";
}

let stayUp = false;
try {
  await demo.apply();

  console.log("\n=== 1. a healthy canary (v2) ===");
  await demo.startHealthyCanary();
  const first = await drive("healthy canary");
  console.log(`\nhealthy canary: ${said(first)}`);

  console.log("\n=== 2. a faulty canary (v3 answers 25% 500s) ===");
  await demo.startFaultyCanary();
  const second = await drive("faulty canary");
  console.log(`\nfaulty canary: ${said(second)}; it received ${demo.faultyHits} requests in all`);
  await demo.cli("history", "demo");
  const incident = await demo.lastIncident();
  if (incident) {
    console.log(
      `\n=== 3. the incident of the faulty canary (keystone incident show demo ${incident}) ===\n`,
    );
    await demo.cli("incident", "show", "demo", incident);
  }
  process.exitCode = first === "promoted" && second === "rolledBack" && incident ? 0 : 1;
  stayUp = Boolean(process.stdout.isTTY) && !process.env.CI;
  // Listening before the prompt is printed, and for good: a second Ctrl-C while the stack stops
  // must not kill the demo half-way and leave wrangler running behind it.
  const interrupted = stayUp ? firstInterrupt() : undefined;
  whereToLook(incident);
  await interrupted;
} finally {
  await demo.stop();
}
console.log(
  stayUp
    ? "\nthe demo stack is stopped."
    : "\nthe demo stack is stopped now, so the links above are dead (the output is not a terminal). " +
        "Run `npm run demo` in a terminal to keep it up until Ctrl-C, or `npm start` for a stack of your own.",
);

/** A phase in the words every view uses ("rolled back"). */
function said(phase: RolloutPhase | "timeout"): string {
  return phase === "timeout" ? "not ended in time" : PHASE_NAMES[phase];
}

/** Resolves at the first Ctrl-C (SIGINT); later ones are ignored until the demo has stopped. */
function firstInterrupt(): Promise<void> {
  return new Promise<void>((resolve) => process.on("SIGINT", () => resolve()));
}

/** Where to look: the status page (sign in with the read token) and the incident's page. */
function whereToLook(incident: string | undefined): void {
  const page = `${demo.url}/_keystone/ui`;
  console.log("\n=== where to look ===");
  console.log(`status page:  ${page}  (sign in with the read token ${demo.secrets.READ_TOKEN})`);
  if (incident) console.log(`the incident: ${page}/services/demo/incidents/${incident}`);
  console.log(
    `in a terminal: npx keystone --url ${demo.url} --token ${demo.secrets.READ_TOKEN} incident list demo`,
  );
  if (stayUp) console.log("\nthe demo stack stays up for you to look: Ctrl-C to stop it");
}
