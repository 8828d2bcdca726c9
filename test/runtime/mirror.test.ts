// Shadow traffic inside workerd with real local origins: copies reach the mirrored origin in
// waitUntil, responses are compared and reported, the client's request is never changed, and a
// failing mirrored origin is stopped by the isolate's breaker.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MirrorReport } from "../../schemas/mirror.ts";
import { Service, type ServiceInput } from "../../schemas/service.ts";
import { compileService } from "../../worker/core/compile.ts";
import { decideForService } from "../../worker/core/decide.ts";
import { factsFromDescription } from "../../worker/core/facts.ts";
import { MirrorGuard } from "../../worker/core/mirror/mirror-guard.ts";
import { ClientBody } from "../../worker/data-plane/client-body.ts";
import { DataPlane } from "../../worker/data-plane/handler.ts";
import { Mirroring } from "../../worker/data-plane/mirror.ts";
import { targetOf } from "../../worker/data-plane/request-target.ts";
import { MINUTE, RolloutHarness, rolloutService } from "../support/workerd/rollout-harness.ts";

const IGNORED = { ignoreFields: ["updatedAt", "requestId"] };

function mirrored(name: string, origin: string, mirror: Record<string, unknown>): ServiceInput {
  return {
    name,
    hosts: [`${name}.test`],
    versions: { stable: { origin: env.STABLE_ORIGIN }, canary: { origin } },
    baseline: "stable",
    split: { stable: 100, canary: 0 },
    mirror: { version: "canary", percent: 100, ...mirror } as ServiceInput["mirror"],
  };
}

/** A data plane of its own (its guard set by the test) reading the routes the harness applied. */
async function planeFor(guard?: MirrorGuard): Promise<DataPlane> {
  const plane = new DataPlane(env, {
    flush: { maxRequests: 1_000_000, maxAgeMs: 3_600_000 },
    flushDeadline: false,
    ...(guard ? { mirrorGuard: guard } : {}),
  });
  await plane.cache.refresh(Date.now());
  return plane;
}

/** One request through the data plane, its body read, its background work (the copy) done. */
async function send(plane: DataPlane, host: string, path: string, init: RequestInit = {}) {
  const ctx = createExecutionContext();
  const response = await plane.fetch(new Request(`https://${host}${path}`, init), ctx);
  const text = await response.text();
  await waitOnExecutionContext(ctx);
  return { status: response.status, version: response.headers.get("x-keystone-version"), text };
}

async function report(h: RolloutHarness, plane: DataPlane): Promise<MirrorReport> {
  await plane.flushOutcomes();
  const response = await h.api("GET", `/services/${h.service}/mirror`);
  expect(response.status).toBe(200);
  return MirrorReport.parse(await response.json());
}

async function hits(origin: string, path: string): Promise<number> {
  const counts = (await (await fetch(`${origin}/__hits`)).json()) as Record<string, number>;
  return counts[path] ?? 0;
}

async function lastRequest(origin: string, path: string) {
  const response = await fetch(`${origin}/__last?path=${encodeURIComponent(path)}`);
  return (await response.json()) as {
    method: string;
    headers: Record<string, string>;
    body: string;
  };
}

describe("mirroring to an identical version", () => {
  it("counts identical responses as matches; each copy reaches the mirrored origin, marked", async () => {
    const h = new RolloutHarness("mirror-same");
    await h.apply(mirrored("mirror-same", env.CANARY_ORIGIN, { compare: IGNORED }));
    const plane = await planeFor();
    for (let i = 0; i < 10; i++) {
      const answer = await send(plane, "mirror-same.test", `/items/${1100 + i}`);
      expect(answer).toMatchObject({ status: 200, version: "stable" });
      expect(JSON.parse(answer.text)).toMatchObject({ id: `${1100 + i}`, price: 10 });
    }
    const { totals, paths, samples } = await report(h, plane);
    expect(totals).toEqual({ compared: 10, mismatched: 0, failed: 0, mismatchPercent: 0 });
    expect(paths).toEqual([{ path: "/items/:id", compared: 10, mismatched: 0 }]);
    expect(samples).toEqual([]);
    expect((await h.api("GET", "/services/no-such-service/mirror")).status).toBe(404);
    const copy = await lastRequest(env.CANARY_ORIGIN, "/items/1103");
    expect(copy.headers["x-keystone-mirror"]).toBe("1");
    expect(copy.headers["x-keystone-version"]).toBe("canary");
  });
});

describe("mirroring to a candidate that changed a field", () => {
  it("reports the mismatch with a diff of that field, and none of the ignored ones", async () => {
    const h = new RolloutHarness("mirror-repriced");
    await h.apply(mirrored("mirror-repriced", env.REPRICED_ORIGIN, { compare: IGNORED }));
    const plane = await planeFor();
    for (let i = 0; i < 5; i++) await send(plane, "mirror-repriced.test", `/items/${1200 + i}`);
    const { totals, samples } = await report(h, plane);
    expect(totals).toMatchObject({ compared: 5, mismatched: 5, mismatchPercent: 100 });
    expect(samples).toHaveLength(3);
    expect(samples[0]).toMatchObject({
      method: "GET",
      path: "/items/:id",
      primaryVersion: "stable",
      primaryStatus: 200,
      mirrorStatus: 200,
      differences: [{ where: "body price", primary: "10", mirror: "12" }],
    });
  });

  it("without ignoreFields, the request id each response makes up is a difference too", async () => {
    const h = new RolloutHarness("mirror-unignored");
    await h.apply(mirrored("mirror-unignored", env.CANARY_ORIGIN, {}));
    const plane = await planeFor();
    await send(plane, "mirror-unignored.test", "/items/1301");
    const { totals, samples } = await report(h, plane);
    expect(totals.mismatched).toBe(1);
    expect(samples[0]?.differences.map((d) => d.where)).toContain("body requestId");
  });
});

describe("which requests are copied", () => {
  it("POST is not mirrored unless its method is listed, and a body only with withBody", async () => {
    const h = new RolloutHarness("mirror-methods");
    await h.apply(mirrored("mirror-methods", env.CANARY_ORIGIN, {}));
    const plane = await planeFor();
    const post = await send(plane, "mirror-methods.test", "/orders/m-1", {
      method: "POST",
      body: "order",
    });
    expect(post).toMatchObject({ status: 200, version: "stable" });
    expect(JSON.parse(post.text)).toMatchObject({ method: "POST", bodyLength: 5 });
    await send(plane, "mirror-methods.test", "/orders/m-2", { method: "POST" });
    expect(await hits(env.CANARY_ORIGIN, "/orders/m-1")).toBe(0);
    expect(await hits(env.CANARY_ORIGIN, "/orders/m-2")).toBe(0);

    await h.apply(mirrored("mirror-methods", env.CANARY_ORIGIN, { methods: ["GET", "POST"] }));
    await plane.cache.refresh(Date.now() + 3_600_000);
    await send(plane, "mirror-methods.test", "/orders/m-3", { method: "POST" });
    await send(plane, "mirror-methods.test", "/orders/m-4", { method: "POST", body: "order" });
    expect(await hits(env.CANARY_ORIGIN, "/orders/m-3")).toBe(1);
    expect(await hits(env.CANARY_ORIGIN, "/orders/m-4")).toBe(0);

    await h.apply(
      mirrored("mirror-methods", env.CANARY_ORIGIN, { methods: ["POST"], withBody: true }),
    );
    await plane.cache.refresh(Date.now() + 7_200_000);
    const sent = await send(plane, "mirror-methods.test", "/orders/m-5", {
      method: "POST",
      body: "the same order",
    });
    expect(JSON.parse(sent.text)).toMatchObject({ origin: "stable", bodyLength: 14 });
    expect((await lastRequest(env.CANARY_ORIGIN, "/orders/m-5")).body).toBe("the same order");
  });
});

describe("a WebSocket upgrade", () => {
  it("is never copied: the socket is the client's", async () => {
    const h = new RolloutHarness("mirror-socket");
    await h.apply(mirrored("mirror-socket", env.CANARY_ORIGIN, {}));
    const plane = await planeFor();
    const ctx = createExecutionContext();
    const response = await plane.fetch(
      new Request("https://mirror-socket.test/ws-mirror", { headers: { upgrade: "websocket" } }),
      ctx,
    );
    expect(response.status).toBe(101);
    response.webSocket!.accept();
    response.webSocket!.close();
    await waitOnExecutionContext(ctx);
    expect(plane.counters().mirror?.started).toBe(0);
  });
});

describe("a mirrored version halted by a rollback", () => {
  it("gets no copies from an isolate that holds its halt", async () => {
    const h = new RolloutHarness("mirror-halted");
    await h.apply(mirrored("mirror-halted", env.CANARY_ORIGIN, {}));
    const plane = await planeFor();
    await send(plane, "mirror-halted.test", "/items/1701");
    expect(plane.counters().mirror?.started).toBe(1);
    plane.halted.learn("mirror-halted", "canary", { rolloutId: "r1", sequence: 1_000 }, 0);
    expect(await send(plane, "mirror-halted.test", "/items/1702")).toMatchObject({
      status: 200,
      version: "stable",
    });
    expect(plane.counters().mirror?.started).toBe(1);
    expect(await hits(env.CANARY_ORIGIN, "/items/1702")).toBe(0);
  });
});

describe("a mirrored origin that is slow or down", () => {
  it("changes nothing for the client: a copy past its timeout counts as failed", async () => {
    const h = new RolloutHarness("mirror-slow");
    await h.apply(mirrored("mirror-slow", env.SLOW_ORIGIN, { timeoutMs: 200 }));
    const plane = await planeFor();
    const answer = await send(plane, "mirror-slow.test", "/items/1401");
    expect(answer).toMatchObject({ status: 200, version: "stable" });
    expect(JSON.parse(answer.text)).toMatchObject({ id: "1401", price: 10 });
    expect((await report(h, plane)).totals).toEqual({
      compared: 0,
      mismatched: 0,
      failed: 1,
      mismatchPercent: null,
    });
  });

  it("is no longer copied to once the isolate's breaker opens", async () => {
    const h = new RolloutHarness("mirror-down");
    await h.apply(mirrored("mirror-down", env.REFUSED_ORIGIN, {}));
    const guard = new MirrorGuard({
      perSecond: 100,
      inFlight: 100,
      failuresToOpen: 3,
      openMs: 3_600_000,
    });
    const plane = await planeFor(guard);
    for (let i = 0; i < 6; i++)
      expect(await send(plane, "mirror-down.test", `/items/${1500 + i}`)).toMatchObject({
        status: 200,
        version: "stable",
      });
    expect((await report(h, plane)).totals.failed).toBe(3);
    expect(plane.counters().mirror).toMatchObject({
      started: 3,
      skippedByBreaker: 3,
      breakersOpen: ["mirror-down/canary"],
    });
  });
});

describe("the mirror as a rollout check", () => {
  it("rolls back a candidate whose mirrored responses differ beyond maxMirrorMismatchPercent", async () => {
    const h = new RolloutHarness("mirror-judged");
    await h.apply(
      rolloutService(
        "mirror-judged",
        env.REPRICED_ORIGIN,
        {
          strategy: "canary",
          steps: [{ weight: 20, bake: "10m" }],
          analysis: { minRequests: 20, maxMirrorMismatchPercent: 5, failureLimit: 0 },
        },
        { mirror: { version: "canary", percent: 100, compare: IGNORED } },
      ),
    );
    await h.command("start");
    await h.traffic(200, {}, "/items/1601");
    h.advance(MINUTE);
    await h.tick();
    const state = await h.state();
    expect(state.phase).toBe("rolledBack");
    expect(state.lastVerdict?.reason).toMatch(
      /^mirrored responses differing 100(\.0)? % \(\d+ of \d+ compared\), limit 5\.0 % → fail/,
    );
    // Every copy differed (the isolate's cap of 50 copies a second leaves some uncopied).
    const mirror = state.lastVerdict?.judgement?.mirror;
    expect(mirror?.compared).toBeGreaterThanOrEqual(20);
    expect(mirror?.mismatched).toBe(mirror?.compared);
  });
});

describe("a comparison that cannot finish", () => {
  // One place among the copies in flight, and nothing else to wait for: the isolate's own guard
  // holds 20, shared by every service, so a held place stops shadow traffic for all of them.
  const oneInFlight = () =>
    new MirrorGuard({ perSecond: 100, inFlight: 1, failuresToOpen: 5, openMs: 60_000 });

  function flightOf(mirroring: Mirroring, name: string, init: RequestInit, body?: ClientBody) {
    const config = mirrored(name, env.CANARY_ORIGIN, {
      timeoutMs: 200,
      methods: ["GET", "POST"],
      withBody: true,
    });
    const service = compileService(Service.parse(config));
    const path = "/items/1801";
    const verdict = decideForService(
      factsFromDescription({ host: `${name}.test`, path }),
      service,
      {
        now: Date.now(),
        overrideSecret: undefined,
        mintVisitorId: () => crypto.randomUUID(),
      },
    );
    const request = new Request(`https://${name}.test${path}`, init);
    return mirroring.begin(request, targetOf(request.url), verdict, body)!;
  }

  const settlesWithin = (work: Promise<void>, ms: number) =>
    Promise.race([work.then(() => true), scheduler.wait(ms).then(() => false)]);

  it("a primary answer that never ends (server-sent events) frees its place after the mirror's timeout", async () => {
    const guard = oneInFlight();
    const mirroring = new Mirroring(guard, Date.now, { isHalted: () => false }, () => 0);
    const flight = flightOf(mirroring, "mirror-endless", {});
    const endless = new ReadableStream<Uint8Array>({
      start: (controller) => controller.enqueue(new TextEncoder().encode("data: 1\n\n")),
    });
    const { served, comparison } = mirroring.finish(flight, new Response(endless), true);
    // The client reads its event and goes away; the stream it left never ends.
    const reader = served.body!.getReader();
    await reader.read();
    await reader.cancel();
    expect(await settlesWithin(comparison, 5_000)).toBe(true);
    expect(guard.admit("mirror-endless/canary", Date.now())).toBe("go");
  });

  it("an upload the primary answered before its end, never finished, drops the copy and frees its place", async () => {
    const guard = oneInFlight();
    const mirroring = new Mirroring(guard, Date.now, { isHalted: () => false }, () => 0);
    const upload = new ReadableStream<Uint8Array>({
      start: (controller) => controller.enqueue(new TextEncoder().encode("first part")),
    });
    const body = new ClientBody(upload, null, Date.now);
    const flight = flightOf(mirroring, "mirror-unfinished", { method: "POST" }, body);
    // The primary refused it at once (a 401 reads no body), and the client never ends its upload.
    const { comparison } = mirroring.finish(flight, new Response("no", { status: 401 }), true);
    expect(await settlesWithin(comparison, 5_000)).toBe(true);
    expect(mirroring.droppedCopies).toBe(1);
    expect(guard.admit("mirror-unfinished/canary", Date.now())).toBe("go");
  });
});
