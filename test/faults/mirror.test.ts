// Fault suite, items 20.3 and 20.5: shadow traffic never slows the client's upload (a copied body
// is bounded and held apart, never pulled by the mirrored origin), and what a mirror keeps for
// readers holds no token or e-mail address from a path.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MirrorReport } from "../../schemas/mirror.ts";
import type { ServiceInput } from "../../schemas/service.ts";
import { DataPlane } from "../../worker/data-plane/handler.ts";
import { RolloutHarness } from "../support/workerd/rollout-harness.ts";

function mirrored(name: string, origin: string, mirror: Record<string, unknown>): ServiceInput {
  return {
    name,
    hosts: [`${name}.test`],
    versions: {
      stable: { origin: env.STABLE_ORIGIN, timeoutMs: 3_000 },
      canary: { origin },
    },
    baseline: "stable",
    split: { stable: 100, canary: 0 },
    sticky: { by: "none" },
    mirror: { version: "canary", percent: 100, ...mirror } as ServiceInput["mirror"],
  };
}

/** Requests an origin received on `path` (a copy that was never sent is not among them). */
async function hits(origin: string, path: string): Promise<number> {
  const counts = (await (await fetch(`${origin}/__hits`)).json()) as Record<string, number>;
  return counts[path] ?? 0;
}

async function planeFor(): Promise<DataPlane> {
  const plane = new DataPlane(env, {
    flush: { maxRequests: 1_000_000, maxAgeMs: 3_600_000 },
    flushDeadline: false,
  });
  await plane.cache.refresh(Date.now());
  return plane;
}

/** A POST as a client sends it: with its Content-Length when the body has a known size. */
async function post(plane: DataPlane, host: string, body: Uint8Array | ReadableStream) {
  const ctx = createExecutionContext();
  const headers: Record<string, string> =
    body instanceof Uint8Array ? { "content-length": String(body.byteLength) } : {};
  const response = await plane.fetch(
    new Request(`https://${host}/upload`, { method: "POST", body, headers }),
    ctx,
  );
  const echo = (await response.json()) as { origin: string; bodyLength: number };
  await waitOnExecutionContext(ctx);
  return { status: response.status, echo };
}

/** A body without a length (sent chunked), `size` bytes in 64 KiB chunks. */
function chunked(size: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= size) return controller.close();
      const chunk = new Uint8Array(Math.min(65_536, size - sent)).fill(3);
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
}

describe("item 20.3: a mirrored origin that does not read bodies", () => {
  const methods = { methods: ["POST"], withBody: true, timeoutMs: 500 };

  it("a 16 MB upload reaches the serving origin whole and in time; its body is not copied", async () => {
    const h = new RolloutHarness("mirror-deaf-big");
    await h.apply(mirrored("mirror-deaf-big", env.DEAF_ORIGIN, methods));
    const plane = await planeFor();
    const copiesBefore = await hits(env.DEAF_ORIGIN, "/upload");
    const body = new Uint8Array(16 * 1024 * 1024).fill(9);
    const answer = await post(plane, "mirror-deaf-big.test", body);
    expect(answer).toMatchObject({
      status: 200,
      echo: { origin: "stable", bodyLength: body.length },
    });
    expect(plane.counters().mirror).toMatchObject({ started: 0, droppedCopies: 1 });
    // Nothing of it left for the mirrored origin.
    expect(await hits(env.DEAF_ORIGIN, "/upload")).toBe(copiesBefore);
  });

  it("a chunked upload past 1 MiB drops the copy, never the upload", async () => {
    const h = new RolloutHarness("mirror-deaf-chunked");
    await h.apply(mirrored("mirror-deaf-chunked", env.DEAF_ORIGIN, methods));
    const plane = await planeFor();
    const copiesBefore = await hits(env.DEAF_ORIGIN, "/upload");
    const answer = await post(plane, "mirror-deaf-chunked.test", chunked(8 * 1024 * 1024));
    expect(answer).toMatchObject({
      status: 200,
      echo: { origin: "stable", bodyLength: 8 * 1024 * 1024 },
    });
    expect(plane.counters().mirror).toMatchObject({ started: 1, droppedCopies: 1 });
    expect(await hits(env.DEAF_ORIGIN, "/upload")).toBe(copiesBefore);
    await plane.flushOutcomes();
    // Dropped, not failed: the mirrored origin's breaker is not charged for it.
    const report = MirrorReport.parse(
      await (await h.api("GET", "/services/mirror-deaf-chunked/mirror")).json(),
    );
    expect(report.totals.failed).toBe(0);
  });

  it("a small upload is copied whole; the copy that is never read runs out its own timeout", async () => {
    const h = new RolloutHarness("mirror-deaf-small");
    await h.apply(mirrored("mirror-deaf-small", env.DEAF_ORIGIN, methods));
    const plane = await planeFor();
    const body = new Uint8Array(512 * 1024).fill(5);
    const answer = await post(plane, "mirror-deaf-small.test", body);
    expect(answer).toMatchObject({
      status: 200,
      echo: { origin: "stable", bodyLength: body.length },
    });
    await plane.flushOutcomes();
    const report = MirrorReport.parse(
      await (await h.api("GET", "/services/mirror-deaf-small/mirror")).json(),
    );
    expect(report.totals).toMatchObject({ compared: 0, failed: 1 });
  });
});

describe("item 20.5: mirror samples keep no token or address from a path", () => {
  it("folds e-mail addresses and long tokens in the paths it counts and keeps", async () => {
    const h = new RolloutHarness("mirror-private");
    await h.apply(
      mirrored("mirror-private", env.REPRICED_ORIGIN, {
        compare: { ignoreFields: ["updatedAt", "requestId"] },
      }),
    );
    const plane = await planeFor();
    const secrets = ["alice@example.com", "bob%40example.org", "tk.Q9x7Lm2Pz4Rt8Vw3Yb"];
    for (const secret of secrets) {
      const ctx = createExecutionContext();
      const response = await plane.fetch(
        new Request(`https://mirror-private.test/items/${secret}`),
        ctx,
      );
      await response.arrayBuffer();
      await waitOnExecutionContext(ctx);
    }
    await plane.flushOutcomes();
    const text = await (await h.api("GET", "/services/mirror-private/mirror")).text();
    const report = MirrorReport.parse(JSON.parse(text));
    expect(report.totals.mismatched).toBe(3);
    expect(report.samples.map((s) => s.path).sort()).toEqual([
      "/items/:email",
      "/items/:email",
      "/items/:token",
    ]);
    for (const secret of secrets) expect(text).not.toContain(secret.slice(0, 8));
  });
});
