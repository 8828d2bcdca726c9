// Incidents inside workerd with real traffic, real stats objects and real cron ticks: a faulty
// canary rolled back records an incident naming the failed check with its numbers, a local
// receiver gets it in the notification (JSON and Slack blocks), an abort names who aborted, and
// the candidate's last request is traced after the end.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { IncidentList, IncidentResponse, RolloutStatus } from "../../schemas/api-responses.ts";
import { blockKitProblems } from "../support/block-kit.ts";
import { MINUTE, RolloutHarness, rolloutService } from "../support/workerd/rollout-harness.ts";

const analysis = { minRequests: 40, maxErrorRatePercent: 5, maxP95Ms: 1000, failureLimit: 0 };

async function json<T>(response: Response): Promise<T> {
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as T;
}

/** What the receiver (a real local origin) last got on a path; notifications go out after the reply. */
async function received(path: string): Promise<{ headers: Record<string, string>; body: string }> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const seen = (await (await fetch(`${env.STABLE_ORIGIN}/__last?path=${path}`)).json()) as {
      headers: Record<string, string>;
      body: string;
    } | null;
    if (seen) return seen;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing arrived at ${path}`);
}

/**
 * A canary that passes step 1 on healthy traffic, then fails step 2 when a third of the requests
 * hit a path every origin answers with 500: rolled back by the cron.
 */
async function rolledBack(name: string): Promise<RolloutHarness> {
  const h = new RolloutHarness(name);
  const hook = (format: string) => `${env.STABLE_ORIGIN}/hooks/${name}-${format}`;
  await h.apply(
    rolloutService(
      name,
      env.CANARY_ORIGIN,
      {
        strategy: "canary",
        steps: [
          { weight: 20, bake: "1m" },
          { weight: 50, bake: "5m" },
        ],
        analysis,
      },
      {
        notify: [
          { url: hook("json"), events: ["rollout.rolledBack"] },
          { url: hook("slack"), events: ["rollout.rolledBack"], format: "slack" },
        ],
      },
    ),
  );
  await h.command("start", { author: "ana" });
  h.advance(10_000);
  await h.traffic(400);
  h.advance(MINUTE);
  await h.tick();
  expect((await h.state()).stepIndex).toBe(1);
  h.advance(10_000);
  await h.traffic(200);
  await h.traffic(100, {}, "/status/500");
  h.advance(MINUTE);
  await h.tick();
  expect((await h.state()).phase).toBe("rolledBack");
  return h;
}

describe("a rolled-back canary", () => {
  it("records an incident naming the failed check with its numbers, with a timeline", async () => {
    const h = await rolledBack("incident-rb");
    const list = await json<IncidentList>(await h.api("GET", "/services/incident-rb/incidents"));
    expect(list.incidents).toHaveLength(1);
    const [summary] = list.incidents;
    expect(summary).toMatchObject({ id: "1", outcome: "rolledBack", release: "v2" });
    expect(summary!.summary).toMatch(
      /^incident-rb: rollout of canary v2 rolled back at step 2 of 2 \(50%\): error rate \d+\.\d\d% > 5\.00%$/,
    );
    const incident = await json<IncidentResponse>(
      await h.api("GET", "/services/incident-rb/incidents/1"),
    );
    const [check] = incident.failedChecks;
    expect(check).toMatchObject({ check: "errorRate", threshold: 5, passed: false });
    expect(check!.measured).toBeGreaterThan(20);
    expect(incident.actor).toEqual({ kind: "analysis", name: "cron" });
    expect(incident.timeline.map((m) => [m.event, m.step, m.by])).toEqual([
      ["rollout.started", 1, "ana"],
      ["rollout.advanced", 2, "cron"],
      ["rollout.rolledBack", 2, "cron"],
    ]);
    expect(incident.timeline[1]!.candidate!.requests).toBeGreaterThanOrEqual(40);
    // The trace ran right after the end: the last second the split sent the candidate a request.
    expect(incident.lastCandidateRequest).toMatchObject({ settled: false });
    expect(Date.parse(incident.lastCandidateRequest!.at!)).toBeGreaterThan(
      Date.parse(incident.startedAt),
    );
    const status = await json<RolloutStatus>(await h.api("GET", "/services/incident-rb/rollout"));
    expect(status.incident).toEqual({ id: "1", summary: summary!.summary });
    const missing = await h.api("GET", "/services/incident-rb/incidents/9");
    expect(missing.status).toBe(404);
  });

  it("notifies a local receiver with the incident (JSON) and with valid Slack blocks", async () => {
    await rolledBack("incident-hook");
    const plain = await received("/hooks/incident-hook-json");
    const event = JSON.parse(plain.body) as { event: string; incident: IncidentResponse };
    expect(event.event).toBe("rollout.rolledBack");
    expect(event.incident).toMatchObject({ id: "1", outcome: "rolledBack" });
    expect(event.incident.failedChecks[0]).toMatchObject({ check: "errorRate", threshold: 5 });

    const slack = await received("/hooks/incident-hook-slack");
    expect(slack.headers["x-keystone-signature"]).toMatch(/^sha256=[0-9a-f]{64}$/);
    const message = JSON.parse(slack.body) as { text: string; blocks: unknown[] };
    expect(blockKitProblems(message)).toEqual([]);
    expect(message.text).toContain("incident-hook: rollout rolled back");
    const shown = JSON.stringify(message.blocks);
    expect(shown).toMatch(/error rate \d+\.\d\d% &gt; 5\.00%/);
    expect(shown).toContain("keystone incident show incident-hook 1");
  });
});

describe("an aborted rollout", () => {
  it("records who aborted and why", async () => {
    const h = new RolloutHarness("incident-ab");
    await h.apply(
      rolloutService("incident-ab", env.CANARY_ORIGIN, {
        strategy: "canary",
        steps: [{ weight: 10, bake: "5m" }],
        analysis,
      }),
    );
    await h.command("start", { author: "ana" });
    await h.command("abort", { author: "bo", reason: "wrong build" });
    const incident = await json<IncidentResponse>(
      await h.api("GET", "/services/incident-ab/incidents/1"),
    );
    expect(incident).toMatchObject({
      outcome: "aborted",
      actor: { kind: "operator", name: "bo" },
      reason: "wrong build",
      failedChecks: [],
    });
    expect(incident.summary).toBe(
      "incident-ab: rollout of canary v2 aborted by bo at step 1 of 1 (10%): wrong build",
    );
  });
});

describe("the trace of the candidate's last request", () => {
  const stubOf = (name: string) => env.SERVICES.get(env.SERVICES.idFromName(name));
  const incidentOf = async (h: RolloutHarness) =>
    json<IncidentResponse>(await h.api("GET", `/services/${h.service}/incidents/1`));

  /** Runs the service object's outbox now, as its alarm would once the trace is due again. */
  async function traceAgain(
    name: string,
    change?: (head: { halt: { acknowledgedAt: number } }) => void,
  ) {
    await runInDurableObject(stubOf(name), (_, state) => {
      const sql = state.storage.sql;
      if (change) {
        const head = JSON.parse(
          String(sql.exec("SELECT value FROM meta WHERE key = 'head'").one().value),
        );
        change(head);
        sql.exec("UPDATE meta SET value = ? WHERE key = 'head'", JSON.stringify(head));
      }
      sql.exec("UPDATE outbox SET due_at = ?", Date.now());
    });
    await runDurableObjectAlarm(stubOf(name));
  }

  it("is read again until the halt's bound has passed, then settled", async () => {
    const h = await rolledBack("incident-trace");
    const first = await incidentOf(h);
    expect(first.lastCandidateRequest?.settled).toBe(false);
    await traceAgain("incident-trace", (head) => {
      head.halt.acknowledgedAt = 1; // acknowledged long ago: no isolate can still divert
    });
    const settled = await incidentOf(h);
    expect(settled.lastCandidateRequest).toMatchObject({
      at: first.lastCandidateRequest!.at,
      settled: true,
    });
    const left = await runInDurableObject(stubOf("incident-trace"), (_, state) =>
      state.storage.sql
        .exec("SELECT effect FROM outbox")
        .toArray()
        .filter((row) => String(row.effect).includes('"kind":"traceCandidate"')),
    );
    expect(left).toEqual([]);
  });

  it("never counts a newer rollout's traffic in the second it started either", async () => {
    const name = "incident-same-second";
    const h = await rolledBack(name);
    const first = await incidentOf(h);
    await h.command("start", { author: "ana" });
    h.advance(MINUTE);
    // The newer rollout starts 100 ms into a second and its traffic follows within that second:
    // the stats object counts whole seconds, so that second's requests are the newer rollout's.
    h.advance(1_100 - (h.now() % 1_000));
    const startedAt = h.now();
    await runInDurableObject(stubOf(name), (_, state) => {
      const sql = state.storage.sql;
      const head = JSON.parse(
        String(sql.exec("SELECT value FROM meta WHERE key = 'head'").one().value),
      );
      head.rollout.startedAt = startedAt;
      sql.exec("UPDATE meta SET value = ? WHERE key = 'head'", JSON.stringify(head));
    });
    await h.traffic(200);
    await traceAgain(name);
    const after = await incidentOf(h);
    expect(after.lastCandidateRequest).toMatchObject({
      at: first.lastCandidateRequest!.at,
      settled: true,
    });
  });

  it("never counts a newer rollout's traffic to the same version", async () => {
    const h = await rolledBack("incident-next");
    const first = await incidentOf(h);
    await h.command("start", { author: "ana" });
    // The harness's data plane runs ahead of the objects' clock: start the new rollout on its time.
    const startedAt = h.now();
    await traceAgain("incident-next", (head) => {
      (head as unknown as { rollout: { startedAt: number } }).rollout.startedAt = startedAt;
    });
    h.advance(MINUTE);
    await h.traffic(200);
    await traceAgain("incident-next");
    const after = await incidentOf(h);
    expect(after.lastCandidateRequest).toMatchObject({
      at: first.lastCandidateRequest!.at,
      settled: true,
    });
  });
});
