// Fault suite, item 20.1: a client that withholds or abandons its upload is its own fault. Such a
// request is counted apart (clientFaults), never as the version's error or latency, so a handful
// of half-sent bodies cannot roll back a healthy canary; an origin that will not take a body the
// client did send is still the version's fault.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseMetrics, sampleValue } from "../support/prometheus-text.ts";
import { MINUTE, RolloutHarness, rolloutService } from "../support/workerd/rollout-harness.ts";

const policy = {
  strategy: "canary",
  steps: [{ weight: 50, bake: "1m" }],
  analysis: { minRequests: 20, maxErrorRatePercent: 5, maxP95Ms: 2000, failureLimit: 0 },
};

/**
 * A canary with a short timeout, so a held upload runs it out quickly; not shorter, for the
 * healthy traffic beside it is 40 requests at once: on a busy machine (two cores, both busy) up
 * to 350 ms of those waited for their answer, and one past the timeout is a 504, the canary's
 * error.
 */
const TIMEOUT_MS = 1_000;

function service(name: string, canaryOrigin: string) {
  const config = rolloutService(name, canaryOrigin, policy);
  config.versions.canary = { ...config.versions.canary!, timeoutMs: TIMEOUT_MS };
  return config;
}

const encoder = new TextEncoder();

/** What an attacker's socket does: one byte of the `Content-Length: 100` it promised, then nothing. */
function heldBody(): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(encoder.encode("x"));
    },
  });
}

/** One byte, then the connection drops after 100 ms (as workerd reports a client that hung up). */
function abandonedBody(): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(encoder.encode("x"));
      setTimeout(() => controller.error(new Error("Network connection lost.")), 100);
    },
  });
}

async function post(h: RolloutHarness, cookie: string, body: BodyInit, length: number) {
  const ctx = createExecutionContext();
  const response = await h.plane.fetch(
    new Request(`https://${h.service}.test/upload`, {
      method: "POST",
      body,
      headers: { cookie: `ks_${h.service}=${cookie}`, "content-length": String(length) },
    }),
    ctx,
  );
  await response.arrayBuffer();
  await waitOnExecutionContext(ctx);
  return response;
}

afterEach(() => vi.restoreAllMocks());

describe("item 20.1: client faults are not the version's faults", () => {
  it("three held uploads on the canary get 408 and are counted apart: the healthy canary is promoted", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const h = new RolloutHarness("held-upload");
    await h.apply(service("held-upload", env.CANARY_ORIGIN));
    await h.command("start");
    const from = h.now();
    await h.traffic(40);
    const [attacker] = await h.visitorsOn("canary", 1, "attacker");
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(h, attacker!, heldBody(), 100)).status);
    expect(statuses).toEqual([408, 408, 408]);
    await h.plane.flushOutcomes();
    const window = await h.window("canary", from);
    expect(window.clientFaults).toBe(3);
    expect(window.errors).toBe(0);
    expect(window.p95).toBeLessThan(TIMEOUT_MS);
    h.advance(2 * MINUTE);
    await h.tick();
    expect((await h.state()).phase).toBe("promoted");

    // Shown apart: in the verdict `rollout explain` prints, and in /_keystone/metrics.
    const judged = await h.lastJudgement();
    expect(judged?.leftOut?.clientIncomplete).toBe(3);
    const scrape = await exports.default.fetch("https://admin.test/_keystone/metrics", {
      headers: { authorization: "Bearer test-read-token" },
    });
    const metrics = parseMetrics(await scrape.text());
    expect(
      sampleValue(metrics, "keystone_client_incomplete_requests_total", {
        service: "held-upload",
        version: "canary",
        reason: "split",
      }),
    ).toBe(3);
  }, 60_000);

  it("uploads the client abandons are counted apart, never as the version's errors", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const h = new RolloutHarness("abandoned-upload");
    await h.apply(service("abandoned-upload", env.CANARY_ORIGIN));
    await h.command("start");
    const from = h.now();
    await h.traffic(40);
    const [attacker] = await h.visitorsOn("canary", 1, "attacker");
    for (let i = 0; i < 5; i++) await post(h, attacker!, abandonedBody(), 100);
    await h.plane.flushOutcomes();
    const window = await h.window("canary", from);
    expect(window.clientFaults).toBe(5);
    expect(window.errors).toBe(0);
    h.advance(2 * MINUTE);
    await h.tick();
    expect((await h.state()).phase).toBe("promoted");
  }, 60_000);

  it("a whole upload is timed from when the origin has it, and answered as usual", async () => {
    const h = new RolloutHarness("whole-upload");
    await h.apply(service("whole-upload", env.CANARY_ORIGIN));
    const body = new Uint8Array(64 * 1024).fill(7);
    const response = await post(h, "visitor-0001", body, body.byteLength);
    expect(response.status).toBe(200);
  });

  it("a canary that never takes an upload the client did send still runs out its timeout: 504, the version's error", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const h = new RolloutHarness("deaf-upload");
    await h.apply(service("deaf-upload", env.DEAF_ORIGIN));
    await h.command("start");
    const from = h.now();
    const [visitor] = await h.visitorsOn("canary", 1);
    const body = new Uint8Array(4 * 1024 * 1024).fill(1);
    const response = await post(h, visitor!, body, body.byteLength);
    expect(response.status).toBe(504);
    await h.plane.flushOutcomes();
    const window = await h.window("canary", from);
    expect(window.clientFaults).toBe(0);
    expect(window.noAnswer).toBe(1);
  }, 60_000);
});
