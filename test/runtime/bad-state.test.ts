// The data plane never breaks on bad state: last good table, clear 503/404 bodies.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ROUTES_HEAD_KEY, requestShards } from "../../schemas/route-doc-format.ts";
import { DataPlane } from "../../worker/data-plane/handler.ts";
import { localShop, publish } from "../support/workerd/publish.ts";

async function send(plane: DataPlane, url: string): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await plane.fetch(new Request(url), ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

describe("bad routing state", () => {
  it("with no table ever loaded answers 503 saying why", async () => {
    const plane = new DataPlane(env);
    const response = await send(plane, "https://shop.example.com/");
    expect(response.status).toBe(503);
    expect(await response.text()).toContain("no route table has been published to KV yet");
  });

  it("with a corrupt first value answers 503 naming the problem", async () => {
    await env.ROUTES.put(ROUTES_HEAD_KEY, "{not json");
    const response = await send(new DataPlane(env), "https://shop.example.com/");
    expect(response.status).toBe(503);
    expect(await response.text()).toContain("the route table in KV is not valid");
  });

  it("a value that is not JSON, or fails the schema, leaves the last good table serving", async () => {
    await publish(localShop());
    const plane = new DataPlane(env);
    expect((await send(plane, "https://shop.example.com/")).status).toBe(200);

    await env.ROUTES.put(ROUTES_HEAD_KEY, "{not json");
    await plane.cache.refresh(Date.now());
    const afterGarbage = await send(plane, "https://shop.example.com/");
    expect(afterGarbage.status).toBe(200);
    expect(afterGarbage.headers.get("x-keystone-version")).toBe("stable");

    await env.ROUTES.put(
      ROUTES_HEAD_KEY,
      JSON.stringify({ format: 1, generation: 9, publishedAt: new Date().toISOString() }),
    );
    await plane.cache.refresh(Date.now());
    expect((await send(plane, "https://shop.example.com/")).status).toBe(200);

    await env.ROUTES.delete(ROUTES_HEAD_KEY);
    await plane.cache.refresh(Date.now());
    expect((await send(plane, "https://shop.example.com/")).status).toBe(200);
  });

  it("an unknown host gets 404, not a guess", async () => {
    await publish(localShop());
    const response = await send(new DataPlane(env), "https://unknown.example.org/x");
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("no service is configured for unknown.example.org/x");
    // The text quotes what the client sent: a browser must not sniff it as HTML.
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });
});

describe("the hot path", () => {
  it("reads KV once per isolate, not per request, once warm", async () => {
    await publish(localShop());
    const plane = new DataPlane(env);
    for (let i = 0; i < 50; i++)
      await (await send(plane, "https://shop.example.com/status/204")).arrayBuffer();
    // The head, the host's index shards (its own and example.com's) and its one service: once each.
    expect(plane.cache.reads).toBe(2 + requestShards("shop.example.com").length);
  });

  it("picks up a new publication on the next refresh", async () => {
    await publish(localShop());
    const plane = new DataPlane(env);
    expect((await send(plane, "https://shop.example.com/")).headers.get("x-keystone-version")).toBe(
      "stable",
    );
    await publish(localShop({ split: { stable: 0, canary: 100 } }));
    await plane.cache.refresh(Date.now());
    expect((await send(plane, "https://shop.example.com/")).headers.get("x-keystone-version")).toBe(
      "canary",
    );
  });
});
